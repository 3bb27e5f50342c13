"""What the conformance kit needs from a shell plugin to drive its shell: a ``ShellDriver``.

The kit's cases are data (``plugin_contract.testing.cases``) and speak no shell. Each plugin
supplies one driver (usually ``src/<package>/kit.py``): how to run a script, quote a word,
print a variable exactly (set, empty or unset), test whether a command exists, prepend to
PATH, record an exit status and exit with one. ``POSIX_DRIVER`` and ``FISH_DRIVER`` in the
plugins ``shell-posix`` and ``shell-fish`` are complete examples; every method below has to
be written for a new family.
"""

from __future__ import annotations

from collections.abc import Sequence


class ShellDriver:
    """One shell family, as the kit drives it. Subclass and write every method.

    ``plugin`` is the plugin name (``conda-shell --shell NAME``), ``script_extension`` the
    extension of scripts the shell runs (test scripts, activate.d and deactivate.d).
    """

    plugin: str = ""
    script_extension: str = ""
    #: Spawn mode needs a terminal (the kit then types the commands on a pseudo-terminal,
    #: and standard error is mixed into the output).
    spawn_needs_tty: bool = False

    def spawn_environ(self) -> dict[str, str]:
        """Variables the kit adds when it spawns the shell (e.g. a plain line editor)."""
        return {}

    def argv(self, executable: str, program: str, script: str) -> list[str]:
        """The command line running ``script`` non-interactively, start-up files skipped."""
        raise NotImplementedError

    def header(self) -> list[str]:
        """Lines before everything else in a test script (strict mode, if any)."""
        return []

    def quote(self, value: str) -> str:
        """``value`` as one literal word in the kit's scripts."""
        raise NotImplementedError

    def source(self, path: str) -> str:
        """Run the file ``path`` in the current shell (the hook)."""
        raise NotImplementedError

    def step(self, command: str) -> str:
        """``command``, and exit the script with status 99 if it fails."""
        raise NotImplementedError

    def append_text(self, text: str, path: str) -> str:
        """Append the literal line ``text`` to the file ``path``."""
        raise NotImplementedError

    def append_var(self, label: str, name: str, path: str) -> str:
        """Append ``label`` followed by the value of the variable ``name`` and a newline."""
        raise NotImplementedError

    def print_var(self, name: str, path: str) -> str:
        """Write ``set:VALUE`` (value exact, no newline added) or ``unset`` into ``path``."""
        raise NotImplementedError

    def command_exists(self, name: str, path: str) -> str:
        """Append ``yes`` or ``no``: whether the shell finds the command ``name`` now."""
        raise NotImplementedError

    def prepend_path(self, folder: str) -> str:
        """Put ``folder`` first on PATH (exported)."""
        raise NotImplementedError

    def record_status(self, argv: Sequence[str], stdin: str, path: str) -> str:
        """Run ``argv`` with standard input from the file ``stdin``; write its exit status."""
        raise NotImplementedError

    def exit_with(self, status: int) -> str:
        return f"exit {status}"

    def show_prompt(self, program: str, path: str) -> str:
        """Write the prompt as the shell shows it (expanded) into ``path``."""
        raise NotImplementedError

    def rc_files(self, folder: str) -> dict[str, str]:
        """Start-up files (relative to ``$HOME``) that put ``folder`` first on PATH."""
        raise NotImplementedError

    def refuses_prefix(self, prefix: str) -> bool:
        """Whether activation refuses ``prefix`` (one error line, nothing changed)."""
        return False

    def refuses_value(self, value: str) -> bool:
        """Whether activation skips a variable with this value (with a warning)."""
        return False

    def dump_env(self, path: str) -> str:
        """Write the exported environment, ``env -0`` style, into ``path``."""
        return f"env -0 > {self.quote(path)}"
