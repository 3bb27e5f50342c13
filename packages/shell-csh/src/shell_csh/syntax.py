# os.path on purpose: importing pathlib costs start-up time on the activation hot path.
# ruff: noqa: PTH100, PTH118, PTH120
"""csh and tcsh syntax for conda environment activation.

Every value is one single-quoted word. Inside single quotes csh expands nothing except
history (``!``) and a backslash before a newline, so ``!`` is written ``\\!``, a newline
``\\`` + newline, a backslash ``'\\\\'`` (outside the quotes) and a single quote ``'\\''``.
The hook's alias writes the activation code to a private temporary file and ``source`` s it
(``eval`` of a command substitution would join its lines), so every value stays exact.

This module is imported on every activation: keep its imports few and cheap.
"""

from __future__ import annotations

import os

from plugin_contract.shell import CondaShellPlugins, SpawnCommand, SpawnRequest

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence

PROGRAMS = ("tcsh", "csh")
HOOK_SCRIPT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "conda_shell.csh")


_QUOTE = str.maketrans({"'": "'\\''", "\\": "'\\\\'", "!": "\\!", "\n": "\\\n"})


def quote(value: str) -> str:
    """``value`` as ONE literal csh word, whatever it contains."""
    return "'" + value.translate(_QUOTE) + "'"


def pathsep_join(quoted: Sequence[str]) -> str:
    return ":".join(quoted) if quoted else "''"


def identity(path: str) -> str:
    return path


def hook(executable: str) -> str:
    """The ``conda_shell`` alias: its work is in ``conda_shell.csh`` next to this module."""
    script = quote(HOOK_SCRIPT)
    body = f"set __conda_shell_args = ( !* ); source {script}"
    return (
        "# conda-shell for csh and tcsh: `conda_shell activate ENV`, `conda_shell deactivate`\n"
        f"set __conda_shell_exe = {executable}\n"
        f"alias conda_shell {quote(body)}\n"
        "alias conda-shell conda_shell\n"
    )


def _write(path: str, text: str) -> None:
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(text)


def spawn(request: SpawnRequest) -> SpawnCommand:
    """csh reads ``~/.cshrc`` (tcsh ``~/.tcshrc`` first): HOME points at a shim that puts
    HOME back, reads the user's file, then activates. ``exit`` becomes an alias that runs
    the deactivate.d scripts and keeps the status."""
    home = request.environ.get("HOME", "")
    rc_names = "'.tcshrc' '.cshrc'" if request.program == "tcsh" else "'.cshrc'"
    on_exit = "; ".join(line for line in request.on_exit.splitlines() if line.strip())
    exit_body = "set __conda_shell_exit = $status; "
    if on_exit:
        exit_body += on_exit + "; "
    exit_body += 'if ( "!*" == "" ) ""exit $__conda_shell_exit; ""exit !*'
    lines = [
        "unsetenv HOME" if not home else f"setenv HOME {quote(home)}",
        f"set home = {quote(home)}",
        f"foreach __conda_shell_rc ( {rc_names} )",
        '    if ( -f "$home/$__conda_shell_rc" ) then',
        '        source "$home/$__conda_shell_rc"',
        "        break",
        "    endif",
        "end",
        "unset __conda_shell_rc",
        request.activation,
        f"alias exit {quote(exit_body)}",
        f"rm -rf -- {quote(request.workdir)}",
        "",
    ]
    text = "\n".join(lines)
    name = ".tcshrc" if request.program == "tcsh" else ".cshrc"
    _write(os.path.join(request.workdir, name), text)
    return SpawnCommand([request.executable, "-i"], {"HOME": request.workdir})


SHELL = CondaShellPlugins(
    name="csh",
    summary="tcsh and csh",
    script_path=HOOK_SCRIPT,
    pathsep_join=pathsep_join,
    sep="/",
    path_conversion=identity,
    script_extension=".csh",
    tempfile_extension=".csh",
    command_join="\n",
    run_script_tmpl="source %s",
    quote=quote,
    export_var_tmpl="setenv %s %s",
    set_var_tmpl="set %s = %s",
    unset_var_tmpl="unsetenv %s",
    executables=PROGRAMS,
    spawn=spawn,
    hook=hook,
    prompt_var=None,
)
