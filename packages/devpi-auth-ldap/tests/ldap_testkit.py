"""The module-scoped slapd with the test directory, and small helpers for the tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from testharness import require_tool
from testharness.slapd import SLAPD_INSTALL, Slapd, start_slapd


def write_yaml(path: Path, data: object) -> Path:
    path.write_text(yaml.safe_dump(data))
    return path


@pytest.fixture(scope="module")
def slapd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Slapd]:
    from ldap_directory_data import LDIF

    binary = require_tool("slapd", SLAPD_INSTALL)
    require_tool("ldapadd", SLAPD_INSTALL)
    server = start_slapd(binary, tmp_path_factory.mktemp("slapd"), ldif=LDIF, tls=True)
    yield server
    server.stop()
