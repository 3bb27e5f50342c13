# os.path on purpose: importing pathlib costs start-up time on the activation hot path.
# ruff: noqa: PTH112, PTH119
"""Spawn mode: replace this process with the user's shell, the environment active inside it.

The plugin's start-up shim runs the user's own start-up files first, then defines the hook
function and activates through it, so nothing in an rc file can undo the activation; an exit
handler runs the environment's deactivate.d scripts and keeps the exit status.
"""

from __future__ import annotations

import os
import shutil

from plugin_contract.shell.envs import scripts_of
from plugin_contract.shell.errors import ShellError
from plugin_contract.shell.render import render_scripts
from plugin_contract.shell.types import SpawnRequest

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import NoReturn

    from plugin_contract.shell.selection import Selection
    from plugin_contract.shell.types import CondaShellPlugins

SPAWN_MARKER = "CONDA_SHELL_SPAWN"
# The prefix, exported until the activation ran: a program that a start-up file `exec`s in
# the spawned shell's place inherits it, and the hook there warns that the activation is lost.
STARTING_MARKER = "__CONDA_SHELL_SPAWNING"


def spawn(
    plugin: CondaShellPlugins,
    selection: Selection,
    prefix: str,
    environ: dict[str, str],
    *,
    stack: bool,
) -> NoReturn:
    starting = environ.get(STARTING_MARKER)
    if starting is not None and not stack:
        raise ShellError(
            f"the shell spawned for {starting!r} never finished starting: a start-up file "
            "ran `exec` (the activation is lost) or runs `conda-shell activate` itself; fix "
            "that file, or pass --stack"
        )
    if environ.get(SPAWN_MARKER) and not stack:
        raise ShellError(
            f"this shell was already spawned for {environ.get('CONDA_PREFIX', '?')!r}: type "
            "`exit` to leave it first, or pass --stack to spawn a shell on top of it"
        )
    program, executable = _program(plugin, selection, environ)
    workdir = _private_dir()
    from plugin_contract.shell.program import hook_command

    quote = plugin.quote
    flags = " --stack" if stack else ""
    activation = plugin.command_join.join(
        [
            plugin.hook(hook_command(plugin)),
            plugin.unset_var_tmpl % STARTING_MARKER,
            # last, so a refused activation is the status a shell's start-up code reports
            f"conda_shell activate{flags} -- {quote(prefix)}",
        ]
    )
    deactivate_scripts = scripts_of(prefix, "deactivate", plugin.script_extension)
    on_exit = render_scripts([plugin.path_conversion(p) for p in deactivate_scripts], plugin)
    request = SpawnRequest(
        executable=executable,
        program=program,
        workdir=workdir,
        activation=activation,
        on_exit=on_exit,
        environ=environ,
    )
    try:
        command = plugin.spawn(request)
    except BaseException:
        shutil.rmtree(workdir, ignore_errors=True)
        raise
    env = dict(environ)
    env[SPAWN_MARKER] = str(int(environ.get(SPAWN_MARKER, "0") or "0") + 1)
    env[STARTING_MARKER] = prefix
    # conda >= 25.5 treats auto_activate_base as an alias of auto_activate: both names in
    # the environment make every conda command fail with MultipleKeysError.
    env.pop("CONDA_AUTO_ACTIVATE_BASE", None)
    env["CONDA_AUTO_ACTIVATE"] = "false"
    # The shell choice is not exported (a user's own CONDA_SHELL_PLUGIN stays): children,
    # such as a nested spawn or fish started from bash, pick their own shell, and the hook in
    # the spawned shell names its plugin itself.
    for name, value in command.environ_changes.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    import sys

    sys.stdout.flush()
    sys.stderr.flush()
    try:
        os.execve(executable, command.argv, env)  # noqa: S606 - spawn mode replaces this process
    except OSError as error:
        shutil.rmtree(workdir, ignore_errors=True)
        raise ShellError(f"cannot start {executable!r}: {error.strerror}") from None


def _program(
    plugin: CondaShellPlugins, selection: Selection, environ: dict[str, str]
) -> tuple[str, str]:
    candidates: list[str] = []
    if selection.executable:
        candidates.append(selection.executable)
    if selection.program:
        candidates.append(selection.program)
    login = environ.get("SHELL", "")
    if login and os.path.basename(login) in plugin.executables:
        candidates.append(login)
    candidates += plugin.executables
    search = environ.get("PATH")
    for candidate in candidates:
        found = candidate if os.sep in candidate else shutil.which(candidate, path=search)
        if found and os.access(found, os.X_OK):
            name = os.path.basename(candidate).lstrip("-")
            if name not in plugin.executables:
                name = os.path.basename(os.path.realpath(found))
            return name, found
    raise ShellError(
        f"no program of shell plugin {plugin.name!r} found on PATH "
        f"(looked for {', '.join(plugin.executables)})"
    )


def _private_dir() -> str:
    import tempfile

    base = os.environ.get("XDG_RUNTIME_DIR")
    if not base or not os.path.isdir(base):
        base = None
    return tempfile.mkdtemp(prefix="conda-shell-", dir=base)
