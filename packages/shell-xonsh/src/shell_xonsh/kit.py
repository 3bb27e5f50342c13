"""How the contract's conformance kit drives xonsh (tests only, never on activation).

Subprocess-mode words are written ``@('literal')``: xonsh expands ``$VAR`` inside quoted
strings there. Everything else is xonsh's Python mode.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from plugin_contract.testing import ShellDriver


def _py(value: str) -> str:
    return repr(value)


class XonshDriver(ShellDriver):
    plugin = "xonsh"
    script_extension = ".xsh"
    spawn_needs_tty = True

    def spawn_environ(self) -> dict[str, str]:
        # xonsh >= 0.2x asks the terminal where the cursor is before each prompt and reads the
        # answer straight from the terminal, swallowing the kit's typed-ahead lines; it skips
        # the question over SSH.
        ssh = "127.0.0.1 0 127.0.0.1 0"
        return {"SHELL_TYPE": "readline", "TERM": "xterm", "SSH_CONNECTION": ssh}

    def argv(self, executable: str, program: str, script: str) -> list[str]:
        return [executable, "--no-rc", script]

    def quote(self, value: str) -> str:
        return f"@({_py(value)})"

    def source(self, path: str) -> str:
        return f"source @({_py(path)})"

    def step(self, command: str) -> str:
        return f"if not ![{command}]:\n    import sys\n    sys.exit(99)"

    def exit_with(self, status: int) -> str:
        return f"exit {status}"

    def append_text(self, text: str, path: str) -> str:
        return f"open({_py(path)}, 'a', encoding='utf-8').write({_py(text + chr(10))})"

    def append_var(self, label: str, name: str, path: str) -> str:
        value = f"__xonsh__.env.detype().get({_py(name)}, '')"
        return f"open({_py(path)}, 'a', encoding='utf-8').write({_py(label)} + {value} + '\\n')"

    def print_var(self, name: str, path: str) -> str:
        env = "__xonsh__.env.detype()"
        text = f"('set:' + {env}[{_py(name)}]) if {_py(name)} in {env} else 'unset'"
        return f"open({_py(path)}, 'w', encoding='utf-8').write({text})"

    def command_exists(self, name: str, path: str) -> str:
        # shutil.which over $PATH: xonsh's commands cache is stale right after a PATH change.
        found = f"__import__('shutil').which({_py(name)}, path=':'.join($PATH))"
        return f"open({_py(path)}, 'a').write(('yes' if {found} else 'no') + '\\n')"

    def prepend_path(self, folder: str) -> str:
        return f"$PATH.insert(0, {_py(folder)})"

    def record_status(self, argv: Sequence[str], stdin: str, path: str) -> str:
        # xonsh runs interactively only on a terminal: type the input on one.
        tty = [sys.executable, "-m", "plugin_contract.testing.pty_run", stdin, *argv]
        run = (
            f"__import__('subprocess').run({tty!r}, stdin=__import__('subprocess').DEVNULL, "
            "env=__xonsh__.env.detype()).returncode"
        )
        return f"open({_py(path)}, 'w').write(str({run}))"

    def show_prompt(self, program: str, path: str) -> str:
        shown = "__xonsh__.shell.prompt_formatter($PROMPT)"
        return f"open({_py(path)}, 'w', encoding='utf-8').write({shown})"

    def refuses_prefix(self, prefix: str) -> bool:
        return "$" in prefix  # xonsh expands $VAR in PATH entries

    def rc_files(self, folder: str) -> dict[str, str]:
        return {".xonshrc": f"$PATH.insert(0, {_py(folder)})\n"}


DRIVER = XonshDriver()
