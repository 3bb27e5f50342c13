"""devpi-server with the plugin, against a real slapd: logins, tokens, ACLs, injection, cache."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from testharness.devpi import ROOT_PASSWORD, start_devpi_server
from testharness.devpi_http import basic, devpi_auth, login, metrics, request, token_headers, upload
from testharness.ldap_directory import PASSWORDS, search_config, write_yaml
from testharness.process import ServerGroup
from testharness.slapd import Slapd

pytestmark = pytest.mark.slow
BINDS = "devpi_auth_ldap_user_binds_total"


@dataclass
class Devpi:
    url: str
    file_path: str
    log: Path


@pytest.fixture(scope="module")
def devpi(
    slapd: Slapd, module_servers: ServerGroup, tmp_path_factory: pytest.TempPathFactory
) -> Devpi:
    folder = tmp_path_factory.mktemp("devpi")
    config = write_yaml(folder / "ldap.yaml", search_config(slapd.url))
    server = start_devpi_server(
        folder, servers=module_servers, args=["--ldap-config", str(config), "--debug"]
    )
    url = server.url
    root = token_headers(url, "root", ROOT_PASSWORD)
    for index, acl in (("dev", [":devs"]), ("all", [":all"])):
        body = {"type": "stage", "bases": [], "acl_upload": acl}
        request("PUT", f"{url}/root/{index}", headers=root, json=body)
    upload(url, "root/dev", "demo", "1.0", b"x" * 100, headers=basic("alice", PASSWORDS["alice"]))
    links = request("GET", f"{url}/root/dev/demo/1.0").json()["result"]["+links"]
    return Devpi(url=url, file_path=links[0]["href"], log=server.process.log_path)


def test_login_returns_a_token_that_works_without_ldap(devpi: Devpi) -> None:
    reply = login(devpi.url, "alice", PASSWORDS["alice"])
    token = reply.json()["result"]["password"]
    before = metrics(devpi.url)[BINDS]
    status = request("GET", f"{devpi.url}/+api", headers=devpi_auth("alice", token)).json()[
        "result"
    ]
    assert status["authstatus"][:2] == ["ok", "alice"]
    assert metrics(devpi.url)[BINDS] == before


def test_basic_auth_downloads_bind_once_per_cache_ttl(devpi: Devpi) -> None:
    headers = basic("carol", PASSWORDS["carol"])
    before = metrics(devpi.url)
    for _ in range(3):
        reply = request("GET", devpi.file_path, headers=headers, accept="*/*")
        assert reply.content == b"x" * 100
    after = metrics(devpi.url)
    assert after[BINDS] - before[BINDS] <= 1
    assert (
        after["devpi_auth_ldap_cache_hits_total"] - before["devpi_auth_ldap_cache_hits_total"] >= 2
    )


def test_upload_acl_granted_through_ldap_group(devpi: Devpi) -> None:
    content = b"y" * 50
    as_carol = basic("carol", PASSWORDS["carol"])
    as_bob = basic("bob", PASSWORDS["bob"])
    upload(devpi.url, "root/dev", "carolpkg", "1.0", content, headers=as_carol)
    refused = upload(devpi.url, "root/dev", "bobpkg", "1.0", content, headers=as_bob, check=False)
    assert refused.status_code == 403


def test_nested_group_grants_acl(devpi: Devpi) -> None:
    # carol is in devs, and devs is a member of all
    as_carol = basic("carol", PASSWORDS["carol"])
    upload(devpi.url, "root/all", "nested", "1.0", b"z", headers=as_carol)
    status = request("GET", f"{devpi.url}/+api", headers=as_carol).json()["result"]
    assert status["authstatus"][0] == "ok"
    assert sorted(status["authstatus"][2]) == ["all", "devs"]


def test_wrong_password_is_refused(devpi: Devpi) -> None:
    assert login(devpi.url, "alice", "not-her-password", check=False).status_code == 401
    reply = upload(
        devpi.url, "root/dev", "wrongpw", "1.0", b"w", headers=basic("alice", "wrong"), check=False
    )
    assert reply.status_code in (401, 403)


def test_wrong_password_drops_the_cached_success(devpi: Devpi) -> None:
    headers = basic("bob", PASSWORDS["bob"])
    assert (
        request("GET", f"{devpi.url}/+api", headers=headers).json()["result"]["authstatus"][0]
        == "ok"
    )
    assert login(devpi.url, "bob", "not-bobs", check=False).status_code == 401
    before = metrics(devpi.url)[BINDS]
    assert (
        request("GET", f"{devpi.url}/+api", headers=headers).json()["result"]["authstatus"][0]
        == "ok"
    )
    assert metrics(devpi.url)[BINDS] == before + 1


def test_local_users_skip_ldap_and_unknown_users_fall_through(devpi: Devpi) -> None:
    assert (
        request("PUT", f"{devpi.url}/localuser", json={"password": "local-pw"}).status_code == 201
    )
    before = metrics(devpi.url)
    assert login(devpi.url, "localuser", "local-pw", check=False).status_code == 200
    after = metrics(devpi.url)
    assert after[BINDS] == before[BINDS]
    skipped = "devpi_auth_ldap_local_users_skipped_total"
    assert after[skipped] == before[skipped] + 1
    assert login(devpi.url, "nobody-anywhere", "whatever", check=False).status_code == 401


@pytest.mark.parametrize(
    "username",
    ["*", "al*", "alice)(uid=*", "*)(|(uid=*", "alice,ou=people", "uid=alice", "alice\\", "a\\2a"],
)
def test_injection_in_the_username_is_refused(devpi: Devpi, username: str) -> None:
    before = metrics(devpi.url)[BINDS]
    assert login(devpi.url, username, PASSWORDS["alice"], check=False).status_code == 401
    assert metrics(devpi.url)[BINDS] == before  # no entry matched, so nothing was bound


@pytest.mark.parametrize("username", ["ALICE", "Alice", "aLiCe"])
def test_case_variants_are_refused_so_acls_cannot_miss(devpi: Devpi, username: str) -> None:
    assert login(devpi.url, username, PASSWORDS["alice"], check=False).status_code == 401
    assert login(devpi.url, "alice", PASSWORDS["alice"], check=False).status_code == 200


@pytest.mark.parametrize("password", ["", " ", "\t \n"])
def test_empty_passwords_never_reach_ldap(devpi: Devpi, password: str) -> None:
    before = metrics(devpi.url)[BINDS]
    assert login(devpi.url, "alice", password, check=False).status_code == 401
    assert metrics(devpi.url)[BINDS] == before


def test_the_user_whose_name_needs_escaping_logs_in(devpi: Devpi) -> None:
    assert login(devpi.url, "dan,ops", PASSWORDS["dan,ops"], check=False).status_code == 200


def test_metrics_are_in_status(devpi: Devpi, tmp_path: Path) -> None:
    names = set(metrics(devpi.url))
    assert {BINDS, "devpi_auth_ldap_cache_hits_total", "devpi_auth_ldap_errors_total"} <= names


def test_passwords_never_reach_the_log_even_at_debug(devpi: Devpi) -> None:
    assert login(devpi.url, "alice", "a-wrong-password-xyz", check=False).status_code == 401
    assert login(devpi.url, "bob", PASSWORDS["bob"], check=False).status_code == 200
    text = devpi.log.read_text(errors="replace")
    assert "devpi_auth_ldap" in text or "LDAP" in text  # the plugin does log
    for secret in [*PASSWORDS.values(), "a-wrong-password-xyz"]:
        assert secret not in text
