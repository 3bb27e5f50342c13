# os.path on purpose: importing pathlib costs start-up time on the activation hot path.
# ruff: noqa: PTH118
"""POSIX shell syntax for activation: sh, bash, dash, zsh, ksh, mksh, busybox ash.

Every value is written between single quotes, where POSIX shells expand nothing; a single
quote inside becomes ``'\\''``. Newlines, ``$(...)``, backticks, ``\\`` and globs stay literal.
"""

from __future__ import annotations

import os

from plugin_contract.shell import CondaShellPlugins, SpawnCommand, SpawnRequest

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence

PROGRAMS = ("sh", "bash", "dash", "zsh", "ksh", "ksh93", "mksh", "ash", "busybox")
DEFAULT_RC = {"ksh": "$HOME/.kshrc", "ksh93": "$HOME/.kshrc", "mksh": "$HOME/.mkshrc"}


# Names bash, zsh, ksh, mksh, dash or busybox give a meaning of their own, or keep read-only:
# setting one breaks the shell halfway (zsh `status`), changes it (`IFS`, `EUID` as root)
# or stays behind (bash `SHELLOPTS`). The generated code serves all of them: the union.
SPECIAL_NAMES = (
    # POSIX and every shell
    "_",
    "ENV",
    "IFS",
    "LINENO",
    "OLDPWD",
    "OPTARG",
    "OPTIND",
    "PPID",
    "PS1",
    "PS2",
    "PS3",
    "PS4",
    "PWD",
    "RANDOM",
    "REPLY",
    "SECONDS",
    "SHLVL",
    "HISTCMD",
    "FPATH",
    # bash
    "BASH",
    "BASHOPTS",
    "BASHPID",
    "BASH_*",
    "COMP_*",
    "COMPREPLY",
    "DIRSTACK",
    "EPOCHREALTIME",
    "EPOCHSECONDS",
    "EUID",
    "FUNCNAME",
    "GROUPS",
    "PIPESTATUS",
    "PROMPT_COMMAND",
    "PS0",
    "READLINE_*",
    "SHELLOPTS",
    "SRANDOM",
    "UID",
    # zsh
    "ARGC",
    "EGID",
    "ERRNO",
    "GID",
    "KEYBOARD_HACK",
    "MODULE_PATH",
    "NULLCMD",
    "PROMPT",
    "PROMPT2",
    "PROMPT3",
    "PROMPT4",
    "READNULLCMD",
    "RPROMPT",
    "RPROMPT2",
    "RPS1",
    "RPS2",
    "TRY_BLOCK_ERROR",
    "TRY_BLOCK_INTERRUPT",
    "TTYIDLE",
    "USERNAME",
    "ZDOTDIR",
    "ZSH_*",
    "aliases",
    "argv",
    "builtins",
    "cdpath",
    "chpwd_functions",
    "commands",
    "dirstack",
    "dis_*",
    "fignore",
    "fpath",
    "funcfiletrace",
    "funcsourcetrace",
    "funcstack",
    "functions",
    "functrace",
    "galiases",
    "histchars",
    "historywords",
    "jobdirs",
    "jobstates",
    "jobtexts",
    "keymaps",
    "mailpath",
    "manpath",
    "modules",
    "module_path",
    "nameddirs",
    "options",
    "parameters",
    "path",
    "periodic_functions",
    "pipestatus",
    "precmd_functions",
    "preexec_functions",
    "psvar",
    "reswords",
    "saliases",
    "signals",
    "status",
    "termcap",
    "terminfo",
    "userdirs",
    "watch",
    "widgets",
    "zsh_eval_context",
    "zshaddhistory_functions",
    "zshexit_functions",
    # ksh93, mksh
    "KSH_VERSION",
    "SH_VERSION",
    "PATHSEP",
    "PGRP",
    "USER_ID",
    "TMOUT",
)


def quote(value: str) -> str:
    return "'" + value.replace("'", "'\\''") + "'"


def pathsep_join(quoted: Sequence[str]) -> str:
    return ":".join(quoted) if quoted else "''"


def identity(path: str) -> str:
    return path


