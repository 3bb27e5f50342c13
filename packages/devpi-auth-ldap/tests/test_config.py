"""Config validation (pure logic) and how devpi-server reports a bad file at startup."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from devpi_auth_ldap.config import parse_config

from plugin_contract.errors import ConfigError
from testharness.devpi import devpi_script, init_serverdir
from testharness.ldap_directory import write_yaml

DEVPI_LDAP_FILE = {
    "devpi-ldap": {
        "url": "ldap://ldap.example.org",
        "user_search": {
            "base": "ou=people,dc=example,dc=org",
            "filter": "(&(objectClass=inetOrgPerson)(uid={username}))",
            "attribute_name": "dn",
            "scope": "whole-subtree",
        },
        "group_search": {
            "base": "ou=groups,dc=example,dc=org",
            "filter": "(&(objectClass=groupOfNames)(member={userdn}))",
            "attribute_name": "cn",
        },
        "referrals": False,
        "reject_as_unknown": True,
        "timeout": 7,
        "tls": {"validate": "CERT_REQUIRED"},
    }
}


def problems(data: dict[str, object]) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        parse_config(data, source="ldap.yaml", environ={})
    return str(caught.value).splitlines()


def test_a_devpi_ldap_file_is_accepted_as_is() -> None:
    config = parse_config(DEVPI_LDAP_FILE["devpi-ldap"], source="x", environ={})
    assert config.urls == ("ldap://ldap.example.org",)
    assert config.connect_timeout == 7
    assert config.operation_timeout == 7
    assert config.cache_ttl == 60
    assert config.group_search is not None
    assert config.group_search.nested == "off"


def test_devpi_ldap_server_pool_is_read_as_failover_urls() -> None:
    data = {
        "server_pool": [
            {"url": "ldap://a"},
            {"url": "ldaps://b", "tls": {"validate": "CERT_NONE"}},
        ],
        "user_template": "uid={username},dc=x",
    }
    config = parse_config(data, source="x", environ={})
    assert config.urls == ("ldap://a", "ldaps://b")
    assert config.tls_for("ldaps://b").require_cert == "never"
    assert config.tls_for("ldap://a").require_cert == "demand"


def test_each_unknown_key_and_bad_value_gets_its_own_line() -> None:
    lines = problems(
        {
            "url": "http://ldap.example.org",
            "user_template": "uid=x",
            "colour": "blue",
            "cache_ttl": -1,
            "referrals": "yes",
        }
    )
    assert any("unknown key 'colour'" in line for line in lines)
    assert any("'http://ldap.example.org' is not an ldap://" in line for line in lines)
    assert any("{username}" in line for line in lines)
    assert any("cache_ttl" in line for line in lines)
    assert any("referrals" in line for line in lines)
    assert all(line.startswith("ldap.yaml: ") for line in lines)


def test_inline_and_env_service_password_together_are_refused() -> None:
    data = {
        "url": "ldap://x",
        "user_search": {
            "base": "dc=x",
            "filter": "(uid={username})",
            "attribute_name": "dn",
            "userdn": "cn=svc,dc=x",
            "password": "hunter2",
            "password_env": "SVC_PW",
        },
    }
    lines = problems(data)
    assert any("password_env" in line for line in lines)
    assert not any("hunter2" in line for line in lines)


def test_service_password_from_the_environment() -> None:
    data = {
        "url": ["ldap://a", "ldaps://b"],
        "user_search": {
            "base": "dc=x",
            "filter": "(uid={username})",
            "userdn": "cn=svc,dc=x",
            "password_env": "SVC_PW",
        },
    }
    config = parse_config(data, source="x", environ={"SVC_PW": "s3cret"})
    assert config.user_search is not None
    assert config.user_search.bind_password is not None
    assert config.user_search.bind_password.reveal() == "s3cret"
    assert "s3cret" not in repr(config)
    assert config.urls == ("ldap://a", "ldaps://b")


def test_require_tls_refuses_a_plain_url_without_starttls() -> None:
    lines = problems({"url": "ldap://a", "user_template": "uid={username}", "require_tls": True})
    assert any("not encrypted" in line for line in lines)


def test_nested_memberuid_is_refused() -> None:
    lines = problems(
        {
            "url": "ldap://a",
            "user_template": "uid={username}",
            "group_search": {"base": "dc=x", "membership": "memberUid", "nested": True},
        }
    )
    assert any("memberUid" in line for line in lines)


@pytest.fixture(scope="module")
def serverdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("serverdir") / "server"
    init_serverdir(folder)
    return folder


def run_server(serverdir: Path, *args: str, env: dict[str, str] | None = None) -> str:
    import os

    proc = subprocess.run(
        [devpi_script("devpi-server"), "--serverdir", str(serverdir), "--port", "0", *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={**os.environ, **(env or {})},
    )
    assert proc.returncode == 1, proc.stdout + proc.stderr
    output = proc.stdout + proc.stderr
    assert "Traceback" not in output
    return output


@pytest.mark.slow
def test_devpi_server_refuses_to_start_with_a_bad_file(serverdir: Path, tmp_path: Path) -> None:
    bad = write_yaml(tmp_path / "bad.yaml", {"devpi-ldap": {"url": "ldap://a", "colour": 1}})
    output = run_server(serverdir, "--ldap-config", str(bad))
    assert "fatal: devpi-auth-ldap:" in output
    assert "unknown key 'colour'" in output
    assert "set user_template" in output


@pytest.mark.slow
def test_option_from_the_server_config_file(serverdir: Path, tmp_path: Path) -> None:
    bad = write_yaml(tmp_path / "bad.yaml", {"url": "ftp://a", "user_template": "{username}"})
    server_config = write_yaml(
        tmp_path / "server.yaml", {"devpi-server": {"ldap-config": str(bad)}}
    )
    output = run_server(serverdir, "-c", str(server_config))
    assert "'ftp://a' is not an ldap://" in output


@pytest.mark.slow
def test_option_from_the_environment(serverdir: Path, tmp_path: Path) -> None:
    env = {"DEVPISERVER_LDAP_CONFIG": str(tmp_path / "missing.yaml")}
    output = run_server(serverdir, env=env)
    assert "cannot read config file" in output


@pytest.mark.slow
def test_a_devpi_ldap_section_in_the_server_config_file(serverdir: Path, tmp_path: Path) -> None:
    """devpi-ldap 2.2.0 also read ``devpi-ldap:`` from devpi-server's own ``-c`` file."""
    server_config = write_yaml(
        tmp_path / "server.yaml",
        {"devpi-server": {"port": 1}, "devpi-ldap": {"url": "ftp://a", "user_template": "{u}"}},
    )
    output = run_server(serverdir, "-c", str(server_config))
    assert "'ftp://a' is not an ldap://" in output
