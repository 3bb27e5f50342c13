"""devpi-ldap 2.2.0 files work unchanged: its README's examples and its test suite's forms.

The YAML blocks below are copied from devpi-ldap 2.2.0's README.rst (devpi/devpi-ldap
542db8a); the dictionaries are the configurations its tests/test_ldap.py writes. The
tests are our own. The last test runs such a file in a real devpi-server against slapd.
"""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import pytest
import yaml
from devpi_auth_ldap.config import load_config, parse_config

from plugin_contract.errors import ConfigError
from testharness import require_tool
from testharness.devpi import start_devpi_server
from testharness.devpi_http import login, request
from testharness.ldap_directory import GROUPS, LDIF, PASSWORDS, PEOPLE, write_yaml
from testharness.process import ServerGroup
from testharness.slapd import ADMIN_DN, ADMIN_PASSWORD, SLAPD_INSTALL, start_slapd

README_TEMPLATE = """
    ---
    devpi-ldap:
      url: ldap://example.com
      user_template: CN={username},CN=Partition1,DC=Example,DC=COM
      group_search:
        base: CN=Partition1,DC=Example,DC=COM
        filter: (&(objectClass=group)(member={userdn}))
        attribute_name: CN
"""
README_ACTIVE_DIRECTORY = """
    ---
    devpi-ldap:
      url: ldap://example.com
      user_search:
        base: CN=Partition1,DC=Example,DC=COM
        filter: (&(objectClass=user)(sAMAccountName={username}))
        attribute_name: distinguishedName
      group_search:
        base: CN=Partition1,DC=Example,DC=COM
        filter: (&(objectClass=group)(member={userdn}))
        attribute_name: CN
"""
README_SERVER_POOL = """
    ---
    devpi-ldap:
      server_pool:
        - url: ldap://server1.example.com:389
        - url: ldap://server2.example.com:3268
        - url: ldaps://server3.example.com:636
          tls:
            validate: 2 # ssl.CERT_REQUIRED
            ca_certs_file: /etc/ssl/certs/ca-certificates.crt
        - url: ldaps://server4.example.com:3269
          tls:
            validate: 2 # ssl.CERT_REQUIRED
            ca_certs_file: /etc/ssl/certs/ca-certificates.crt
      user_search:
        base: CN=Partition1,DC=Example,DC=COM
        filter: (&(objectClass=user)(sAMAccountName={username}))
        attribute_name: distinguishedName
      group_search:
        base: CN=Partition1,DC=Example,DC=COM
        filter: (&(objectClass=group)(member={userdn}))
        attribute_name: CN
"""

USER_SEARCH = {"base": "", "filter": "user:{username}", "attribute_name": "dn"}
USERDN_SEARCH = {"userdn": "search", "password": "foo", **USER_SEARCH}
GROUP_SEARCH = {"base": "", "filter": "group:{userdn}", "attribute_name": "cn"}
LOCAL = "ldap://localhost"
ACCEPTED_BY_DEVPI_LDAP = {
    "server_pool": {"server_pool": [{"url": LOCAL}], "user_template": "{username}"},
    "user_template": {"url": LOCAL, "user_template": "{username}"},
    "user_search": {"url": LOCAL, "user_search": USER_SEARCH},
    "userdn_search": {"url": LOCAL, "user_search": USERDN_SEARCH},
    "group_user_template": {
        "url": LOCAL,
        "user_template": "{username}",
        "group_search": GROUP_SEARCH,
    },
    "group_user_search": {"url": LOCAL, "user_search": USER_SEARCH, "group_search": GROUP_SEARCH},
    "group_userdn_search": {
        "url": LOCAL,
        "user_search": USERDN_SEARCH,
        "group_search": GROUP_SEARCH,
    },
    "reject_as_unknown": {"url": LOCAL, "user_template": "{username}", "reject_as_unknown": False},
}
REFUSED_BY_DEVPI_LDAP = {
    "neither_server_pool_nor_url": {"server_poo": [{"url": LOCAL}], "user_template": "{username}"},
    "server_pool_no_list": {"server_pool": {"url": LOCAL}, "user_template": "{username}"},
    "server_pool_empty_list": {"server_pool": [], "user_template": "{username}"},
    "server_pool_server_without_url": {
        "server_pool": [{"uri": LOCAL}],
        "user_template": "{username}",
    },
}


