"""How the contract's conformance kit drives POSIX shells (tests only, never on activation)."""

from __future__ import annotations

from collections.abc import Sequence

from plugin_contract.testing import ShellDriver
from shell_posix.syntax import quote


class PosixDriver(ShellDriver):
    plugin = "posix"
    script_extension = ".sh"

    def argv(self, executable: str, program: str, script: str) -> list[str]:
        return [executable, "sh", script] if program == "busybox" else [executable, script]

    def header(self) -> list[str]:
        return ["set -eu"]

    def quote(self, value: str) -> str:
        return quote(value)

    def source(self, path: str) -> str:
        return f". {quote(path)}"

    def step(self, command: str) -> str:
        return command  # set -eu is on

    def append_text(self, text: str, path: str) -> str:
        return f"printf '%s\\n' {quote(text)} >> {quote(path)}"

    def append_var(self, label: str, name: str, path: str) -> str:
        return f"printf '%s%s\\n' {quote(label)} \"${name}\" >> {quote(path)}"

    def print_var(self, name: str, path: str) -> str:
        return (
            f'if [ -n "${{{name}+x}}" ]; then printf \'set:%s\' "${name}"; '
            f"else printf unset; fi > {quote(path)}"
        )

    def command_exists(self, name: str, path: str) -> str:
        return (
            f"if command -v {quote(name)} >/dev/null 2>&1; then echo yes; else echo no; fi "
            f">> {quote(path)}"
        )

    def prepend_path(self, folder: str) -> str:
        return f'export PATH={quote(folder)}":$PATH"'

    def record_status(self, argv: Sequence[str], stdin: str, path: str) -> str:
        command = " ".join(quote(arg) for arg in argv)
        status = f"echo $__kit_status > {quote(path)}"
        return f"__kit_status=0; {command} < {quote(stdin)} || __kit_status=$?; {status}"

    def show_prompt(self, program: str, path: str) -> str:
        if program == "bash":
            show = "printf '%s' \"${PS1@P}\""
        elif program == "zsh":
            show = 'print -rn -- "${(%)PS1}"'
        else:
            show = 'eval "printf \'%s\' \\"$PS1\\""'
        if program == "busybox":  # busybox then reads \ codes: `\\` shows as `\`
            show += " | sed 's/\\\\\\\\/\\\\/g'"
        return f"{show} > {quote(path)}"

    def rc_files(self, folder: str) -> dict[str, str]:
        line = f'export PATH={quote(folder)}":$PATH"\n'
        return dict.fromkeys((".bashrc", ".zshrc", ".shrc", ".kshrc", ".mkshrc"), line)


DRIVER = PosixDriver()