HOOK = """\
# conda-shell for POSIX shells: `conda-shell activate ENV`, `conda-shell deactivate`
# A spawned shell whose start-up file ran `exec` lost its activation: say so, once.
if [ -n "${__CONDA_SHELL_SPAWNING+x}" ] && [ -z "${__conda_shell_starting:-}" ]; then
    printf '%s\\n' "conda-shell: warning: a start-up file replaced the shell spawned for \\
$__CONDA_SHELL_SPAWNING with another program (exec) before activation: the environment is \\
not active here; run \\`conda-shell activate\\` again" >&2
    unset __CONDA_SHELL_SPAWNING
    case "${CONDA_SHELL_SPAWN:-}" in
        ''|0|1) unset CONDA_SHELL_SPAWN ;;
        *) CONDA_SHELL_SPAWN=$((CONDA_SHELL_SPAWN - 1)) ;;
    esac
fi
conda_shell() {
    case "${1:-}" in
        activate|deactivate|reactivate)
            case " $* " in
                *" --spawn "*|*" --json "*|*" --help "*|*" -h "*) command @EXE@ "$@"; return ;;
            esac
            __conda_shell_cmd="$1"
            shift
            __conda_shell_code="$(PS1="${PS1:-}" command @EXE@ "$__conda_shell_cmd" \\
                --eval --shell posix "$@")" || {
                __conda_shell_status=$?
                unset __conda_shell_cmd __conda_shell_code
                return "$__conda_shell_status"
            }
            unset __conda_shell_cmd
            eval "$__conda_shell_code"
            __conda_shell_status=$?
            unset __conda_shell_code
            __conda_shell_prompt
            hash -r 2>/dev/null || :
            return "$__conda_shell_status"
            ;;
        *)
            command @EXE@ "$@"
            ;;
    esac
}
# A real function where the shell allows `-` in its name (scripts expand no alias in bash);
# an alias elsewhere (dash, busybox, ksh93 and bash --posix expand aliases in scripts).
case "${BASH_VERSION:+bash}:${ZSH_VERSION:+zsh}:${KSH_VERSION:-}:${SHELLOPTS:-}" in
    *:*:*:*posix*) alias conda-shell=conda_shell ;;
    bash:*|*:zsh:*|*:*:*MIRBSD*) eval 'conda-shell() { conda_shell "$@"; }' ;;
    *) alias conda-shell=conda_shell ;;
esac
# Tab completion (bash, zsh): commands, options, environment names (`conda-shell envs`)
# and folders. Inside eval so that dash, ksh and busybox never parse bash or zsh syntax.
if [ -n "${BASH_VERSION:-}" ] && command -v complete >/dev/null 2>&1; then
eval '__conda_shell_bash_complete() {
    local cur="${COMP_WORDS[COMP_CWORD]}" prev="${COMP_WORDS[COMP_CWORD-1]}" words=""
    COMPREPLY=()
    if [ "$COMP_CWORD" -eq 1 ]; then
        words="activate deactivate reactivate hook shells envs --help --version"
    elif [ "$prev" = "--shell" ]; then
        words="posix fish sh bash dash zsh ksh mksh busybox"
    else
        case "${COMP_WORDS[1]}:$cur" in
            activate:-*) words="--stack --no-stack --spawn --eval --json --shell --help" ;;
            deactivate:-*|reactivate:-*) words="--eval --json --shell --help" ;;
            hook:-*) words="--shell --help" ;;
            shells:-*) words="--json --help" ;;
            activate:*)
                compopt -o filenames 2>/dev/null
                case "$cur" in
                    */*|.*|~*) ;;
                    *) words="$(conda_shell envs 2>/dev/null)" ;;
                esac
                mapfile -t COMPREPLY < <(compgen -d -- "$cur")
                ;;
        esac
    fi
    if [ -n "$words" ]; then
        COMPREPLY+=($(compgen -W "$words" -- "$cur"))
    fi
    return 0
}
complete -F __conda_shell_bash_complete conda-shell conda_shell'
fi
if [ -n "${ZSH_VERSION:-}" ]; then
eval '__conda_shell_zsh_complete() {
    if (( CURRENT == 2 )); then
        compadd -- activate deactivate reactivate hook shells envs
    elif [[ ${words[CURRENT-1]} == --shell ]]; then
        compadd -- posix fish sh bash dash zsh ksh mksh busybox
    else
        case "${words[2]}:$PREFIX" in
            activate:-*) compadd -- --stack --no-stack --spawn --eval --json --shell --help ;;
            deactivate:-*|reactivate:-*) compadd -- --eval --json --shell --help ;;
            hook:-*) compadd -- --shell --help ;;
            shells:-*) compadd -- --json --help ;;
            activate:*/*|activate:.*|activate:\\~*) _files -/ ;;
            activate:*) compadd -- ${(f)"$(conda_shell envs 2>/dev/null)"}; _files -/ ;;
        esac
    fi
}
__conda_shell_zsh_compdef() {
    (( $+functions[compdef] )) || return 0
    compdef __conda_shell_zsh_complete conda-shell conda_shell
    precmd_functions=(${precmd_functions:#__conda_shell_zsh_compdef})
}
# compinit may run after this hook line: register then, before the first prompt
__conda_shell_zsh_compdef
(( $+functions[compdef] )) || precmd_functions+=(__conda_shell_zsh_compdef)'
fi
# busybox ash reads \\ codes in the prompt after expanding it (dash and ksh do not).
case "${BASH_VERSION:-}${ZSH_VERSION:-}${KSH_VERSION:-}" in
    '') case "$(command readlink "/proc/$$/exe" 2>/dev/null)" in
            */busybox*) __conda_shell_busybox=1 ;;
        esac ;;
esac
__conda_shell_prompt() {
    # Activation puts ${CONDA_PROMPT_MODIFIER:-} in front of PS1. Where this shell would
    # not show that variable's text as it is, write the form that does.
    __conda_shell_ref='${CONDA_PROMPT_MODIFIER:-}'
    case "${PS1:-}" in
        "$__conda_shell_ref"*) ;;
        *) unset __conda_shell_ref; return 0 ;;
    esac
    if [ -n "${ZSH_VERSION:-}" ]; then
        if eval '[[ -o promptsubst ]]'; then
            # the expanded text is then read for % codes: expand it with % doubled
            eval 'PS1="\\${CONDA_PROMPT_MODIFIER//\\%/%%}${PS1#"$__conda_shell_ref"}"'
        else
            # zsh expands no variable in this prompt: write the text, % doubled
            eval 'PS1="${CONDA_PROMPT_MODIFIER//\\%/%%}${PS1#"$__conda_shell_ref"}"'
        fi
    elif [ -n "${BASH_VERSION:-}" ] && ! shopt -q promptvars; then
        # promptvars off: bash reads \\ codes but expands no variable: the text, \\ doubled
        eval 'PS1="${CONDA_PROMPT_MODIFIER//\\\\/\\\\\\\\}${PS1#"$__conda_shell_ref"}"'
    elif [ -n "${__conda_shell_busybox:-}" ]; then
        PS1='${CONDA_PROMPT_MODIFIER//\\\\/\\\\\\\\}'"${PS1#"$__conda_shell_ref"}"
    fi
    unset __conda_shell_ref
}
"""


