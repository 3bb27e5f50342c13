"""How the contract's conformance kit drives {{shell_name}} (tests only, never on activation).

Write every method marked FILL IN. ``plugin_contract.testing.driver.ShellDriver`` documents
each one; ``packages/shell-posix/src/shell_posix/kit.py``, ``packages/shell-fish/...`` and
``packages/shell-csh/...`` are complete examples of three families.
"""

from __future__ import annotations

from collections.abc import Sequence

from plugin_contract.testing.driver import ShellDriver
from {{import_name}}.syntax import quote


class Driver(ShellDriver):
    plugin = "{{shell_name}}"
    script_extension = ".{{shell_name}}"  # FILL IN: the extension syntax.py uses

    def argv(self, executable: str, program: str, script: str) -> list[str]:
        raise NotImplementedError("FILL IN: run `script`, start-up files skipped")

    def quote(self, value: str) -> str:
        return quote(value)

    def source(self, path: str) -> str:
        raise NotImplementedError("FILL IN: run the file `path` in the current shell")

    def step(self, command: str) -> str:
        raise NotImplementedError("FILL IN: `command`, exit 99 when it fails")

    def append_text(self, text: str, path: str) -> str:
        raise NotImplementedError("FILL IN: append the line `text` to `path`")

    def append_var(self, label: str, name: str, path: str) -> str:
        raise NotImplementedError("FILL IN: append `label` + the variable's value + newline")

    def print_var(self, name: str, path: str) -> str:
        raise NotImplementedError("FILL IN: write `set:VALUE` or `unset` into `path`")

    def command_exists(self, name: str, path: str) -> str:
        raise NotImplementedError("FILL IN: append `yes` or `no` to `path`")

    def prepend_path(self, folder: str) -> str:
        raise NotImplementedError("FILL IN: put `folder` first on PATH")

    def record_status(self, argv: Sequence[str], stdin: str, path: str) -> str:
        raise NotImplementedError("FILL IN: run argv < stdin, write its exit status to path")

    def show_prompt(self, program: str, path: str) -> str:
        raise NotImplementedError("FILL IN: write the prompt as shown into `path`")

    def rc_files(self, folder: str) -> dict[str, str]:
        raise NotImplementedError("FILL IN: start-up files putting `folder` first on PATH")


DRIVER = Driver()
