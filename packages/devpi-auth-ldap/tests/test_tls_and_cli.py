"""The check CLI against the TLS-enabled slapd: ldaps, StartTLS, untrusted certificates."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from testharness.devpi import devpi_script
from testharness.ldap_directory import (
    GROUPS,
    PASSWORDS,
    POSIX_GROUPS,
    ldap_check,
    search_config,
    write_yaml,
)
from testharness.slapd import Slapd, make_tls_files

pytestmark = pytest.mark.slow
TEMPLATE = "uid={username},ou=people,dc=example,dc=org"


def test_check_prints_dn_groups_and_timings(slapd: Slapd, tmp_path: Path) -> None:
    config = write_yaml(tmp_path / "c.yaml", search_config(slapd.url))
    proc = ldap_check(config, "carol", PASSWORDS["carol"])
    assert proc.returncode == 0, proc.stderr
    assert "dn: uid=carol,ou=people,dc=example,dc=org" in proc.stdout
    assert "groups: all, devs" in proc.stdout  # all through the nested devs group
    assert "time bind:" in proc.stdout


def test_check_shows_the_canonical_name(slapd: Slapd, tmp_path: Path) -> None:
    config = write_yaml(tmp_path / "c.yaml", search_config(slapd.url))
    proc = ldap_check(config, "eve", PASSWORDS["Eve"])
    assert proc.returncode == 1
    assert "user: Eve" in proc.stdout


def test_check_wrong_password(slapd: Slapd, tmp_path: Path) -> None:
    config = write_yaml(tmp_path / "c.yaml", search_config(slapd.url))
    proc = ldap_check(config, "alice", "nope")
    assert proc.returncode == 1
    assert "refused: wrong password" in proc.stdout


def test_check_missing_config_is_one_line(tmp_path: Path) -> None:
    proc = ldap_check(tmp_path / "missing.yaml", "alice", "x")
    assert proc.returncode == 2
    assert proc.stderr.startswith("devpi-auth-ldap: error: cannot read config file")
    assert len(proc.stderr.strip().splitlines()) == 1


def test_ldaps_with_the_ca_file(slapd: Slapd, tmp_path: Path) -> None:
    assert slapd.tls is not None
    data = {
        "url": slapd.ldaps_url,
        "tls": {"ca_file": str(slapd.tls.ca_file)},
        "require_tls": True,
        "user_template": TEMPLATE,
        "group_search": {"base": POSIX_GROUPS, "membership": "memberUid"},
    }
    proc = ldap_check(write_yaml(tmp_path / "c.yaml", data), "alice", PASSWORDS["alice"])
    assert proc.returncode == 0, proc.stderr
    assert "groups: posixdevs" in proc.stdout


def test_starttls_with_the_ca_file_and_escaped_template(slapd: Slapd, tmp_path: Path) -> None:
    assert slapd.tls is not None
    data = {
        "url": slapd.url,
        "starttls": True,
        "require_tls": True,
        "tls": {"ca_file": str(slapd.tls.ca_file)},
        "user_template": TEMPLATE,
        "group_search": {"base": GROUPS, "membership": "uniqueMember"},
    }
    proc = ldap_check(write_yaml(tmp_path / "c.yaml", data), "dan,ops", PASSWORDS["dan,ops"])
    assert proc.returncode == 0, proc.stderr
    assert "groups: ops" in proc.stdout


def test_template_injection_does_not_bind_as_someone_else(slapd: Slapd, tmp_path: Path) -> None:
    data = {"url": slapd.url, "user_template": TEMPLATE}
    config = write_yaml(tmp_path / "c.yaml", data)
    proc = ldap_check(config, "alice,ou=people,dc=example,dc=org", PASSWORDS["alice"])
    assert proc.returncode == 1
    assert "refused" in proc.stdout


def test_member_of_with_nesting(slapd: Slapd, tmp_path: Path) -> None:
    data = {
        "url": slapd.url,
        "user_template": TEMPLATE,
        "group_search": {"membership": "memberOf", "nested": True},
    }
    proc = ldap_check(write_yaml(tmp_path / "c.yaml", data), "carol", PASSWORDS["carol"])
    assert proc.returncode == 0, proc.stderr
    assert "groups: all, devs" in proc.stdout


def test_untrusted_certificate_is_a_clear_error(slapd: Slapd, tmp_path: Path) -> None:
    other = make_tls_files(tmp_path / "other", "other")
    data = {
        "url": slapd.ldaps_url,
        "tls": {"ca_file": str(other.ca_file)},
        "user_template": TEMPLATE,
    }
    proc = ldap_check(write_yaml(tmp_path / "c.yaml", data), "alice", PASSWORDS["alice"])
    assert proc.returncode == 2
    assert proc.stderr.startswith("devpi-auth-ldap: error:")
    assert slapd.ldaps_url in proc.stderr
    assert "Traceback" not in proc.stderr


def test_frozen_ldaps_server_fails_within_the_timeouts(slapd: Slapd, tmp_path: Path) -> None:
    # libldap's TLS handshake has no timeout of its own; the plugin bounds it
    assert slapd.tls is not None
    data = {
        "url": slapd.ldaps_url,
        "tls": {"ca_file": str(slapd.tls.ca_file)},
        "user_template": TEMPLATE,
        "timeout": 1,
    }
    config = write_yaml(tmp_path / "c.yaml", data)
    slapd.freeze()
    try:
        proc = ldap_check(config, "alice", PASSWORDS["alice"])  # times out at 60 s
    finally:
        slapd.thaw()
    assert proc.returncode == 2
    assert "Timed out" in proc.stderr
    assert ldap_check(config, "alice", PASSWORDS["alice"]).returncode == 0


def test_help_is_plain_text_without_rst_markup() -> None:
    for args in (["--help"], ["check", "--help"]):
        proc = subprocess.run(
            [devpi_script("devpi-auth-ldap"), *args],
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
        assert "``" not in proc.stdout
        assert "devpi-auth-ldap" in proc.stdout


@pytest.mark.parametrize(
    ("scope", "attribute_name"),
    [("single-level", "distinguishedName"), ("whole-subtree", "entryDN"), ("base-object", "dn")],
)
def test_devpi_ldap_scopes_and_dn_attribute_names(
    slapd: Slapd, tmp_path: Path, scope: str, attribute_name: str
) -> None:
    """README, Migrating: each scope name, and dn/entryDN/distinguishedName give the DN."""
    base = "uid=carol,ou=people,dc=example,dc=org" if scope == "base-object" else None
    data = search_config(slapd.url)
    search = data["devpi-ldap"]["user_search"]  # type: ignore[index]
    search.update(scope=scope, attribute_name=attribute_name, **({"base": base} if base else {}))
    proc = ldap_check(write_yaml(tmp_path / "c.yaml", data), "carol", PASSWORDS["carol"])
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "dn: uid=carol,ou=people,dc=example,dc=org" in proc.stdout
