"""A real primary and a real ``--primary-url`` replica, both with the plugin, one slapd."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from testharness import require_tool
from testharness.devpi import ROOT_PASSWORD, DevpiServer, start_devpi_server, start_replica
from testharness.devpi_http import basic, login, request, token_headers, upload
from testharness.ldap_directory import LDIF, PASSWORDS, search_config, write_yaml
from testharness.process import ServerGroup
from testharness.slapd import SLAPD_INSTALL, Slapd, start_slapd

pytestmark = pytest.mark.slow


@dataclass
class Pair:
    slapd: Slapd
    primary: DevpiServer
    replica: DevpiServer


@pytest.fixture(scope="module")
def pair(module_servers: ServerGroup, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pair]:
    binary = require_tool("slapd", SLAPD_INSTALL)
    require_tool("ldapadd", SLAPD_INSTALL)
    slapd = start_slapd(binary, tmp_path_factory.mktemp("replica-slapd"), ldif=LDIF)
    folder = tmp_path_factory.mktemp("devpi-replica")
    config = write_yaml(folder / "ldap.yaml", search_config(slapd.url, cache_ttl=0, timeout=1))
    args = ["--ldap-config", str(config)]
    primary = start_devpi_server(
        folder, servers=module_servers, args=args, secretfile=True, primary=True
    )
    root = token_headers(primary.url, "root", ROOT_PASSWORD)
    body = {"type": "stage", "bases": [], "acl_upload": [":devs"]}
    request("PUT", f"{primary.url}/root/dev", headers=root, json=body)
    replica = start_replica(primary, folder, servers=module_servers, args=args)
    yield Pair(slapd=slapd, primary=primary, replica=replica)
    slapd.thaw()
    slapd.stop()


def authstatus(server: DevpiServer, user: str) -> list[object]:
    headers = basic(user, PASSWORDS[user])
    status: list[object] = request("GET", f"{server.url}/+api", headers=headers).json()["result"][
        "authstatus"
    ]
    return status


def test_ldap_login_on_the_replica_gives_a_token_valid_on_both(pair: Pair) -> None:
    token = login(pair.replica.url, "alice", PASSWORDS["alice"]).json()["result"]["password"]
    assert token
    assert authstatus(pair.replica, "alice")[:2] == ["ok", "alice"]
    assert login(pair.replica.url, "alice", "wrong", check=False).status_code == 401


def test_ldap_groups_are_honoured_on_the_replica(pair: Pair) -> None:
    assert sorted(authstatus(pair.replica, "carol")[2]) == ["all", "devs"]  # type: ignore[call-overload]
    as_carol = basic("carol", PASSWORDS["carol"])
    upload(pair.replica.url, "root/dev", "viareplica", "1.0", b"r" * 10, headers=as_carol)
    as_bob = basic("bob", PASSWORDS["bob"])
    refused = upload(
        pair.replica.url, "root/dev", "bobpkg", "1.0", b"b", headers=as_bob, check=False
    )
    assert refused.status_code == 403
    pair.replica.wait_serial(pair.primary.serial())
    links = request("GET", f"{pair.replica.url}/root/dev/viareplica/1.0").json()["result"]
    assert links["+links"]


def test_ldap_outage_on_the_replica_is_a_failed_login(pair: Pair) -> None:
    pair.slapd.freeze()
    try:
        assert login(pair.replica.url, "alice", PASSWORDS["alice"], check=False).status_code == 401
        headers = basic("alice", PASSWORDS["alice"])
        reply = request("GET", f"{pair.replica.url}/+api", headers=headers)
        assert reply.json()["result"]["authstatus"][0] != "ok"
    finally:
        pair.slapd.thaw()
    assert login(pair.replica.url, "alice", PASSWORDS["alice"]).status_code == 200
    assert "LDAP" in pair.replica.log_path.read_text(errors="replace")
