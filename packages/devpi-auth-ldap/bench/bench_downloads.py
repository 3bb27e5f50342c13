"""200 basic-auth downloads through devpi-server with devpi-auth-ldap vs 200 anonymous ones.

Same run, same slapd. Also runs devpi-ldap 2.2.0 in its own venv (uv) against that slapd
and prints both throughputs and the binds slapd saw (``BIND dn=`` lines of its stats log).
"""

from __future__ import annotations

import http.client
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

from testharness import devpi_http
from testharness.devpi import ROOT_PASSWORD, start_devpi_server
from testharness.ldap_directory import LDIF, PASSWORDS, search_config, user_dn
from testharness.process import ServerProcess
from testharness.slapd import start_slapd

ROOT = Path(__file__).resolve().parents[3]

DOWNLOADS = 200
ROUNDS = 5  # interleaved rounds of DOWNLOADS each; medians count
USER = "alice"
LEGACY_VENV = Path(tempfile.gettempdir()) / "devpi-auth-ldap-bench-devpi-ldap-2.2.0"


def emit(**row):
    print(json.dumps(row), flush=True)


def start_devpi(bin_dir: Path, folder: Path, args: list[str]) -> tuple[ServerProcess, str]:
    server = start_devpi_server(folder, bin_dir=bin_dir, args=args)
    return server.process, server.url


def prepare_file(url: str) -> str:
    """root uploads one file to root/dev; returns its download path."""
    auth = devpi_http.token_headers(url, "root", ROOT_PASSWORD)
    devpi_http.request("PUT", url + "/root/dev", headers=auth, json={"type": "stage", "bases": []})
    devpi_http.upload(url, "root/dev", "demo", "1.0", os.urandom(20_000), headers=auth)
    links = devpi_http.request("GET", url + "/root/dev/demo/1.0").json()["result"]["+links"]
    return urllib.parse.urlsplit(links[0]["href"]).path


def downloads_per_second(url: str, path: str, headers: dict[str, str]) -> float:
    parts = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
    started = time.perf_counter()
    for _ in range(DOWNLOADS):
        conn.request("GET", path, headers=headers)  # keep-alive, as pip does
        response = conn.getresponse()
        response.read()
        if response.status != 200:
            raise SystemExit(f"download failed: {response.status}")
    elapsed = time.perf_counter() - started
    conn.close()
    return DOWNLOADS / elapsed


def settled_bind_counts(slapd, dns: list[str]) -> dict[str, int]:
    """Binds per DN, once slapd's lazily written log stopped growing."""
    counts = {dn: slapd.bind_count(dn) for dn in dns}
    for _ in range(20):
        time.sleep(0.5)
        latest = {dn: slapd.bind_count(dn) for dn in dns}
        if latest == counts:
            break
        counts = latest
    return counts


def settled_bind_count(slapd) -> int:
    """slapd writes its log lazily: read until two reads half a second apart agree."""
    count = slapd.bind_count(user_dn(USER))
    for _ in range(20):
        time.sleep(0.5)
        latest = slapd.bind_count(user_dn(USER))
        if latest == count:
            break
        count = latest
    return count


def measure(slapd, url: str, path: str, rounds: int = ROUNDS) -> tuple[float, float, int]:
    """Median anonymous and basic-auth downloads per second, the median of the paired rounds'
    ratios, and binds as the user for all
    ``(rounds + 1) * DOWNLOADS`` basic-auth downloads (warm-up included)."""
    auth = devpi_http.basic(USER, PASSWORDS[USER])
    before = settled_bind_count(slapd)
    downloads_per_second(url, path, auth)  # warm-up (and, for a cache, its one bind)
    downloads_per_second(url, path, {})
    anonymous, with_auth = [], []
    for _ in range(rounds):  # interleaved, so load from elsewhere hits both alike
        anonymous.append(downloads_per_second(url, path, {}))
        with_auth.append(downloads_per_second(url, path, auth))
    binds = settled_bind_count(slapd) - before
    ratio = statistics.median(a / b for a, b in zip(with_auth, anonymous, strict=True))
    return statistics.median(anonymous), statistics.median(with_auth), ratio, binds


def legacy_venv() -> Path:
    bin_dir = LEGACY_VENV / "bin"
    if not (bin_dir / "devpi-server").exists():
        uv = shutil.which("uv") or "uv"
        subprocess.run([uv, "venv", "-q", str(LEGACY_VENV)], check=True, timeout=300)
        subprocess.run(
            [uv, "pip", "install", "-q", "--python", str(bin_dir / "python"), "devpi-server",
             "devpi-ldap==2.2.0"],
            check=True, timeout=600,
        )  # fmt: skip
    return bin_dir


