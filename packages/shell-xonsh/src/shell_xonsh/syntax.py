# os.path on purpose: importing pathlib costs start-up time on the activation hot path.
# ruff: noqa: PTH118
"""xonsh syntax for conda environment activation.

Activation code is xonsh's Python mode: ``$NAME = 'literal'``, where a Python string literal
expands nothing. (In subprocess mode xonsh expands ``$VAR`` inside quoted strings, so
scripts run as ``source @('path')``.) PATH is written as a list.

This module is imported on every activation: keep its imports few and cheap.
"""

from __future__ import annotations

import os

from plugin_contract.shell import CondaShellPlugins, SpawnCommand, SpawnRequest

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence

PROGRAMS = ("xonsh",)


def quote(value: str) -> str:
    """``value`` as a Python string literal (xonsh's Python mode expands nothing in it)."""
    return repr(value)


def pathsep_join(quoted: Sequence[str]) -> str:
    """PATH as a list; xonsh expands ``$VAR`` in PATH entries, so a ``$`` is refused."""
    for entry in quoted:
        _check_path_entry(entry)
    return "[" + ", ".join(quoted) + "]"


def _check_path_entry(entry: str) -> None:
    if "$" in entry:
        from plugin_contract.shell import ShellError

        raise ShellError(
            f"xonsh cannot represent the PATH entry {entry} exactly (it expands $ in "
            "PATH): rename or move the environment"
        )


def identity(path: str) -> str:
    return path


HOOK = """\
# conda-shell for xonsh: `conda_shell activate ENV`, `conda_shell deactivate`
def __conda_shell_define():
    from xonsh.tools import unthreadable

    executable = @EXE@

    def prompt():
        env = __xonsh__.env
        if not env.get('XONSH_INTERACTIVE'):
            return
        state = globals().get('__conda_shell_saved_prompt')
        if state is None:
            state = ('PROMPT' in env.detype(), env.get('PROMPT'))
            globals()['__conda_shell_saved_prompt'] = state
        was_set, saved = state
        if 'CONDA_PROMPT_MODIFIER' not in env:
            if was_set:
                env['PROMPT'] = saved
            else:
                env.pop('PROMPT', None)
            globals()['__conda_shell_saved_prompt'] = None
            return
        modifier = env['CONDA_PROMPT_MODIFIER'].replace('{', '{{').replace('}', '}}')
        if callable(saved):
            env['PROMPT'] = lambda: modifier + saved()
        else:
            # xonsh's own {env_name} shows CONDA_DEFAULT_ENV: the modifier replaces it.
            env['PROMPT'] = modifier + saved.replace('{env_name}', '')

    @unthreadable
    def conda_shell(args, stdin=None):
        import subprocess

        env = __xonsh__.env.detype()
        changes = ('activate', 'deactivate', 'reactivate')
        if args and args[0] in changes and '--spawn' not in args and '--json' not in args:
            argv = [executable, args[0], '--eval', '--shell', 'xonsh', *args[1:]]
            proc = subprocess.run(argv, stdout=subprocess.PIPE, env=env)
            if proc.returncode:
                return proc.returncode
            execx(proc.stdout.decode('utf-8', 'surrogateescape'), 'exec', __xonsh__.ctx)
            prompt()
            return 0
        return subprocess.run([executable, *args], env=env).returncode

    aliases['conda_shell'] = conda_shell
    aliases['conda-shell'] = conda_shell


__conda_shell_define()
del __conda_shell_define
"""


def hook(executable: str) -> str:
    return HOOK.replace("@EXE@", executable)


def _write(path: str, text: str) -> None:
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(text)


def _python_mode(activation: str) -> str:
    """The contract ends the activation with ``conda_shell activate [--stack] -- 'PREFIX'``,
    a subprocess-mode line where xonsh would expand ``$VAR`` inside the quotes: pass the
    prefix as a Python value instead."""
    head, _, last = activation.rpartition("\n")
    command, separator, literal = last.partition(" -- ")
    if not separator or not command.startswith("conda_shell activate"):
        return activation
    import ast

    prefix = ast.literal_eval(literal)
    _check_path_entry(quote(os.path.join(prefix, "bin")))
    return f"{head}\n{command} -- @({prefix!r})"


