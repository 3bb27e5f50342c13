"""The repository's own test harness: real servers on loopback, with bounded timeouts.

Loaded for every test run by the root ``conftest.py`` (``pytest_plugins``). Later packages
add their server fixtures as modules beside these (``slapd.py``, ``oidc.py``, ...).
"""

from testharness.ports import free_port, wait_for_port
from testharness.process import ServerGroup, ServerProcess, ServerStartError
from testharness.tools import in_ci, require_tool

__all__ = [
    "ServerGroup",
    "ServerProcess",
    "ServerStartError",
    "free_port",
    "in_ci",
    "require_tool",
    "wait_for_port",
]
