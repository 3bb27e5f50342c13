"""devpi-auth-ldap's test directory (its tests and benches import it): people, groups
(one nested), a user whose name needs DN escaping."""

from __future__ import annotations

import subprocess
from pathlib import Path

import yaml

from testharness.devpi import devpi_script
from testharness.slapd import BASE_DN

PASSWORDS = {
    "alice": "alice-pw-1",
    "bob": "bob-pw-2",
    "carol": "carol-pw-3",
    "dan,ops": "dan-pw-4",
    "Eve": "eve-pw-5",
}
PEOPLE = f"ou=people,{BASE_DN}"
GROUPS = f"ou=groups,{BASE_DN}"
POSIX_GROUPS = f"ou=posix,{BASE_DN}"


def user_dn(uid: str) -> str:
    escaped = uid.replace("\\", "\\\\").replace(",", "\\,").replace("=", "\\=")
    return f"uid={escaped},{PEOPLE}"


def _person(uid: str) -> str:
    return (
        f"dn: {user_dn(uid)}\nobjectClass: inetOrgPerson\nuid: {uid}\ncn: {uid}\n"
        f"sn: {uid}\nuserPassword: {PASSWORDS[uid]}\n"
    )


LDIF = "\n".join(
    [
        f"dn: {PEOPLE}\nobjectClass: organizationalUnit\nou: people\n",
        f"dn: {GROUPS}\nobjectClass: organizationalUnit\nou: groups\n",
        f"dn: {POSIX_GROUPS}\nobjectClass: organizationalUnit\nou: posix\n",
        *(_person(uid) for uid in PASSWORDS),
        # devs holds alice and carol; all holds bob and the devs group (nested)
        f"dn: cn=devs,{GROUPS}\nobjectClass: groupOfNames\ncn: devs\n"
        f"member: {user_dn('alice')}\nmember: {user_dn('carol')}\n",
        f"dn: cn=all,{GROUPS}\nobjectClass: groupOfNames\ncn: all\n"
        f"member: {user_dn('bob')}\nmember: cn=devs,{GROUPS}\n",
        f"dn: cn=ops,{GROUPS}\nobjectClass: groupOfUniqueNames\ncn: ops\n"
        f"uniqueMember: {user_dn('dan,ops')}\n",
        f"dn: cn=posixdevs,{POSIX_GROUPS}\nobjectClass: posixGroup\ncn: posixdevs\n"
        "gidNumber: 5000\nmemberUid: alice\n",
    ]
)


def search_config(url: str, **extra: object) -> dict[str, object]:
    """A devpi-ldap style config: anonymous user search, member groups, nested."""
    return {
        "devpi-ldap": {
            "url": url,
            "user_search": {"base": PEOPLE, "filter": "(uid={username})", "attribute_name": "dn"},
            "group_search": {
                "base": GROUPS,
                "filter": "(member={userdn})",
                "attribute_name": "cn",
                "nested": True,
            },
            "timeout": 2,
            **extra,
        }
    }


def write_yaml(path: Path, data: object) -> Path:
    path.write_text(yaml.safe_dump(data))
    return path


def ldap_check(
    config: Path, user: str, password: str, *, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    """``devpi-auth-ldap check --config CONFIG USER`` with the password on stdin."""
    return subprocess.run(
        [devpi_script("devpi-auth-ldap"), "check", "--config", str(config), user],
        input=password + "\n",
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
