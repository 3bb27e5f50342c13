"""What a directory does in production: restarts, idle drops, a stalled or dead primary.

Real slapd processes (restarted, given ``idletimeout``, frozen with SIGSTOP, stopped) behind a
real devpi-server with the plugin. The waits here give slapd time to drop connections; no
assertion depends on how fast anything runs.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest

from testharness import require_tool
from testharness.devpi import DevpiServer, start_devpi_server
from testharness.devpi_http import login, metrics
from testharness.ldap_directory import LDIF, PASSWORDS, search_config, write_yaml
from testharness.process import ServerGroup
from testharness.slapd import SLAPD_INSTALL, Slapd, start_slapd

pytestmark = pytest.mark.slow
IDLE_DROP_WAIT = 3.0  # slapd idletimeout 1 s: connections idle this long are gone


def new_slapd(tmp_path: Path, name: str, **options: object) -> Slapd:
    binary = require_tool("slapd", SLAPD_INSTALL)
    require_tool("ldapadd", SLAPD_INSTALL)
    return start_slapd(binary, tmp_path / name, ldif=LDIF, name=name, **options)  # type: ignore[arg-type]


def devpi_with(
    start_server: ServerGroup, tmp_path: Path, urls: str | list[str], **config: object
) -> DevpiServer:
    data = search_config(urls, **{"cache_ttl": 0, "timeout": 2, **config})  # type: ignore[arg-type]
    path = write_yaml(tmp_path / "ldap.yaml", data)
    return start_devpi_server(tmp_path, servers=start_server, args=["--ldap-config", str(path)])


def ok(server: DevpiServer, user: str = "alice") -> bool:
    return login(server.url, user, PASSWORDS[user], check=False).status_code == 200


def counter(server: DevpiServer, name: str) -> float:
    return metrics(server.url)[f"devpi_auth_ldap_{name}_total"]


def wait_for(condition: Callable[[], bool], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return condition()


def test_first_login_after_each_slapd_restart_succeeds(
    start_server: ServerGroup, tmp_path: Path
) -> None:
    slapd = new_slapd(tmp_path, "slapd")
    try:
        server = devpi_with(start_server, tmp_path, slapd.url)
        assert ok(server)
        for _ in range(3):
            slapd.restart()
            assert ok(server), server.process.log_tail()
        assert counter(server, "stale_connections") >= 3
        assert counter(server, "errors") == 0
        log = server.log_path.read_text(errors="replace")
        accepted = [line for line in log.splitlines() if "LDAP accepted 'alice'" in line]
        assert accepted, log[-2000:]
        # request tag and request line, the username and the LDAP server on one line
        assert "[req" in accepted[-1]
        assert "POST /+login" in accepted[-1]
        assert slapd.url in accepted[-1]
    finally:
        slapd.stop()


def test_connections_dropped_by_idletimeout_are_retried(
    start_server: ServerGroup, tmp_path: Path
) -> None:
    slapd = new_slapd(tmp_path, "slapd", idletimeout=1)
    try:
        server = devpi_with(start_server, tmp_path, slapd.url, pool_idle_timeout=600)
        results = []
        for user in ["alice", "bob", "carol", "alice", "bob", "carol"]:
            results.append(ok(server, user))
            time.sleep(IDLE_DROP_WAIT)
        assert results == [True] * 6, server.process.log_tail()
        assert counter(server, "stale_connections") >= 1
        assert counter(server, "errors") == 0
    finally:
        slapd.stop()


def test_connections_idle_longer_than_the_limit_are_recycled(
    start_server: ServerGroup, tmp_path: Path
) -> None:
    slapd = new_slapd(tmp_path, "slapd", idletimeout=1)
    try:
        server = devpi_with(start_server, tmp_path, slapd.url, pool_idle_timeout=0.5)
        results = []
        for user in ["alice", "bob", "carol"]:
            results.append(ok(server, user))
            time.sleep(IDLE_DROP_WAIT)
        assert results == [True] * 3
        assert counter(server, "idle_connections_closed") >= 2
        assert counter(server, "stale_connections") == 0  # never handed out a dead one
    finally:
        slapd.stop()


@pytest.mark.parametrize("outage", ["frozen", "stopped"])
def test_a_failed_primary_is_skipped_then_probed_back(
    start_server: ServerGroup, tmp_path: Path, outage: str
) -> None:
    primary = new_slapd(tmp_path, "primary")
    secondary = new_slapd(tmp_path, "secondary")
    try:
        server = devpi_with(
            start_server,
            tmp_path,
            [primary.url, secondary.url],
            timeout=1,
            backoff_initial=1,
            backoff_max=2,
        )
        assert ok(server)  # pool and binds on the primary
        if outage == "frozen":
            primary.freeze()
        else:
            primary.stop()
        assert ok(server, "bob")  # pays the primary's timeout once, then the secondary
        failures = counter(server, "server_failures")
        assert failures >= 1
        time.sleep(3)  # longer than the backoff: the primary is still not tried first
        for user in ["carol", "alice", "bob"]:
            assert ok(server, user)
        assert counter(server, "server_failures") == failures
        log = server.log_path.read_text(errors="replace")
        assert log.count(f"LDAP server {primary.url} is down") == 1, log[-3000:]
        if outage == "frozen":
            primary.thaw()
        else:
            primary.restart()

        def back_up() -> bool:
            text = server.log_path.read_text(errors="replace")
            return f"LDAP server {primary.url} is up again" in text

        assert wait_for(back_up, timeout=30), server.process.log_tail()
        assert ok(server)
    finally:
        primary.thaw()
        primary.stop()
        secondary.stop()
