"""How the conformance kit drives elvish (the walkthrough proof of a new family; tests only)."""

from __future__ import annotations

import sys
from collections.abc import Sequence

from shell_elvish.syntax import quote

from plugin_contract.testing.driver import ShellDriver


class Driver(ShellDriver):
    plugin = "elvish"
    script_extension = ".elv"
    spawn_needs_tty = True

    def argv(self, executable: str, program: str, script: str) -> list[str]:
        return [executable, "-norc", script]

    def quote(self, value: str) -> str:
        return quote(value)

    def source(self, path: str) -> str:
        # the hook's function lives in the eval'd code's namespace: take it out
        return (
            "var conda_shell~ = {|@a| }\n"
            "eval &on-end={|ns| set conda_shell~ = $ns[conda_shell~] } "
            f"(slurp < {quote(path)})"
        )

    def step(self, command: str) -> str:
        return f"try {{ {command} }} catch {{ exit 99 }}"

    def exit_with(self, status: int) -> str:
        return f"exit {status}"

    def append_text(self, text: str, path: str) -> str:
        return f"print {quote(text + chr(10))} >> {quote(path)}"

    def _value(self, name: str) -> str:
        return f"(if (has-env {quote(name)}) {{ get-env {quote(name)} }} else {{ put '' }})"

    def append_var(self, label: str, name: str, path: str) -> str:
        return f'print {quote(label)}{self._value(name)}"\\n" >> {quote(path)}'

    def print_var(self, name: str, path: str) -> str:
        return (
            f"if (has-env {quote(name)}) {{ print 'set:'(get-env {quote(name)}) > {quote(path)} }}"
            f" else {{ print unset > {quote(path)} }}"
        )

    def command_exists(self, name: str, path: str) -> str:
        return (
            f"if (has-external {quote(name)}) {{ echo yes >> {quote(path)} }}"
            f" else {{ echo no >> {quote(path)} }}"
        )

    def prepend_path(self, folder: str) -> str:
        return f"set paths = [{quote(folder)} $@paths]"

    def record_status(self, argv: Sequence[str], stdin: str, path: str) -> str:
        # elvish is interactive (reads its rc file) only on a terminal: type the input on one
        tty = [sys.executable, "-m", "plugin_contract.testing.pty_run", stdin, *argv]
        command = " ".join(quote(arg) for arg in tty)
        return "\n".join(
            [
                "var status = 0",
                f"try {{ {command} < /dev/null }} catch e {{",
                "  set status = $e[reason][exit-status]",
                "}",
                f"echo $status > {quote(path)}",
            ]
        )

    def show_prompt(self, program: str, path: str) -> str:
        return f"$edit:prompt | each {{|part| print (to-string $part) }} > {quote(path)}"

    def rc_files(self, folder: str) -> dict[str, str]:
        return {".config/elvish/rc.elv": f"set paths = [{quote(folder)} $@paths]\n"}


DRIVER = Driver()
