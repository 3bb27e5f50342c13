"""Testing kit for plugin authors: conformance suites to run against real hosts and shells.

Needs pytest: install ``plugin-contract[testing]``. Names are imported lazily.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

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


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
