"""200 concurrent logins of 50 distinct LDAP users through devpi-server, one slapd.

Every request is a basic-auth ``GET /+api`` (each one asks the plugin, as pip's do), all 200
released at once from 200 threads. Reports errors, the most binds slapd saw for one user
(``BIND dn=`` lines of its stats log; cache TTL 60 s, so the target is at most 1) and the
latency percentiles.
"""

from __future__ import annotations

import shutil
import statistics
import tempfile
import threading
import time
from pathlib import Path

from bench_downloads import emit, settled_bind_counts

from testharness import devpi_http
from testharness.devpi import start_devpi_server
from testharness.ldap_directory import GROUPS, PEOPLE, search_config, user_dn
from testharness.slapd import start_slapd

ROOT = Path(__file__).resolve().parents[3]

USERS = 50
LOGINS = 200


def password(uid: str) -> str:
    return f"{uid}-load-pw"


def load_ldif(uids: list[str]) -> str:
    people = [
        f"dn: {user_dn(uid)}\nobjectClass: inetOrgPerson\nuid: {uid}\ncn: {uid}\nsn: {uid}\n"
        f"userPassword: {password(uid)}\n"
        for uid in uids
    ]
    members = "".join(f"member: {user_dn(uid)}\n" for uid in uids)
    return "\n".join(
        [
            f"dn: {PEOPLE}\nobjectClass: organizationalUnit\nou: people\n",
            f"dn: {GROUPS}\nobjectClass: organizationalUnit\nou: groups\n",
            *people,
            f"dn: cn=load,{GROUPS}\nobjectClass: groupOfNames\ncn: load\n{members}",
        ]
    )


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def main() -> None:
    workdir = Path(tempfile.mkdtemp(prefix="bench-ldap-logins-"))
    uids = [f"load{n:02d}" for n in range(USERS)]
    slapd = start_slapd(
        shutil.which("slapd") or "/usr/sbin/slapd",
        workdir / "slapd",
        ldif=load_ldif(uids),
        log_stats=True,
    )
    server = None
    try:
        config = workdir / "ldap.yaml"
        import yaml

        config.write_text(yaml.safe_dump(search_config(slapd.url, cache_ttl=60, timeout=5)))
        server = start_devpi_server(workdir / "devpi", args=["--ldap-config", str(config)])
        users = [uids[n % USERS] for n in range(LOGINS)]
        latencies: list[float] = [0.0] * LOGINS
        statuses: list[int | str] = [0] * LOGINS
        start = threading.Barrier(LOGINS)

        def one(n: int) -> None:
            uid = users[n]
            start.wait(timeout=60)
            began = time.perf_counter()
            try:
                reply = devpi_http.request(
                    "GET",
                    server.url + "/+api",
                    headers=devpi_http.basic(uid, password(uid)),
                    check=False,
                )
                ok = reply.json()["result"]["authstatus"][0] == "ok"
                statuses[n] = reply.status_code if ok else "not logged in"
            except Exception as error:  # counted as an error, reported below
                statuses[n] = type(error).__name__
            latencies[n] = time.perf_counter() - began

        threads = [threading.Thread(target=one, args=(n,)) for n in range(LOGINS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        errors = [s for s in statuses if s != 200]
        binds = settled_bind_counts(slapd, [user_dn(uid) for uid in uids])
        most = max(binds.values())
        p50, p99 = statistics.median(latencies), percentile(latencies, 0.99)
        emit(
            name=f"{LOGINS} concurrent logins of {USERS} users: errors",
            value=float(len(errors)),
            unit="errors",
            target="0",
            ok=not errors,
            detail=", ".join(sorted({str(e) for e in errors})) or "all ok",
        )
        emit(
            name="most LDAP binds for one user (cache TTL 60 s)",
            value=float(most),
            unit="binds",
            target="<= 1",
            ok=most <= 1,
            detail=f"{sum(binds.values())} binds for {USERS} users, {LOGINS} logins",
        )
        emit(
            name=f"login latency p99 ({LOGINS} concurrent)",
            value=round(p99 * 1000, 1),
            unit="ms",
            detail=f"p50 {p50 * 1000:.1f} ms, max {max(latencies) * 1000:.1f} ms",
        )
    finally:
        if server is not None:
            server.process.stop()
        slapd.stop()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
