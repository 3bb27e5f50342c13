"""{{shell_name}} syntax for conda environment activation.

Write every place marked FILL IN, delete the marker, then run ``nox -s tests -- {{dist}}``:
the contract's conformance kit runs against the real ``{{shell_name}}`` program and says what
is still wrong. ``plugin_contract.shell.types.CondaShellPlugins`` documents every field;
``packages/shell-posix`` and ``packages/shell-fish`` are two complete examples.

This module is imported on every activation: keep its imports few and cheap.
"""

from __future__ import annotations

import os

from plugin_contract.shell import CondaShellPlugins, SpawnCommand, SpawnRequest

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence

# FILL IN: every program name this plugin serves (matched against the parent process and
# `conda-shell activate --shell NAME`).
PROGRAMS = ("{{shell_name}}",)


def _not_written(what: str) -> NotImplementedError:
    return NotImplementedError(f"{{dist}}: {what} in syntax.py is not written yet")


def quote(value: str) -> str:
    """``value`` as ONE literal word of the shell: nothing inside expanded, run or split.

    FILL IN. The kit tries quotes, ``$(...)``, backticks, backslashes, newlines, globs,
    leading dashes and non-ASCII text.
    """
    raise _not_written("quote()")


def pathsep_join(quoted: Sequence[str]) -> str:
    """FILL IN: join already-quoted folders into the PATH value (``":".join`` for sh)."""
    raise _not_written("pathsep_join()")


def identity(path: str) -> str:
    return path


def hook(executable: str) -> str:
    """The rc-file snippet defining ``conda_shell``; ``executable`` is already quoted.

    FILL IN. ``conda_shell activate|deactivate|reactivate ARGS`` evaluates, in the current
    shell, the output of ``EXECUTABLE COMMAND --eval --shell {{shell_name}} ARGS`` and
    returns its status; it passes the shell-local prompt variable (``prompt_var``) in that
    program's environment, so the prompt can show the environment. With ``--spawn`` or
    ``--json``, and for any other command, it just runs ``EXECUTABLE ARGS``.
    """
    raise _not_written("hook()")


def write_private(path: str, text: str) -> None:
    """Create ``path`` (mode 0600; never follows or replaces an existing file)."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(text)


def spawn(request: SpawnRequest) -> SpawnCommand:
    """How to start ``request.executable`` interactively for spawn mode.

    FILL IN. Write start-up shims into ``request.workdir`` with :func:`write_private` so
    that the shell runs its user's start-up files first, then ``request.activation``; on
    exit it runs ``request.on_exit`` and keeps the exit status; the shim removes
    ``request.workdir``.
    """
    raise _not_written("spawn()")


SHELL = CondaShellPlugins(
    name="{{shell_name}}",
    summary="{{shell_name}}",  # FILL IN: one line for `conda-shell shells`
    script_path=None,
    pathsep_join=pathsep_join,
    sep="/",
    path_conversion=identity,
    script_extension=".{{shell_name}}",  # FILL IN: extension of activate.d scripts it runs
    tempfile_extension=".{{shell_name}}",  # FILL IN: extension of generated start-up files
    command_join="\n",
    run_script_tmpl="FILL IN %s",  # how to run one script; %s receives the quoted path
    quote=quote,
    export_var_tmpl="FILL IN %s=%s",  # export a variable; name, then the quoted value
    set_var_tmpl="FILL IN %s=%s",  # set a shell-local variable (the prompt)
    unset_var_tmpl="FILL IN %s",  # unset a variable; must succeed when it is not set
    executables=PROGRAMS,
    spawn=spawn,
    hook=hook,
    prompt_var=None,  # FILL IN: the prompt variable the activator edits ("PS1"), or None
)
