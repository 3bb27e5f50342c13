"""HTTPS webhooks through a proxy (``CONNECT``) to a receiver trusted by its ``ca_file``.

A real devpi-server with devpi-notify gets ``HTTPS_PROXY`` and two HTTPS targets whose host
names do not resolve; only the loopback proxy can reach them (it routes each ``CONNECT
host:port`` to a recorder served over TLS). ``tls`` trusts the CA that issued the receiver's
certificate; ``bundle`` sets no ``ca_file`` and trusts it through ``REQUESTS_CA_BUNDLE`` in
the server's environment; ``untrusted`` names another CA, so its handshake must always fail.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import ssl
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from devpi_notify.config import parse_notify_config

from plugin_contract.errors import ConfigError
from testharness import devpi_http
from testharness.devpi import DevpiServer, start_devpi_server
from testharness.recorder import Proxy, Recorder, forwarding_proxy, recording_server

pytestmark = pytest.mark.slow
SECRET = "whsec-https-proxy-secret-0123"
PASSWORD = "alice-password"
GOOD_HOST = "hook.tls.test"
BAD_HOST = "untrusted.tls.test"
BUNDLE_HOST = "bundle.tls.test"
TLS_ERROR = "webhook target untrusted: TLS verification failed"
WAIT = 60.0


@dataclass
class Setup:
    server: DevpiServer
    proxy: Proxy
    good: Recorder
    bad: Recorder
    bundle: Recorder
    good_target: str  # host:port as in the target URL and the CONNECT line
    bad_target: str
    index: str


def server_context(authority: Any, host: str) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    authority.issue_cert(host).configure_cert(context)
    return context


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Setup]:
    import trustme

    work = tmp_path_factory.mktemp("https-proxy")
    authority, stranger = trustme.CA(), trustme.CA()
    (work / "ca.pem").write_bytes(authority.cert_pem.bytes())
    (work / "other-ca.pem").write_bytes(stranger.cert_pem.bytes())
    with (
        recording_server(tls=server_context(authority, GOOD_HOST)) as good,
        recording_server(tls=server_context(authority, BAD_HOST)) as bad,
        recording_server(tls=server_context(authority, BUNDLE_HOST)) as bundle,
        forwarding_proxy() as proxy,
    ):
        good_target, bad_target, bundle_target = (
            f"{host}:{port_of(receiver)}"
            for host, receiver in ((GOOD_HOST, good), (BAD_HOST, bad), (BUNDLE_HOST, bundle))
        )
        for target, receiver in ((good_target, good), (bad_target, bad), (bundle_target, bundle)):
            proxy.route(target, ("127.0.0.1", port_of(receiver)))
        config = {
            "worker": {
                "poll_interval": 0.2,
                "backoff_initial": 0.2,
                "backoff_max": 0.5,
                "max_attempts": 1000,  # the failing target must stay pending in this test
            },
            "targets": {
                "tls": {
                    "type": "webhook",
                    "url": f"https://{good_target}/hook",
                    "secret_env": "NOTIFY_SECRET",
                    "ca_file": str(work / "ca.pem"),
                },
                "bundle": {
                    "type": "webhook",
                    "url": f"https://{bundle_target}/hook",
                    "secret_env": "NOTIFY_SECRET",
                },
                "untrusted": {
                    "type": "webhook",
                    "url": f"https://{bad_target}/hook",
                    "secret_env": "NOTIFY_SECRET",
                    "ca_file": str(work / "other-ca.pem"),
                },
            },
        }
        config_path = work / "notify.yaml"
        config_path.write_text(yaml.safe_dump(config))
        server = start_devpi_server(
            work,
            args=["--notify-config", str(config_path)],
            env={
                "NOTIFY_SECRET": SECRET,
                "REQUESTS_CA_BUNDLE": str(work / "ca.pem"),  # for targets without ca_file
                **dict.fromkeys(("HTTPS_PROXY", "https_proxy"), proxy.url),
                **dict.fromkeys(("NO_PROXY", "no_proxy"), "127.0.0.1,localhost"),
            },
        )
        try:
            devpi_http.create_user(server.url, "alice", PASSWORD)
            devpi_http.create_index(
                server.url,
                "alice",
                PASSWORD,
                "tls",
                notify_targets="tls,bundle,untrusted",
                notify_events="file_uploaded",
            )
            response = devpi_http.upload(
                server.url,
                "alice/tls",
                "omega",
                "1.0",
                devpi_http.sdist_bytes("omega", "1.0"),
                filename="omega-1.0.tar.gz",
                headers=devpi_http.basic("alice", PASSWORD),
            )
            assert response.status_code == 200
            yield Setup(server, proxy, good, bad, bundle, good_target, bad_target, "alice/tls")
        finally:
            server.process.stop()


def port_of(receiver: Recorder) -> int:
    return int(receiver.url.rsplit(":", 1)[1].split("/")[0])


def valid_signature(header: str, body: bytes) -> bool:
    fields = dict(part.split("=", 1) for part in header.split(","))
    message = f"{fields['t']}.".encode() + body
    expected = hmac.new(SECRET.encode(), message, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, fields["v1"])


def untrusted_row(setup: Setup) -> dict[str, Any]:
    import sqlite3

    outbox = setup.server.serverdir / ".devpi-notify-outbox.sqlite3"
    with sqlite3.connect(outbox) as conn:
        rows = conn.execute(
            "SELECT state, attempts, last_error FROM deliveries WHERE target='untrusted'"
        ).fetchall()
    assert len(rows) == 1
    state, attempts, last_error = rows[0]
    return {"state": state, "attempts": attempts, "last_error": last_error}


def wait_for_failed_attempts(setup: Setup, count: int) -> dict[str, Any]:
    deadline = time.monotonic() + WAIT
    while True:
        try:
            row = untrusted_row(setup)
            if row["attempts"] >= count and row["last_error"]:
                return row
        except AssertionError:
            pass  # not enqueued yet
        if time.monotonic() > deadline:
            raise TimeoutError(f"fewer than {count} failed attempts to 'untrusted'")
        time.sleep(0.2)


def wait_for_logged_failures(setup: Setup, count: int) -> tuple[str, list[str]]:
    deadline = time.monotonic() + WAIT
    while True:
        log = setup.server.log_path.read_text(errors="replace")
        failures = [line for line in log.splitlines() if "to 'untrusted' failed" in line]
        if len(failures) >= count:
            return log, failures
        if time.monotonic() > deadline:
            raise TimeoutError(f"{len(failures)} of {count} failed attempts logged: {failures}")
        time.sleep(0.2)


def test_https_event_arrives_signed_through_one_connect_tunnel(setup: Setup) -> None:
    request = setup.good.wait_for(lambda seen: len(seen) >= 1, timeout=WAIT)[0]
    assert (request.method, request.path) == ("POST", "/hook")
    assert request.headers["Host"] == setup.good_target  # the name, not 127.0.0.1
    event = json.loads(request.body)
    assert (event["data"]["project"], event["data"]["event"]) == ("omega", "file_uploaded")
    assert valid_signature(request.headers["X-Devpi-Notify-Signature"], request.body)
    assert not setup.good.tls_errors
    # exactly one CONNECT to the trusted receiver; nothing ever sent to the proxy in clear
    assert setup.proxy.tunnel_targets().count(setup.good_target) == 1
    assert set(setup.proxy.tunnel_targets()) <= {
        setup.good_target,
        setup.bad_target,
        f"{BUNDLE_HOST}:{port_of(setup.bundle)}",
    }
    assert setup.proxy.forwarded == []
    tunnel = next(t for t in setup.proxy.tunnels if t.target == setup.good_target)
    assert tunnel.status == 200
    sent = bytes(tunnel.client_bytes)
    assert sent[:1] == b"\x16"  # a TLS handshake record opens the tunnel
    for plain in (b"POST /hook", b"X-Devpi-Notify", b"omega", SECRET.encode()):
        assert plain not in sent


def test_a_target_without_ca_file_trusts_requests_ca_bundle(setup: Setup) -> None:
    request = setup.bundle.wait_for(lambda seen: len(seen) >= 1, timeout=WAIT)[0]
    target = f"{BUNDLE_HOST}:{port_of(setup.bundle)}"
    assert request.headers["Host"] == target
    assert setup.proxy.tunnel_targets().count(target) == 1
    assert valid_signature(request.headers["X-Devpi-Notify-Signature"], request.body)


def test_untrusted_ca_fails_readably_and_the_event_stays_pending(setup: Setup) -> None:
    row = wait_for_failed_attempts(setup, 3)
    assert row["state"] == "pending"
    assert row["last_error"] == TLS_ERROR
    assert setup.bad.snapshot() == []  # nothing delivered to the receiver nobody trusts
    assert setup.bad.tls_errors  # the tunnel reached it; the handshake was refused
    assert setup.proxy.tunnel_targets().count(setup.bad_target) >= 3
    # the worker records the attempt in the outbox a moment before it logs it
    log, failures = wait_for_logged_failures(setup, 3)
    assert all(line.endswith(TLS_ERROR) for line in failures)
    assert "Traceback" not in log
    status = subprocess.run(
        [
            sys.executable,
            "-m",
            "devpi_notify.cli",
            "status",
            "--serverdir",
            str(setup.server.serverdir),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert "untrusted: pending 1  delivered 0  dead 0" in status.stdout
    assert "tls: pending 0  delivered 1  dead 0" in status.stdout


def test_no_secret_in_the_server_log(setup: Setup) -> None:
    setup.good.wait_for(lambda seen: len(seen) >= 1, timeout=WAIT)
    assert SECRET not in setup.server.log_path.read_text(errors="replace")


def parse_webhook(tmp_path: Path, **extra: Any) -> None:
    spec = {"type": "webhook", "url": "https://ci.example/hook", "unsigned": True, **extra}
    parse_notify_config({"targets": {"ci": spec}}, where="notify config")


def test_ca_file_must_exist_and_hold_a_certificate(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"targets\.ci: ca_file '/nonexistent/ca.pem' does not"):
        parse_webhook(tmp_path, ca_file="/nonexistent/ca.pem")
    junk = tmp_path / "junk.pem"
    junk.write_text("not a certificate\n")
    with pytest.raises(ConfigError, match="holds no PEM CA certificate"):
        parse_webhook(tmp_path, ca_file=str(junk))