def read(tmp_path: Path, block: str) -> Any:
    path = tmp_path / "ldap.yaml"
    path.write_text(textwrap.dedent(block))
    return load_config(path, environ={})


def test_readme_user_template_example(tmp_path: Path) -> None:
    config = read(tmp_path, README_TEMPLATE)
    assert config.urls == ("ldap://example.com",)
    assert config.user_template == "CN={username},CN=Partition1,DC=Example,DC=COM"
    assert config.group_search.search.attribute_name == "CN"
    assert config.referrals is False  # our one different default (README: Migrating)


def test_readme_active_directory_example(tmp_path: Path) -> None:
    config = read(tmp_path, README_ACTIVE_DIRECTORY)
    assert config.user_search.attribute_name == "distinguishedName"
    assert config.user_search.filter == "(&(objectClass=user)(sAMAccountName={username}))"


def test_readme_server_pool_example_keeps_each_servers_tls(tmp_path: Path) -> None:
    config = read(tmp_path, README_SERVER_POOL)
    assert len(config.urls) == 4
    ldaps = config.tls_for("ldaps://server3.example.com:636")
    assert ldaps.require_cert == "demand"  # validate: 2 is ssl.CERT_REQUIRED
    assert ldaps.ca_file == "/etc/ssl/certs/ca-certificates.crt"
    assert config.tls_for("ldap://server1.example.com:389").ca_file is None


@pytest.mark.parametrize("name", sorted(ACCEPTED_BY_DEVPI_LDAP))
def test_configs_of_devpi_ldaps_test_suite_are_accepted(name: str) -> None:
    config = parse_config(ACCEPTED_BY_DEVPI_LDAP[name], source="ldap.yaml", environ={})
    assert config.urls == (LOCAL,)
    if name == "reject_as_unknown":
        assert config.reject_as_unknown is False


@pytest.mark.parametrize("name", sorted(REFUSED_BY_DEVPI_LDAP))
def test_configs_devpi_ldap_refuses_are_refused_too(name: str) -> None:
    with pytest.raises(ConfigError):
        parse_config(REFUSED_BY_DEVPI_LDAP[name], source="ldap.yaml", environ={})


def test_inline_password_is_accepted_with_one_warning_naming_the_safe_forms() -> None:
    data = ACCEPTED_BY_DEVPI_LDAP["group_userdn_search"]
    config = parse_config(data, source="ldap.yaml", environ={})
    assert config.user_search.bind_dn == "search"
    assert config.user_search.bind_password.reveal() == "foo"
    assert len(config.warnings) == 1
    assert "password_env" in config.warnings[0]
    assert "password_file" in config.warnings[0]
    assert "foo" not in config.warnings[0]
    assert "foo" not in repr(config)


@pytest.mark.parametrize(
    ("tls", "expected"),
    [
        ({"validate": 2}, "demand"),
        ({"validate": 1}, "allow"),
        ({"validate": 0}, "never"),
        ({"validate": "CERT_NONE"}, "never"),
        ({"validate": "ssl.CERT_REQUIRED"}, "demand"),
    ],
)
def test_tls_validate_in_every_form(tls: dict[str, object], expected: str) -> None:
    data = {"url": "ldaps://x", "user_template": "uid={username}", "tls": tls}
    assert parse_config(data, source="x", environ={}).tls.require_cert == expected


