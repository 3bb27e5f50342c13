"""devpi-auth-ldap fixtures live in ``ldap_testkit`` (importable by the tests too).

``module_servers`` comes from the repo harness (``testharness.plugin``)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from ldap_testkit import slapd

__all__ = ["slapd"]
