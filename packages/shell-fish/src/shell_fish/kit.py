"""How the contract's conformance kit drives fish (tests only, never on activation)."""

from __future__ import annotations

from collections.abc import Sequence

from plugin_contract.testing import ShellDriver
from shell_fish.syntax import quote


class FishDriver(ShellDriver):
    plugin = "fish"
    script_extension = ".fish"

    def argv(self, executable: str, program: str, script: str) -> list[str]:
        return [executable, "--no-config", script]

    def quote(self, value: str) -> str:
        return quote(value)

    def source(self, path: str) -> str:
        return f"source {quote(path)}"

    def step(self, command: str) -> str:
        return f"{command}; or exit 99"

    def append_text(self, text: str, path: str) -> str:
        return f"printf '%s\\n' {quote(text)} >> {quote(path)}"

    def append_var(self, label: str, name: str, path: str) -> str:
        return f"printf '%s%s\\n' {quote(label)} \"${name}\" >> {quote(path)}"

    def print_var(self, name: str, path: str) -> str:
        return (
            f"if set -q {name}; printf 'set:%s' \"${name}\"; else; printf unset; end "
            f"> {quote(path)}"
        )

    def command_exists(self, name: str, path: str) -> str:
        return f"if command -q {quote(name)}; echo yes; else; echo no; end >> {quote(path)}"

    def prepend_path(self, folder: str) -> str:
        return f"set -gx PATH {quote(folder)} $PATH"

    def record_status(self, argv: Sequence[str], stdin: str, path: str) -> str:
        command = " ".join(quote(arg) for arg in argv)
        return f"{command} < {quote(stdin)}; echo $status > {quote(path)}"

    def show_prompt(self, program: str, path: str) -> str:
        return f"fish_prompt > {quote(path)}"

    def rc_files(self, folder: str) -> dict[str, str]:
        return {".config/fish/config.fish": f"set -gx PATH {quote(folder)} $PATH\n"}


DRIVER = FishDriver()
