"""fish syntax for activation (fish >= 3.4).

Values are written between single quotes, where fish expands nothing (not ``$VAR``, not
``$(cmd)``, not ``*``); only ``\\'`` and ``\\\\`` are escapes there. PATH is a list in fish,
so it is written as one quoted word per entry.
"""

from __future__ import annotations

from plugin_contract.shell import CondaShellPlugins, SpawnCommand, SpawnRequest

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence


def quote(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


# Names fish keeps read-only or gives a meaning of its own (its `fish_*` settings included).
SPECIAL_NAMES = (
    "_",
    "argv",
    "CMD_DURATION",
    "COLUMNS",
    "LINES",
    "FISH_VERSION",
    "PWD",
    "SHLVL",
    "history",
    "hostname",
    "last_pid",
    "pipestatus",
    "status",
    "status_generation",
    "umask",
    "version",
    "fish_*",
    "__fish_*",
    "EUID",
)


def pathsep_join(quoted: Sequence[str]) -> str:
    return " ".join(quoted)


def identity(path: str) -> str:
    return path


HOOK = """\
# conda-shell for fish: `conda-shell activate ENV`, `conda-shell deactivate`
# A spawned fish activates before its first prompt. The spawn still pending at that prompt
# means a start-up file ran `exec` in the spawned shell's place: the activation is lost.
function __conda_shell_check_spawn --on-event fish_prompt
    functions -e __conda_shell_check_spawn
    if set -q __CONDA_SHELL_SPAWNING
        printf '%s\\n' "conda-shell: warning: a start-up file replaced the shell spawned for \\
$__CONDA_SHELL_SPAWNING with another program (exec) before activation: the environment is \\
not active here; run `conda-shell activate` again" >&2
        set -e __CONDA_SHELL_SPAWNING
        if string match -qr '^[2-9]|^[1-9][0-9]' -- "$CONDA_SHELL_SPAWN"
            set -gx CONDA_SHELL_SPAWN (math $CONDA_SHELL_SPAWN - 1)
        else
            set -e CONDA_SHELL_SPAWN
        end
    end
end
function conda_shell --description 'activate conda environments in this shell'
    if contains -- --spawn $argv; or contains -- --json $argv; or contains -- --help $argv
        or contains -- -h $argv
        command @EXE@ $argv
        return $status
    end
    if contains -- "$argv[1]" activate deactivate reactivate
        set -l conda_shell_rest $argv
        set -e conda_shell_rest[1]
        command @EXE@ $argv[1] --eval --shell fish $conda_shell_rest | source
        set -l conda_shell_status $pipestatus
        return $conda_shell_status[1]
    end
    command @EXE@ $argv
end

function conda-shell --wraps conda_shell --description 'activate conda environments'
    conda_shell $argv
end

# Tab completion: commands, options, environment names (`conda-shell envs`) and folders;
# conda-shell wraps conda_shell, so it completes the same.
complete -c conda_shell -e
complete -c conda_shell -f -n __fish_use_subcommand \\
    -a 'activate deactivate reactivate hook shells envs'
set -l conda_shell_in_activate '__fish_seen_subcommand_from activate'
complete -c conda_shell -f -n $conda_shell_in_activate \\
    -a '(conda_shell envs 2>/dev/null)' -d environment
complete -c conda_shell -f -n $conda_shell_in_activate \\
    -a '(__fish_complete_directories (commandline -ct) folder)'
complete -c conda_shell -f -n $conda_shell_in_activate \\
    -l stack -d 'keep the current environment underneath'
complete -c conda_shell -f -n $conda_shell_in_activate \\
    -l no-stack -d 'replace the current environment'
complete -c conda_shell -f -n $conda_shell_in_activate -l spawn -d 'start a new shell'
complete -c conda_shell -f -n '__fish_seen_subcommand_from activate deactivate reactivate' \\
    -l eval -d 'print code for this shell'
complete -c conda_shell -f -n '__fish_seen_subcommand_from activate deactivate reactivate shells' \\
    -l json -d 'print the change as JSON'
complete -c conda_shell -x -n '__fish_seen_subcommand_from activate deactivate reactivate hook' \\
    -l shell -a 'posix fish sh bash dash zsh ksh mksh busybox' -d 'shell plugin or program'
complete -c conda_shell -f -l help -s h -d 'show the help'

function __conda_shell_return --description 'set $status for the wrapped prompt'
    return $argv[1]
end

# Wrap the prompt function: now, and again before a prompt whenever a fish_prompt defined
# later (below this line in config.fish, or by a theme) has replaced the wrapper.
function __conda_shell_wrap_prompt --description 'put the active conda environment first'
    if functions -q fish_prompt
        functions -e __conda_shell_original_prompt
        functions -c fish_prompt __conda_shell_original_prompt
    else if not functions -q __conda_shell_original_prompt
        function __conda_shell_original_prompt
            printf '> '
        end
    end
    function fish_prompt --description 'the prompt, with the active conda environment first'
        set -l conda_shell_last $status
        if set -q CONDA_PROMPT_MODIFIER; and not set -q CONDA_DISABLE_FISH_PROMPT
            printf '%s' "$CONDA_PROMPT_MODIFIER"
        end
        __conda_shell_return $conda_shell_last
        __conda_shell_original_prompt
    end
end

function __conda_shell_keep_prompt --on-event fish_prompt
    set -l conda_shell_last $status
    if not functions fish_prompt | string match -q '*__conda_shell_original_prompt*'
        __conda_shell_wrap_prompt
    end
    __conda_shell_return $conda_shell_last
end

if not functions -q __conda_shell_original_prompt
    __conda_shell_wrap_prompt
end
"""


def hook(executable: str) -> str:
    return HOOK.replace("@EXE@", executable)


def spawn(request: SpawnRequest) -> SpawnCommand:
    """fish runs ``-C`` commands after its config files: activate there. The code goes in the
    argument itself, no file: a config.fish that ``exec``s another shell leaves nothing
    behind."""
    import shutil

    shutil.rmtree(request.workdir, ignore_errors=True)
    # On exit, deactivate every level above the one the shell started at, as the shell is
    # then (nothing when the user already deactivated); fish keeps other fish_exit handlers.
    text = "\n".join(
        [
            "set -g __conda_shell_start_level (string match -r '^[0-9]+$' -- $CONDA_SHLVL; "
            "or echo 0)",
            request.activation,
            "function __conda_shell_on_exit --on-event fish_exit",
            "    for __conda_shell_round in (seq 64)",
            "        set -l level (string match -r '^[0-9]+$' -- $CONDA_SHLVL; or echo 0)",
            "        test $level -gt $__conda_shell_start_level; or break",
            "        conda_shell deactivate; or break",
            "    end",
            "end",
            "",
        ]
    )
    return SpawnCommand([request.executable, "-C", text])


FISH = CondaShellPlugins(
    name="fish",
    summary="fish 3.4 or newer",
    script_path=None,
    pathsep_join=pathsep_join,
    sep="/",
    path_conversion=identity,
    script_extension=".fish",
    tempfile_extension=".fish",
    command_join="\n",
    run_script_tmpl="source %s",
    quote=quote,
    export_var_tmpl="set -gx %s %s",
    set_var_tmpl="set -g %s %s",
    unset_var_tmpl="set -e %s; or true",
    executables=("fish",),
    spawn=spawn,
    hook=hook,
    prompt_var=None,
    special_names=SPECIAL_NAMES,
    hook_accepts_command=True,
)
