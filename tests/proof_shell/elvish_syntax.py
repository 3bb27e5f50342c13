# os.path on purpose: importing pathlib costs start-up time on the activation hot path.
# ruff: noqa: PTH118
"""elvish syntax for conda environment activation (the walkthrough proof of a new family).

A value is one single-quoted word (elvish expands nothing inside; ``'`` is written ``''``).
Environment variables are set with ``set-env`` and scripts run with ``eval (slurp < FILE)``.
The hook defines ``conda_shell`` as a function; code ``eval``'d from a file keeps its
functions in its own namespace, so the caller takes the function out with ``&on-end`` (see
the README).

This module is imported on every activation: keep its imports few and cheap.
"""

from __future__ import annotations

import os

from plugin_contract.shell import CondaShellPlugins, SpawnCommand, SpawnRequest

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence

PROGRAMS = ("elvish",)


def quote(value: str) -> str:
    """``value`` as one single-quoted elvish word: nothing inside is expanded."""
    return "'" + value.replace("'", "''") + "'"


def pathsep_join(quoted: Sequence[str]) -> str:
    """Single-quoted words joined by a double-quoted ``:`` (``'a'":"'b'`` is one word)."""
    return '":"'.join(quoted)


def identity(path: str) -> str:
    return path


def hook(executable: str) -> str:
    """``conda_shell``: activate, deactivate and reactivate ``eval`` conda-shell's output."""
    return "\n".join(
        [
            "# conda-shell for elvish: `conda_shell activate ENV`, `conda_shell deactivate`",
            "fn conda_shell {|@args|",
            "  var changes = [activate deactivate reactivate]",
            "  if (and (> (count $args) 0) (has-value $changes $args[0]) ^",
            "      (not (has-value $args --spawn)) (not (has-value $args --json))) {",
            "    var rest = $args[1..]",
            f"    var code = ({executable} $args[0] --eval --shell elvish $@rest | slurp)",
            "    eval $code",
            "  } else {",
            f"    {executable} $@args",
            "  }",
            "}",
            "",
        ]
    )


def write_private(path: str, text: str) -> None:
    """Create ``path`` (mode 0600; never follows or replaces an existing file)."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(text)


def spawn(request: SpawnRequest) -> SpawnCommand:
    """elvish reads one rc file: ``-rc`` names our shim, which runs the user's rc file, then
    the activation; ``exit`` becomes a function running the deactivate.d scripts first."""
    environ = request.environ
    config = environ.get("XDG_CONFIG_HOME") or os.path.join(environ.get("HOME", "/"), ".config")
    user_rc = quote(os.path.join(config, "elvish", "rc.elv"))
    on_exit = [f"  {line}" for line in request.on_exit.splitlines() if line.strip()]
    lines = [
        "use path",
        f"if (path:is-regular {user_rc}) {{ eval (slurp < {user_rc}) }}",
        request.activation,
        "var __conda_shell_exit~ = $exit~",
        "fn exit {|@status|",
        *on_exit,
        "  __conda_shell_exit $@status",
        "}",
        "var __conda_shell_prompt = $edit:prompt",
        "set edit:prompt = {",
        "  if (has-env CONDA_PROMPT_MODIFIER) { put $E:CONDA_PROMPT_MODIFIER }",
        "  $__conda_shell_prompt",
        "}",
        f"rm -rf -- {quote(request.workdir)}",
        "",
    ]
    shim = os.path.join(request.workdir, "rc.elv")
    write_private(shim, "\n".join(lines))
    return SpawnCommand([request.executable, "-rc", shim], {})


SHELL = CondaShellPlugins(
    name="elvish",
    summary="elvish 0.19 or newer",
    script_path=None,
    pathsep_join=pathsep_join,
    sep="/",
    path_conversion=identity,
    script_extension=".elv",
    tempfile_extension=".elv",
    command_join="\n",
    run_script_tmpl="eval (slurp < %s)",
    quote=quote,
    export_var_tmpl="set-env %s %s",
    set_var_tmpl="var %s = %s",
    unset_var_tmpl="unset-env %s",
    executables=PROGRAMS,
    spawn=spawn,
    hook=hook,
    prompt_var=None,
)
