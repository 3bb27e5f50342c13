"""Testing kit for plugin authors: conformance suites to run against real hosts and shells.

Needs pytest: install ``plugin-contract[testing]``. Names are imported lazily.
"""

from __future__ import annotations

from plugin_contract._lazy import lazy_getattr

TYPE_CHECKING = False

if TYPE_CHECKING:
    from plugin_contract.testing.driver import ShellDriver
    from plugin_contract.testing.shell import ShellConformance, ShellUnderTest, shell_under_test

_EXPORTS = {
    "ShellDriver": "plugin_contract.testing.driver",
    "ShellConformance": "plugin_contract.testing.shell",
    "ShellUnderTest": "plugin_contract.testing.shell",
    "shell_under_test": "plugin_contract.testing.shell",
}

__all__ = [
    "ShellConformance",
    "ShellDriver",
    "ShellUnderTest",
    "shell_under_test",
]

__getattr__ = lazy_getattr(__name__, _EXPORTS)
