# os.path on purpose: this module is imported on every activation.
# ruff: noqa: PTH118
"""What a contributor writes into a scaffolded ``shell-proofsh``: the syntax of mksh.

The cross-package test ``test_new_shell_plugin.py`` copies this over the template's
``syntax.py`` (every marker written) and runs the conformance kit against real mksh.
"""

from __future__ import annotations

import os

from plugin_contract.shell import CondaShellPlugins, SpawnCommand, SpawnRequest

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence

PROGRAMS = ("mksh",)


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
            __proofsh_cmd="$1"
            shift
            __proofsh_code="$(PS1="${PS1:-}" command @EXE@ "$__proofsh_cmd" \\
                --eval --shell proofsh "$@")" || {
                __proofsh_status=$?
                unset __proofsh_cmd __proofsh_code
                return "$__proofsh_status"
            }
            unset __proofsh_cmd
            eval "$__proofsh_code"
            __proofsh_status=$?
            unset __proofsh_code
            return "$__proofsh_status"
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
    """mksh reads ``$ENV`` (default ``~/.mkshrc``) when interactive: chain the user's file."""
    shim = os.path.join(request.workdir, "env.sh")
    on_exit = f'__proofsh_status=$?\n{request.on_exit}\nexit "$__proofsh_status"'
    write_private(
        shim,
        'if [ -n "${__PROOFSH_ENV+x}" ]; then ENV=$__PROOFSH_ENV; unset __PROOFSH_ENV; '
        "else unset ENV; fi\n"
        '__proofsh_rc=${ENV-"$HOME/.mkshrc"}\n'
        'if [ -n "$__proofsh_rc" ] && [ -f "$__proofsh_rc" ]; then . "$__proofsh_rc"; fi\n'
        "unset __proofsh_rc\n"
        f"{request.activation}\n"
        f"trap {quote(on_exit)} EXIT\n"
        f"command rm -rf -- {quote(request.workdir)}\n",
    )
    return SpawnCommand(
        [request.executable, "-i"], {"ENV": shim, "__PROOFSH_ENV": request.environ.get("ENV")}
    )


SHELL = CondaShellPlugins(
    name="proofsh",
    summary="mksh, from the contributor walkthrough",
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
