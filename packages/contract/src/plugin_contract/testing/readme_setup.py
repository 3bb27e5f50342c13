"""The README's copy-paste set-up line, checked in a real interactive shell (every shell
plugin's ``tests/test_readme_setup.py`` calls :func:`check_rc_setup`)."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class RcSetup:
    """How one shell reads its rc file, shows its prompt, and quotes a word."""

    executable: str
    argv: tuple[str, ...]
    rc_file: str  # relative to HOME
    rc_line: str
    show_prompt: str
    unset_check: str  # appends "unset" to {out} when CONDA_PREFIX is not set
    fish: bool = False

    def quote(self, value: str) -> str:
        if self.fish:
            return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"
        return "'" + value.replace("'", "'\\''") + "'"


def check_rc_setup(tmp_path: Path, setup: RcSetup) -> None:
    """With only ``setup.rc_line`` in the rc file: activate a hostile prefix, see it and the
    prompt, deactivate, and nothing from the name ever runs."""
    home = tmp_path / "home"
    rc = home / setup.rc_file
    rc.parent.mkdir(parents=True, exist_ok=True)
    rc.write_text(setup.rc_line + "\n")
    canary = tmp_path / "pwned"
    prefix = tmp_path / f"my env's $(touch {canary})"
    (prefix / "conda-meta").mkdir(parents=True)
    out = tmp_path / "out.txt"
    commands = (
        f"conda-shell activate {setup.quote(str(prefix))}\n"
        f"printf '%s\\n' \"$CONDA_PREFIX\" > '{out}'\n"
        f"{setup.show_prompt} >> '{out}'; echo >> '{out}'\n"
        "conda-shell deactivate\n"
        f"{setup.unset_check.format(out=out)}\n"
        "exit 0\n"
    )
    proc = subprocess.run(
        [setup.executable, *setup.argv],
        input=commands,
        capture_output=True,
        text=True,
        env={
            "HOME": str(home),
            "PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin",
            "PLUGIN_CONTRACT_CACHE_DIR": str(tmp_path / "cache"),
            "PS1": "$ ",
            "TERM": "dumb",
            "XDG_CONFIG_HOME": str(home / ".config"),
        },
        timeout=60,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    active, prompt, after = out.read_text().splitlines()
    assert active == str(prefix)
    assert prompt.startswith(f"({prefix}) ")
    assert after == "unset"
    assert not canary.exists(), "a prompt ran a command from the environment's name"