def _sourced_by_python(line: str) -> str:
    """``source @('x.xsh')`` as Python: newer xonsh (0.25) runs no subprocess-mode command,
    alias or not, from an ``on_exit`` handler, so deactivate.d scripts would be skipped."""
    if not (line.startswith("source @(") and line.endswith(")")):
        return line
    path = line[len("source @(") : -1]
    return f"execx(open({path}, encoding='utf-8').read() + '\\n', 'exec', globals())"


def spawn(request: SpawnRequest) -> SpawnCommand:
    """xonsh reads the XONSHRC files, then every ``*.xsh`` of the XONSHRC_DIR folders in
    order: the shim is the last folder's only file, so it runs after the user's files."""
    on_exit = request.on_exit
    lines = [
        "@events.on_pre_cmdloop",
        "def __conda_shell_restore_rc(**kwargs):",
        "    env = __xonsh__.env",
        "    for name in ('XONSHRC', 'XONSHRC_DIR'):",
        "        if '__CONDA_SHELL_OLD_' + name in env:",
        "            env[name] = env.pop('__CONDA_SHELL_OLD_' + name)",
        "        else:",
        "            env.pop(name, None)",
        _python_mode(request.activation),
        # xonsh 0.13 exits an interactive shell with status 0 whatever `exit N` says: keep N
        # and leave with it once xonsh has cleaned up.
        "__conda_shell_xonsh_exit = aliases['exit']",
        "def __conda_shell_exit(args, stdin=None):",
        "    globals()['__conda_shell_status'] = int(args[0]) if args else 0",
        "    return __conda_shell_xonsh_exit(args, stdin)",
        "aliases['exit'] = __conda_shell_exit",
        "@events.on_exit",
        "def __conda_shell_on_exit(**kwargs):",
        "    import atexit, os, shutil",
        f"    shutil.rmtree({quote(request.workdir)}, ignore_errors=True)",
        *(f"    {_sourced_by_python(line)}" for line in on_exit.splitlines() if line.strip()),
        "    atexit.register(os._exit, globals().get('__conda_shell_status', 0))",
        "",
    ]
    _write(os.path.join(request.workdir, "zz-conda-shell.xsh"), "\n".join(lines))
    environ = request.environ
    default_rc = "/etc/xonshrc:~/.config/xonsh/rc.xsh:~/.xonshrc"
    default_dirs = "/etc/xonsh/rc.d:~/.config/xonsh/rc.d"
    dirs = environ.get("XONSHRC_DIR", default_dirs)
    return SpawnCommand(
        [request.executable, "-i"],
        {
            "XONSHRC": environ.get("XONSHRC", default_rc),
            "XONSHRC_DIR": f"{dirs}:{request.workdir}" if dirs else request.workdir,
            "__CONDA_SHELL_OLD_XONSHRC": environ.get("XONSHRC"),
            "__CONDA_SHELL_OLD_XONSHRC_DIR": environ.get("XONSHRC_DIR"),
        },
    )


SHELL = CondaShellPlugins(
    name="xonsh",
    summary="xonsh 0.13 or newer",
    script_path=None,
    pathsep_join=pathsep_join,
    sep="/",
    path_conversion=identity,
    script_extension=".xsh",
    tempfile_extension=".xsh",
    command_join="\n",
    run_script_tmpl="source @(%s)",
    quote=quote,
    export_var_tmpl="$%s = %s",
    set_var_tmpl="$%s = %s",
    unset_var_tmpl="__xonsh__.env.pop('%s', None)",
    executables=PROGRAMS,
    spawn=spawn,
    hook=hook,
    prompt_var=None,
)
