"""The README's copy-paste set-up works in real interactive bash and zsh."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from testharness import require_tool

SETUP_LINE = 'eval "$(conda-shell hook --shell posix)"\n'
SHOW_PROMPT = {"bash": "printf '%s' \"${PS1@P}\"", "zsh": 'print -rn -- "${(%)PS1}"'}


@pytest.mark.parametrize(("program", "rc_file"), [("bash", ".bashrc"), ("zsh", ".zshrc")])
def test_rc_line_gives_conda_shell_activate_and_deactivate(
    tmp_path: Path, program: str, rc_file: str
) -> None:
    executable = require_tool(program, f"apt-get install -y {program}")
    home = tmp_path / "home"
    home.mkdir()
    (home / rc_file).write_text(SETUP_LINE)
    canary = tmp_path / "pwned"
    prefix = tmp_path / f"my env's $(touch {canary})"
    (prefix / "conda-meta").mkdir(parents=True)
    out = tmp_path / "out.txt"
    commands = (
        f"conda-shell activate '{prefix}'\n"
        f"printf '%s\\n' \"$CONDA_PREFIX\" > '{out}'\n"
        f"{SHOW_PROMPT[program]} >> '{out}'; echo >> '{out}'\n"
        "conda-shell deactivate\n"
        f"printf '%s\\n' \"${{CONDA_PREFIX-unset}}\" >> '{out}'\n"
        "exit 0\n"
    ).replace(f"'{prefix}'", "'" + str(prefix).replace("'", "'\\''") + "'")
    proc = subprocess.run(
        [executable, "-i"],
        input=commands,
        capture_output=True,
        text=True,
        env={
            "HOME": str(home),
            "PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin",
            "PLUGIN_CONTRACT_CACHE_DIR": str(tmp_path / "cache"),
            "PS1": "$ ",
            "TERM": "dumb",
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
