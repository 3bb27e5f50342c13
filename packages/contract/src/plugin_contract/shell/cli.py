"""``conda-shell``: activate conda environments in sh, bash, dash, zsh, ksh or fish.

The argument parser is written by hand: ``argparse`` alone would cost more start-up time
than everything else activation does.
"""

from __future__ import annotations

import os
import sys

from plugin_contract.errors import ContractError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence

    from plugin_contract.shell.activator import Change, PluginActivator
    from plugin_contract.shell.envs import EnvLocator
    from plugin_contract.shell.types import CondaShellPlugins

from plugin_contract.shell.program import PROG  # noqa: E402

MODES = ("--spawn", "--eval", "--json")
USAGE = f"""\
usage: {PROG} activate [--stack | --no-stack] [--spawn | --eval | --json] [--shell NAME] [ENV]
       {PROG} deactivate [--eval | --json] [--shell NAME]
       {PROG} reactivate [--eval | --json] [--shell NAME]
       {PROG} hook [--shell NAME]
       {PROG} shells [--json]
       {PROG} envs

Activate conda environments (any folder with conda-meta/) safely in your shell.

commands:
  activate     start your shell with ENV active (spawn, the default: needs a terminal
               unless --spawn is given), or print code
               for the current shell (--eval), or the computed change (--json)
  deactivate   print code that returns to the previous environment
  reactivate   print code that re-runs the current environment's scripts
  hook         print a function for your rc file so that `conda-shell activate ENV`
               and `conda-shell deactivate` change the current shell
  shells       list installed shell plugins and which one matches now
  envs         list the environment names ENV can be (envs_dirs, environments.txt, base)

options:
  --stack        keep the current environment's PATH and variables underneath
  --no-stack     replace the current environment even when auto_stack would stack
  --shell NAME   a plugin (posix, fish) or a program (bash, zsh, dash, ksh, fish);
                 default: $CONDA_SHELL_PLUGIN, shell_plugin in .condarc, else the
                 shell that runs {PROG}
  -h, --help     show this help
  --version      show the version
"""


class UsageError(ContractError):
    """Wrong command line."""


class Arguments:
    __slots__ = ("command", "env", "json", "mode", "shell", "stack")

    def __init__(self) -> None:
        self.command = ""
        self.mode: str | None = None
        self.shell: str | None = None
        self.stack: bool | None = None
        self.env: str | None = None
        self.json = False


def parse(argv: Sequence[str]) -> Arguments:
    args = Arguments()
    items = list(argv)
    if not items:
        raise UsageError(
            "a command is required (activate, deactivate, reactivate, hook, shells, envs)"
        )
    args.command = items.pop(0)
    commands = ("activate", "deactivate", "reactivate", "hook", "shells", "envs")
    if args.command not in commands:
        raise UsageError(f"unknown command {args.command!r}; choose from {', '.join(commands)}")
    positional: list[str] = []
    while items:
        item = items.pop(0)
        if item == "--":
            positional += items
            break
        if item in MODES and args.command in ("activate", "deactivate", "reactivate"):
            if args.mode not in (None, item):
                raise UsageError(f"{args.mode} and {item} cannot be combined")
            args.mode = item
        elif item == "--json" and args.command == "shells":
            args.json = True
        elif item in ("--stack", "--no-stack") and args.command == "activate":
            wanted = item == "--stack"
            if args.stack is not None and args.stack != wanted:
                raise UsageError("--stack and --no-stack cannot be combined")
            args.stack = wanted
        elif item == "--shell" or item.startswith("--shell="):
            if args.command in ("shells", "envs"):
                raise UsageError(f"{args.command} takes no --shell")
            value = item.partition("=")[2] if "=" in item else (items.pop(0) if items else "")
            if not value:
                raise UsageError("--shell needs a NAME (posix, fish, bash, zsh, ...)")
            args.shell = value
        elif item.startswith("-") and item != "-":
            raise UsageError(f"unrecognized option {item!r} for {args.command}")
        else:
            positional.append(item)
    if args.command == "activate":
        if len(positional) > 1:
            raise UsageError("activate takes one ENV (a name or a path; none means base)")
        args.env = positional[0] if positional else "base"
    elif positional:
        raise UsageError(f"{args.command} takes no argument {positional[0]!r}")
    return args


def usage(prog: str = PROG) -> str:
    """The help text, for ``conda-shell`` or as ``conda shell`` inside conda."""
    return USAGE.replace(PROG, prog)