def test_ldap3_tls_keywords_are_passed_through(tmp_path: Path) -> None:
    tls = {
        "validate": 2,
        "ca_certs_path": str(tmp_path),
        "version": 5,  # ssl.PROTOCOL_TLSv1_2
        "ciphers": "HIGH",
        "ca_certs_data": "-----BEGIN CERTIFICATE-----\n",
        "valid_names": ["ldap.example.org"],
        "sni": "ldap.example.org",
        "local_certificate_file": str(tmp_path / "client.pem"),
        "local_private_key_file": str(tmp_path / "client.key"),
        "ssl_options": [],
        "local_private_key_password": "secret-key-pw",
    }
    data = {"url": "ldaps://x", "user_template": "uid={username}", "tls": tls}
    config = parse_config(data, source="x", environ={})
    assert config.tls.ca_dir == str(tmp_path)
    assert config.tls.min_protocol == 0x0303
    assert config.tls.ciphers == "HIGH"
    assert config.tls.ca_file is not None
    assert Path(config.tls.ca_file).is_file()
    assert config.tls.cert_file == str(tmp_path / "client.pem")
    assert config.tls.key_file == str(tmp_path / "client.key")
    not_applied = {
        "tls.valid_names",
        "tls.sni",
        "tls.ssl_options",
        "tls.local_private_key_password",
    }
    assert {w.split(": ")[1] for w in config.warnings} == not_applied
    assert "secret-key-pw" not in " ".join(config.warnings) + repr(config)


def test_defaults_named_in_the_migration_section() -> None:
    config = parse_config(ACCEPTED_BY_DEVPI_LDAP["user_template"], source="x", environ={})
    assert config.referrals is False  # devpi-ldap: on
    assert config.reject_as_unknown is True
    assert config.cache_ttl == 60


@pytest.mark.slow
def test_a_devpi_ldap_file_runs_in_devpi_server(start_server: ServerGroup, tmp_path: Path) -> None:
    """Inline service password, server_pool with per-server ldaps tls, validate: 2."""
    binary = require_tool("slapd", SLAPD_INSTALL)
    require_tool("ldapadd", SLAPD_INSTALL)
    slapd = start_slapd(binary, tmp_path / "slapd", ldif=LDIF, tls=True)
    try:
        assert slapd.tls is not None
        tls = {"validate": 2, "ca_certs_file": str(slapd.tls.ca_file), "version": 5}
        search = {"userdn": ADMIN_DN, "password": ADMIN_PASSWORD}
        data = {
            "devpi-ldap": {
                "server_pool": [{"url": slapd.ldaps_url, "tls": tls}],
                "user_search": {
                    "base": PEOPLE,
                    "filter": "(uid={username})",
                    "attribute_name": "entryDN",
                    **search,
                },
                "group_search": {
                    "base": GROUPS,
                    "filter": "(&(objectClass=groupOfNames)(member={userdn}))",
                    "attribute_name": "cn",
                    **search,
                },
                "referrals": False,
                "reject_as_unknown": True,
                "timeout": 5,
            }
        }
        config = write_yaml(tmp_path / "devpi-ldap.yaml", data)
        server = start_devpi_server(
            tmp_path, servers=start_server, args=["--ldap-config", str(config)]
        )
        assert login(server.url, "alice", PASSWORDS["alice"]).status_code == 200
        headers = {"Authorization": "Basic " + _b64("carol:" + PASSWORDS["carol"])}
        status = request("GET", f"{server.url}/+api", headers=headers).json()["result"]
        assert status["authstatus"][:2] == ["ok", "carol"]
        assert sorted(status["authstatus"][2]) == ["devs"]
        log = server.log_path.read_text(errors="replace")
        warnings = [line for line in log.splitlines() if "inline service-account password" in line]
        assert len(warnings) == 2  # user_search and group_search, each once
        assert all("password_env" in w and "password_file" in w for w in warnings)
        assert ADMIN_PASSWORD not in log
    finally:
        slapd.stop()


def _b64(text: str) -> str:
    import base64

    return base64.b64encode(text.encode()).decode()


def test_yaml_blocks_are_valid_yaml() -> None:
    for block in (README_TEMPLATE, README_ACTIVE_DIRECTORY, README_SERVER_POOL):
        assert "devpi-ldap" in yaml.safe_load(textwrap.dedent(block))
