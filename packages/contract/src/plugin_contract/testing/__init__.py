"""Testing kit for plugin authors: conformance suites to run against real hosts and shells.

Needs pytest: install ``plugin-contract[testing]``. Names are imported lazily.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from plugin_contract._lazy import lazy_getattr

if TYPE_CHECKING:
    from plugin_contract.testing.shell import ShellConformance, ShellUnderTest, shell_under_test

_EXPORTS = {
    "ShellConformance": "plugin_contract.testing.shell",
    "ShellUnderTest": "plugin_contract.testing.shell",
    "shell_under_test": "plugin_contract.testing.shell",
}

__all__ = [
    "ShellConformance",
    "ShellUnderTest",
    "shell_under_test",
]

__getattr__ = lazy_getattr(__name__, _EXPORTS)