def main(argv: Sequence[str] | None = None, *, prog: str = PROG) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    options = arguments[: arguments.index("--")] if "--" in arguments else arguments
    if any(a in ("-h", "--help") for a in options):
        sys.stdout.write(usage(prog))
        return 0
    if arguments[:1] == ["--version"]:
        from plugin_contract.__about__ import __version__

        print(f"{PROG} {__version__}")
        return 0
    try:
        return run(parse(arguments))
    except ContractError as error:
        print(f"{PROG}: error: {error}", file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        return 130


def run(args: Arguments) -> int:
    from plugin_contract.shell.condarc import read_condarc

    environ = dict(os.environ)
    settings = read_condarc(environ)
    if args.command == "shells":
        return _shells(args, environ, settings)
    if args.command == "envs":
        sys.stdout.write("".join(f"{name}\n" for name in _locator(environ, settings).known_names()))
        return 0
    from plugin_contract.shell.registry import load_plugin
    from plugin_contract.shell.selection import select_shell

    selection = select_shell(args.shell, environ, settings)
    plugin = load_plugin(selection.row.name)
    if args.command == "hook":
        from plugin_contract.shell.program import hook_command

        sys.stdout.write(plugin.hook(hook_command(plugin)))
        return 0
    activator = _activator(plugin, environ, settings)
    if args.command == "activate":
        assert args.env is not None
        prefix = _locator(environ, settings).resolve(args.env)
        if args.mode is None and not os.isatty(0):
            raise UsageError(
                f"activate starts an interactive shell, but standard input is not a terminal "
                f'(a script?): use `eval "$({PROG} activate --eval ENV)"` or the hook, or pass '
                "--spawn to start the shell anyway"
            )
        if args.mode in (None, "--spawn"):
            from plugin_contract.shell.spawn import spawn

            return spawn(plugin, selection, prefix, environ, stack=bool(args.stack))
        change = activator.activate(prefix, stack=args.stack)
    elif args.mode in (None, "--spawn"):
        raise UsageError(
            f'{args.command} changes the current shell: use `eval "$({PROG} {args.command} '
            f'--eval)"`, install the hook (`{PROG} hook`), or type `exit` in a spawned shell'
        )
    elif args.command == "deactivate":
        change = activator.deactivate()
    else:
        change = activator.reactivate()
    _emit(change, plugin, as_json=args.mode == "--json")
    return 0


def _emit(change: Change, plugin: CondaShellPlugins, *, as_json: bool) -> None:
    from plugin_contract.shell.render import render, render_json

    sys.stdout.write(render_json(change) + "\n" if as_json else render(change, plugin))


def _locator(environ: dict[str, str], settings: dict[str, str | list[str]]) -> EnvLocator:
    from plugin_contract.shell.envs import EnvLocator

    return EnvLocator(environ, settings)


def _activator(
    plugin: CondaShellPlugins, environ: dict[str, str], settings: dict[str, str | list[str]]
) -> PluginActivator:
    from plugin_contract.shell.activator import PluginActivator
    from plugin_contract.shell.condarc import as_bool

    def setting(name: str) -> str | list[str] | None:
        return environ.get(f"CONDA_{name.upper()}") or settings.get(name)

    changeps1 = as_bool(setting("changeps1"), True)
    prompt = setting("env_prompt")
    stack_level = setting("auto_stack")
    return PluginActivator(
        plugin,
        environ,
        changeps1=changeps1,
        root_prefix=_locator(environ, settings).root_prefix(),
        env_prompt=prompt if isinstance(prompt, str) else "({default_env}) ",
        auto_stack=int(stack_level)
        if isinstance(stack_level, str) and stack_level.isdigit()
        else 0,
        uppercase=as_bool(setting("envvars_force_uppercase"), True),
    )


def _shells(args: Arguments, environ: dict[str, str], settings: dict[str, str | list[str]]) -> int:
    from plugin_contract.shell.registry import installed_rows
    from plugin_contract.shell.selection import select_shell

    rows = installed_rows()
    try:
        current: str | None = select_shell(None, environ, settings).row.name
    except ContractError:
        current = None
    if args.json:
        import json

        listing = [
            {
                "name": row.name,
                "summary": row.summary,
                "executables": list(row.executables),
                "distribution": row.distribution,
                "current": row.name == current,
            }
            for row in rows
        ]
        print(json.dumps(listing, indent=2))
        return 0
    if not rows:
        print("no shell plugins installed (pip install shell-posix or shell-fish)")
    for row in rows:
        mark = "*" if row.name == current else " "
        print(f"{mark} {row.name:<8} {row.summary} ({row.distribution})")
        print(f"  {'':<8} programs: {', '.join(row.executables)}")
    if current is None:
        print("(no installed plugin matches the shell running this; pass --shell NAME)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
