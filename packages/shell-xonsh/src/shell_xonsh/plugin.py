"""The conda plugin module of ``shell-xonsh`` (entry-point group ``conda``).

The shell definition lives in :mod:`shell_xonsh.syntax`, which activation imports
directly (through the discovery cache) without loading the plugin manager. Keep it there.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from plugin_contract.conda import hookimpl
from plugin_contract.shell import CondaShellPlugins
from shell_xonsh.syntax import SHELL


@hookimpl
def conda_shell_plugins() -> Iterator[CondaShellPlugins]:
    yield SHELL


@hookimpl
def conda_subcommands() -> Iterable[object]:
    """``conda shell ...`` in a real conda (only one installed shell plugin registers it)."""
    from plugin_contract.shell import shell_subcommands

    return shell_subcommands("shell-xonsh")