def main() -> None:
    workdir = Path(tempfile.mkdtemp(prefix="bench-ldap-"))
    started: list[ServerProcess] = []
    slapd = start_slapd(
        shutil.which("slapd") or "/usr/sbin/slapd", workdir / "slapd", ldif=LDIF, log_stats=True
    )
    started.append(slapd.process)
    try:
        config = workdir / "ldap.yaml"
        config.write_text(json.dumps(search_config(slapd.url)))
        ours, url = start_devpi(Path(sys.executable).parent, workdir / "ours", [
            "--ldap-config", str(config)])  # fmt: skip
        started.append(ours)
        anonymous, with_auth, ratio, binds = measure(slapd, url, prepare_file(url))
        ours.stop()
        total = DOWNLOADS * (ROUNDS + 1)
        emit(
            name="cached basic-auth downloads vs anonymous (devpi-auth-ldap)",
            value=ratio,
            unit="x anonymous",
            target=">= 0.9",
            ok=ratio >= 0.9,
            detail=f"{with_auth:.0f}/s vs {anonymous:.0f}/s anonymous, {ROUNDS} paired rounds, "
            f"{binds / total:.4f} binds per request",
        )
        uncached_config = workdir / "ldap-uncached.yaml"
        uncached_config.write_text(json.dumps(search_config(slapd.url, cache_ttl=0)))
        uncached, u_url = start_devpi(Path(sys.executable).parent, workdir / "uncached", [
            "--ldap-config", str(uncached_config)])  # fmt: skip
        started.append(uncached)
        u_anonymous, u_with_auth, u_ratio, u_binds = measure(
            slapd, u_url, prepare_file(u_url), rounds=1
        )
        uncached.stop()
        emit(
            name="uncached basic-auth downloads vs anonymous (devpi-auth-ldap, cache_ttl 0)",
            value=u_ratio,
            unit="x anonymous",
            detail=f"{u_with_auth:.0f}/s vs {u_anonymous:.0f}/s anonymous, "
            f"{u_binds / (DOWNLOADS * 2):.2f} binds per request",
        )
        emit(
            name=f"LDAP binds for {DOWNLOADS * (ROUNDS + 1)} basic-auth downloads (TTL 60 s)",
            value=float(binds),
            unit="binds",
            target="<= 1",
            ok=binds <= 1,
            detail="counted in slapd's stats log",
        )

        legacy_config = workdir / "devpi-ldap.yaml"
        legacy_config.write_text(
            json.dumps(
                {
                    "devpi-ldap": {
                        "url": slapd.url,
                        "user_search": {
                            "base": "ou=people,dc=example,dc=org",
                            "filter": "(uid={username})",
                            "attribute_name": "entryDN",
                        },
                        "group_search": {
                            "base": "ou=groups,dc=example,dc=org",
                            "filter": "(member={userdn})",
                            "attribute_name": "cn",
                        },
                    }
                }
            )
        )
        bin_dir = legacy_venv()
        legacy, legacy_url = start_devpi(bin_dir, workdir / "legacy", [
            "--ldap-config", str(legacy_config)])  # fmt: skip
        started.append(legacy)
        l_anonymous, l_with_auth, l_ratio, l_binds = measure(
            slapd, legacy_url, prepare_file(legacy_url), rounds=1
        )
        legacy.stop()
        l_total = DOWNLOADS * 2
        print(
            f"devpi-auth-ldap : {with_auth:7.0f} downloads/s with basic auth, "
            f"{anonymous:7.0f}/s anonymous, {binds} binds for {total} downloads"
        )
        print(
            f"devpi-ldap 2.2.0: {l_with_auth:7.0f} downloads/s with basic auth, "
            f"{l_anonymous:7.0f}/s anonymous, {l_binds} binds for {l_total} downloads"
        )
        emit(
            name="devpi-ldap 2.2.0 basic-auth downloads vs anonymous (for comparison)",
            value=l_ratio,
            unit="x anonymous",
            detail=f"{l_with_auth:.0f}/s vs {l_anonymous:.0f}/s, "
            f"{l_binds / l_total:.2f} binds per request",
        )
        emit(
            name="devpi-auth-ldap vs devpi-ldap 2.2.0 basic-auth throughput",
            value=with_auth / l_with_auth,
            unit="x devpi-ldap",
            detail=f"binds {binds} vs {l_binds}",
        )
    finally:
        for process in reversed(started):
            process.stop()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