def hook(executable: str) -> str:
    return HOOK.replace("@EXE@", executable)


# The exit handler follows the shell as it is when it exits: it deactivates every level
# above the one the shell started at (each level's own deactivate.d, with its CONDA_PREFIX;
# nothing when the user already deactivated), then runs the EXIT trap the user's start-up
# files set, and exits with the shell's status. `trap` prints `trap -- 'CMD' EXIT` (into a
# file: zsh, dash and mksh show no traps in a command substitution); a function reads it.
EXIT_HANDLER = """\
__conda_shell_exit_cmd=''
__conda_shell_read_trap() {
    [ "$1" = "--" ] && shift
    __conda_shell_read_cmd=$1
    shift
    for __conda_shell_signal in "$@"; do
        case $__conda_shell_signal in
            EXIT|0) __conda_shell_exit_cmd=$__conda_shell_read_cmd ;;
        esac
    done
    unset __conda_shell_read_cmd __conda_shell_signal
}
__conda_shell_traps=$(command mktemp) && {
    trap > "$__conda_shell_traps"
    eval "$(command sed 's/^trap /__conda_shell_read_trap /' "$__conda_shell_traps")"
    command rm -f -- "$__conda_shell_traps"
}
unset __conda_shell_traps
__conda_shell_on_exit() {
    __conda_shell_exit_status=$1
    __conda_shell_rounds=0
    while [ "${CONDA_SHLVL:-0}" -gt "$__conda_shell_start_level" ] \\
        && [ "$__conda_shell_rounds" -lt 64 ]; do
        conda_shell deactivate || break
        __conda_shell_rounds=$((__conda_shell_rounds + 1))
    done
    if [ -n "$__conda_shell_exit_cmd" ]; then eval "$__conda_shell_exit_cmd"; fi
    exit "$__conda_shell_exit_status"
}
trap '__conda_shell_on_exit "$?"' EXIT
"""


