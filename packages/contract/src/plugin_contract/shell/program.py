"""The ``conda-shell`` program: its name and the command a shell hook should call it by.

Its own module so that spawn mode and the CLI both use it without importing each other.
"""

# os.path on purpose: importing pathlib costs start-up time on the activation hot path.
# ruff: noqa: PTH100, PTH110, PTH117, PTH118, PTH119, PTH120
from __future__ import annotations

import os
import sys

TYPE_CHECKING = False
if TYPE_CHECKING:
    from plugin_contract.shell.types import CondaShellPlugins

PROG = "conda-shell"

# What the hook runs in place of the installed `conda-shell` script: Python without `site`
# (-S) and without PYTHON* variables or the current folder (-I), the import path written out.
# An installer's console-script wrapper pays for `site` (its .pth files) and, from pip, `re`.
FAST_START = (
    "import sys;sys.path[:]={path};from plugin_contract.shell.cli import main;sys.exit(main())"
)


def self_program() -> str:
    """The path of the ``conda-shell`` program for the hook function."""
    program = sys.argv[0] if sys.argv and sys.argv[0] else PROG
    if os.path.basename(program) == PROG:
        return os.path.abspath(program) if os.sep in program else program
    launcher = os.path.join(os.path.dirname(sys.executable), PROG)
    return launcher if os.path.exists(launcher) else PROG


def import_path() -> list[str]:
    """This process's import path without the folder of the running script (or ``''``)."""
    path = list(sys.path)
    if path and not (sys.flags.isolated or getattr(sys.flags, "safe_path", False)):
        path = path[1:]
    return path


def fast_argv() -> list[str]:
    """``python -I -S -c START``: runs ``conda-shell`` with this process's import path."""
    return [sys.executable, "-I", "-S", "-c", FAST_START.format(path=ascii(import_path()))]


def hook_command(plugin: CondaShellPlugins) -> str:
    """The quoted command the plugin's hook calls ``conda-shell`` by."""
    if plugin.hook_accepts_command and sys.executable and os.path.isabs(sys.executable):
        return " ".join(plugin.quote(word) for word in fast_argv())
    return plugin.quote(self_program())
