"""The README's copy-paste set-up works in a real fish."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from testharness import require_tool


def test_config_line_gives_conda_shell_activate_and_deactivate(tmp_path: Path) -> None:
    fish = require_tool("fish", "apt-get install -y fish")
    home = tmp_path / "home"
    config = home / ".config" / "fish"
    config.mkdir(parents=True)
    (config / "config.fish").write_text("conda-shell hook --shell fish | source\n")
    canary = tmp_path / "pwned"
    prefix = tmp_path / f"my env's $(touch {canary})"
    (prefix / "conda-meta").mkdir(parents=True)
    out = tmp_path / "out.txt"
    quoted = "'" + str(prefix).replace("\\", "\\\\").replace("'", "\\'") + "'"
    commands = (
        f"conda-shell activate {quoted}\n"
        f"printf '%s\\n' \"$CONDA_PREFIX\" > '{out}'\n"
        f"fish_prompt >> '{out}'; echo >> '{out}'\n"
        "conda-shell deactivate\n"
        f"set -q CONDA_PREFIX; or echo unset >> '{out}'\n"
        "exit 0\n"
    )
    proc = subprocess.run(
        [fish],
        input=commands,
        capture_output=True,
        text=True,
        env={
            "HOME": str(home),
            "PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin",
            "PLUGIN_CONTRACT_CACHE_DIR": str(tmp_path / "cache"),
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
