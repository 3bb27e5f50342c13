"""A user removed from an LDAP group: basic auth loses the group's ACL after
``group_cache_ttl``; a ``/+login`` token issued before keeps it (devpi freezes the groups into
the token), a new login does not. Real slapd (changed with ``ldapmodify``), real devpi-server.
"""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import pytest

from testharness import require_tool
from testharness.devpi import ROOT_PASSWORD, start_devpi_server
from testharness.devpi_http import basic, devpi_auth, login, request, token_headers, upload
from testharness.ldap_directory import (
    GROUPS,
    LDIF,
    PASSWORDS,
    search_config,
    user_dn,
    write_yaml,
)
from testharness.process import ServerGroup
from testharness.slapd import ADMIN_DN, ADMIN_PASSWORD, SLAPD_INSTALL, start_slapd

pytestmark = pytest.mark.slow
GROUP_TTL = 2.0


def remove_member(url: str, group_dn: str, member_dn: str) -> None:
    change = f"dn: {group_dn}\nchangetype: modify\ndelete: member\nmember: {member_dn}\n"
    subprocess.run(
        ["ldapmodify", "-x", "-H", url, "-D", ADMIN_DN, "-w", ADMIN_PASSWORD],
        input=change, capture_output=True, text=True, timeout=30, check=True,
    )  # fmt: skip


def groups_seen(url: str, headers: dict[str, str]) -> list[str]:
    status = request("GET", f"{url}/+api", headers=headers).json()["result"]["authstatus"]
    assert status[0] == "ok", status
    return sorted(status[2])


def can_upload(url: str, name: str, headers: dict[str, str]) -> bool:
    reply = upload(url, "root/dev", name, "1.0", b"x", headers=headers, check=False)
    assert reply.status_code in (200, 403), reply.text
    return reply.status_code == 200


def test_group_removal_reaches_basic_auth_after_the_group_ttl_and_tokens_never(
    start_server: ServerGroup, tmp_path: Path
) -> None:
    slapd = start_slapd(require_tool("slapd", SLAPD_INSTALL), tmp_path / "slapd", ldif=LDIF)
    require_tool("ldapmodify", SLAPD_INSTALL)
    try:
        config = search_config(slapd.url, cache_ttl=60, group_cache_ttl=GROUP_TTL)
        server = start_devpi_server(
            tmp_path / "devpi",
            servers=start_server,
            args=["--ldap-config", str(write_yaml(tmp_path / "ldap.yaml", config))],
        )
        url = server.url
        root = token_headers(url, "root", ROOT_PASSWORD)
        body = {"type": "stage", "bases": [], "acl_upload": [":devs"]}
        request("PUT", f"{url}/root/dev", headers=root, json=body)
        as_alice = basic("alice", PASSWORDS["alice"])
        token = login(url, "alice", PASSWORDS["alice"]).json()["result"]["password"]
        with_token = devpi_auth("alice", token)
        assert groups_seen(url, as_alice) == ["all", "devs"]
        assert can_upload(url, "before", as_alice)

        remove_member(slapd.url, f"cn=devs,{GROUPS}", user_dn("alice"))
        removed_at = time.monotonic()
        cached = groups_seen(url, as_alice)
        if time.monotonic() - removed_at < GROUP_TTL * 0.8:  # still inside the group TTL
            assert cached == ["all", "devs"]  # the groups cached at the last lookup
        time.sleep(max(0.0, removed_at + GROUP_TTL + 0.2 - time.monotonic()))

        assert groups_seen(url, as_alice) == []  # looked up again: in no group now
        assert not can_upload(url, "after-basic", as_alice)
        # the token issued before the change still carries devs, as devpi froze it
        assert groups_seen(url, with_token) == ["all", "devs"]
        assert can_upload(url, "after-token", with_token)
        fresh = login(url, "alice", PASSWORDS["alice"]).json()["result"]["password"]
        assert groups_seen(url, devpi_auth("alice", fresh)) == []
    finally:
        slapd.stop()
