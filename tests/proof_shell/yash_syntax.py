# os.path on purpose: this module is imported on every activation.
# ruff: noqa: PTH118
"""What a contributor writes into a scaffolded ``shell-yash``: the syntax of yash.

The cross-package test ``test_new_shell_plugin.py`` copies this over the template's
``syntax.py`` (every marker written) and runs the conformance kit against real yash,
a POSIX-family shell that shell-posix does not serve.
"""

from __future__ import annotations

import os

from plugin_contract.shell import CondaShellPlugins, SpawnCommand, SpawnRequest

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence

PROGRAMS = ("yash",)


def quote(value: str) -> str:
    return "'" + value.replace("'", "'\\''") + "'"


def pathsep_join(quoted: Sequence[str]) -> str:
    return ":".join(quoted) if quoted else "''"


def identity(path: str) -> str:
    return path


HOOK = """\
conda_shell() {
    case "${1:-}" in
        activate|deactivate|reactivate)
            case " $* " in
                *" --spawn "*|*" --json "*) command @EXE@ "$@"; return ;;
            esac
            __yash_cmd="$1"
            shift
            __yash_code="$(PS1="${PS1:-}" command @EXE@ "$__yash_cmd" \\
                --eval --shell yash "$@")" || {
                __yash_status=$?
                unset __yash_cmd __yash_code
                return "$__yash_status"
            }
            unset __yash_cmd
            eval "$__yash_code"
            __yash_status=$?
            unset __yash_code
            return "$__yash_status"
            ;;
        *) command @EXE@ "$@" ;;
    esac
}
"""


def hook(executable: str) -> str:
    return HOOK.replace("@EXE@", executable)


def write_private(path: str, text: str) -> None:
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(text)


def spawn(request: SpawnRequest) -> SpawnCommand:
    """yash reads ``~/.yashrc`` when interactive: an ``--rcfile`` shim chains it first."""
    shim = os.path.join(request.workdir, "rc.sh")
    on_exit = f'__yash_status=$?\n{request.on_exit}\nexit "$__yash_status"'
    write_private(
        shim,
        'if [ -f "$HOME/.yashrc" ]; then . "$HOME/.yashrc"; fi\n'
        f"{request.activation}\n"
        f"trap {quote(on_exit)} EXIT\n"
        f"command rm -rf -- {quote(request.workdir)}\n",
    )
    return SpawnCommand([request.executable, "-i", f"--rcfile={shim}"])


SHELL = CondaShellPlugins(
    name="yash",
    summary="yash, from the contributor walkthrough",
    script_path=None,
    pathsep_join=pathsep_join,
    sep="/",
    path_conversion=identity,
    script_extension=".sh",
    tempfile_extension=".sh",
    command_join="\n",
    run_script_tmpl=". %s",
    quote=quote,
    export_var_tmpl="export %s=%s",
    set_var_tmpl="%s=%s",
    unset_var_tmpl="unset %s",
    executables=PROGRAMS,
    spawn=spawn,
    hook=hook,
    prompt_var="PS1",
)
