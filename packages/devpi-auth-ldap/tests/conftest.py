"""devpi-auth-ldap's fixtures; the directory's data is ``testharness.ldap_directory``.

``module_servers`` comes from the repo harness (``testharness.plugin``)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from testharness import require_tool
from testharness.ldap_directory import LDIF
from testharness.slapd import SLAPD_INSTALL, Slapd, start_slapd


@pytest.fixture(scope="module")
def slapd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Slapd]:
    """One slapd (TLS on) with the test directory, per test module."""
    binary = require_tool("slapd", SLAPD_INSTALL)
    require_tool("ldapadd", SLAPD_INSTALL)
    server = start_slapd(binary, tmp_path_factory.mktemp("slapd"), ldif=LDIF, tls=True)
    yield server
    server.stop()
