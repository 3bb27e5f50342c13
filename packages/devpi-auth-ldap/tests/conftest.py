"""devpi-auth-ldap fixtures live in ``ldap_testkit`` (importable by the tests too)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from ldap_testkit import module_servers, slapd

__all__ = ["module_servers", "slapd"]
