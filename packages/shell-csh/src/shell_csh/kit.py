"""How the contract's conformance kit drives csh and tcsh (tests only, never on activation)."""

from __future__ import annotations

from collections.abc import Sequence

from plugin_contract.testing import ShellDriver
from shell_csh.syntax import quote


class CshDriver(ShellDriver):
    plugin = "csh"
    script_extension = ".csh"

    def argv(self, executable: str, program: str, script: str) -> list[str]:
        return [executable, "-f", script]

    def quote(self, value: str) -> str:
        return quote(value)

    def source(self, path: str) -> str:
        return f"source {quote(path)}"

    def step(self, command: str) -> str:
        return f"{command}\nif ( $status != 0 ) exit 99"

    def append_text(self, text: str, path: str) -> str:
        return f"printf '%s\\n' {quote(text)} >> {quote(path)}"

    def append_var(self, label: str, name: str, path: str) -> str:
        return f"printf '%s%s\\n' {quote(label)} \"${name}:q\" >> {quote(path)}"

    def print_var(self, name: str, path: str) -> str:
        return "\n".join(
            [
                f"if ( $?{name} ) then",
                f"    printf 'set:%s' \"${name}:q\" >! {quote(path)}",
                "else",
                f"    printf unset >! {quote(path)}",
                "endif",
            ]
        )

    def command_exists(self, name: str, path: str) -> str:
        return "\n".join(
            [
                f"{quote(name)} >& /dev/null",
                "if ( $status == 0 ) then",
                f"    echo yes >> {quote(path)}",
                "else",
                f"    echo no >> {quote(path)}",
                "endif",
            ]
        )

    def prepend_path(self, folder: str) -> str:
        return f'setenv PATH {quote(folder)}:"$PATH"'

    def record_status(self, argv: Sequence[str], stdin: str, path: str) -> str:
        command = " ".join(quote(arg) for arg in argv)
        return f"{command} < {quote(stdin)}\necho $status >! {quote(path)}"

    def show_prompt(self, program: str, path: str) -> str:
        # tcsh shows `%%` as `%` (the only prompt sequence activation writes); csh has none.
        undo = " | sed 's/%%/%/g'" if program == "tcsh" else ""
        return f"printf '%s' \"$prompt:q\"{undo} >! {quote(path)}"

    def rc_files(self, folder: str) -> dict[str, str]:
        line = f'setenv PATH {quote(folder)}:"$PATH"\n'
        return {".tcshrc": line, ".cshrc": line}


DRIVER = CshDriver()
