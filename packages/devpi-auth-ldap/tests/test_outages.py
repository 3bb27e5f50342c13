"""LDAP down or frozen: every request answers within the timeouts, as a failed login (401)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from testharness import require_tool
from testharness.devpi import start_devpi_server
from testharness.devpi_http import login, metrics
from testharness.ldap_directory import LDIF, PASSWORDS, ldap_check, search_config, write_yaml
from testharness.process import ServerGroup
from testharness.slapd import SLAPD_INSTALL, Slapd, start_slapd

pytestmark = pytest.mark.slow


@dataclass
class Setup:
    slapd: Slapd
    url: str
    log: Path
    plain_config: Path


@pytest.fixture(scope="module")
def setup(module_servers: ServerGroup, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Setup]:
    binary = require_tool("slapd", SLAPD_INSTALL)
    require_tool("ldapadd", SLAPD_INSTALL)
    plain = start_slapd(binary, tmp_path_factory.mktemp("plain-slapd"), ldif=LDIF, name="plain")
    folder = tmp_path_factory.mktemp("devpi-outage")
    config = write_yaml(folder / "ldap.yaml", search_config(plain.url, cache_ttl=0, timeout=1))
    # the option comes from the environment here, as DEVPISERVER_LDAP_CONFIG
    server = start_devpi_server(
        folder, servers=module_servers, env={"DEVPISERVER_LDAP_CONFIG": str(config)}
    )
    yield Setup(slapd=plain, url=server.url, log=server.process.log_path, plain_config=config)
    plain.thaw()
    plain.stop()


def test_frozen_slapd_gives_a_failed_login_not_a_hang_or_500(setup: Setup) -> None:
    assert login(setup.url, "alice", PASSWORDS["alice"], check=False).status_code == 200
    setup.slapd.freeze()
    try:
        assert login(setup.url, "alice", PASSWORDS["alice"], check=False).status_code == 401
    finally:
        setup.slapd.thaw()
    assert "LDAP authentication of 'alice' failed" in setup.log.read_text()
    assert metrics(setup.url)["devpi_auth_ldap_errors_total"] >= 1
    assert login(setup.url, "alice", PASSWORDS["alice"], check=False).status_code == 200


def test_stopped_slapd_gives_a_failed_login(setup: Setup) -> None:
    setup.slapd.stop()
    try:
        assert login(setup.url, "bob", PASSWORDS["bob"], check=False).status_code == 401
    finally:
        setup.slapd.restart()
    assert "no LDAP server answered" in setup.log.read_text() or "stopped answering" in (
        setup.log.read_text()
    )


def test_starttls_not_offered_is_a_clear_error(setup: Setup, tmp_path: Path) -> None:
    data = search_config(setup.slapd.url, starttls=True, require_tls=True)
    config = write_yaml(tmp_path / "starttls.yaml", data)
    proc = ldap_check(config, "alice", PASSWORDS["alice"])
    assert proc.returncode == 2
    assert "did not accept StartTLS" in proc.stderr
    assert "no password was sent" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_a_failover_url_is_used_when_the_first_is_down(setup: Setup, tmp_path: Path) -> None:
    from testharness import free_port

    dead = f"ldap://127.0.0.1:{free_port()}"
    config = write_yaml(tmp_path / "failover.yaml", search_config([dead, setup.slapd.url]))
    proc = ldap_check(config, "bob", PASSWORDS["bob"])
    assert proc.returncode == 0, proc.stderr
    assert "groups: all" in proc.stdout