def _cleanup(request: SpawnRequest) -> str:
    """First line of the last start-up file: the shell has it open, so it can go at once
    (and nothing stays behind when a user's rc file ``exec``s another shell)."""
    return f"command rm -rf -- {quote(request.workdir)}\n"


# Set (not exported) while the user's start-up files run: a shell they `exec` lacks it.
STARTING = "__conda_shell_starting=1\n"


def _tail(request: SpawnRequest) -> str:
    return "\n".join(
        [
            '__conda_shell_start_level="${CONDA_SHLVL:-0}"',
            request.activation,
            "unset __conda_shell_starting",
            EXIT_HANDLER,
        ]
    )


def _write(path: str, text: str) -> None:
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8", errors="surrogateescape") as handle:
        handle.write(text)


def spawn(request: SpawnRequest) -> SpawnCommand:
    """Start-up shims that run the user's files first and activate last."""
    program = request.program
    if program == "bash":
        shim = os.path.join(request.workdir, "bashrc.sh")
        user = 'if [ -f "$HOME/.bashrc" ]; then . "$HOME/.bashrc"; fi\n'
        _write(shim, _cleanup(request) + STARTING + user + _tail(request))
        return SpawnCommand([request.executable, "--rcfile", shim, "-i"])
    if program == "zsh":
        _write(
            os.path.join(request.workdir, ".zshenv"),
            'if [ -n "${__CONDA_SHELL_ZDOTDIR+x}" ]; then ZDOTDIR=$__CONDA_SHELL_ZDOTDIR; '
            "unset __CONDA_SHELL_ZDOTDIR; else unset ZDOTDIR; fi\n"
            'if [ -f "${ZDOTDIR:-$HOME}/.zshenv" ]; then . "${ZDOTDIR:-$HOME}/.zshenv"; fi\n'
            "__conda_shell_zdotdir_set=${ZDOTDIR+x}\n__conda_shell_zdotdir=${ZDOTDIR-}\n"
            f"ZDOTDIR={quote(request.workdir)}\n",
        )
        _write(
            os.path.join(request.workdir, ".zshrc"),
            _cleanup(request)
            + STARTING
            + 'if [ -n "$__conda_shell_zdotdir_set" ]; then ZDOTDIR=$__conda_shell_zdotdir; '
            "else unset ZDOTDIR; fi\nunset __conda_shell_zdotdir __conda_shell_zdotdir_set\n"
            'if [ -f "${ZDOTDIR:-$HOME}/.zshrc" ]; then . "${ZDOTDIR:-$HOME}/.zshrc"; fi\n'
            + _tail(request),
        )
        previous = request.environ.get("ZDOTDIR")
        return SpawnCommand(
            [request.executable, "-i"],
            {"ZDOTDIR": request.workdir, "__CONDA_SHELL_ZDOTDIR": previous},
        )
    shim = os.path.join(request.workdir, "env.sh")
    default_rc = DEFAULT_RC.get(program, "")
    _write(
        shim,
        _cleanup(request)
        + STARTING
        + 'if [ -n "${__CONDA_SHELL_ENV+x}" ]; then ENV=$__CONDA_SHELL_ENV; '
        "unset __CONDA_SHELL_ENV; else unset ENV; fi\n"
        f'__conda_shell_rc=${{ENV-"{default_rc}"}}\n'
        'if [ -n "$__conda_shell_rc" ] && [ -f "$__conda_shell_rc" ]; then '
        '. "$__conda_shell_rc"; fi\nunset __conda_shell_rc\n' + _tail(request),
    )
    argv = [request.executable, "-i"]
    if program == "busybox":
        argv = [request.executable, "sh", "-i"]
    return SpawnCommand(argv, {"ENV": shim, "__CONDA_SHELL_ENV": request.environ.get("ENV")})


POSIX = CondaShellPlugins(
    name="posix",
    summary="sh, bash, dash, zsh, ksh, mksh and busybox ash",
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
    special_names=SPECIAL_NAMES,
    hook_accepts_command=True,
)
