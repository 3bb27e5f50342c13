"""With only ``plugin-contract`` installed (no extra, no plugin), every CLI says one line."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from testharness.repo import fresh_venv_with

COMMANDS = [
    ["conda-session", "status"],
    ["conda-session", "which", "https://example.invalid/channel"],
    ["conda-shell", "activate", "base"],
    ["conda-shell", "shells"],
    ["plugin-contract", "plugins"],
]


@pytest.mark.slow
def test_every_cli_gives_one_line_without_plugins_or_extras(
    tmp_path: Path, wheelhouse: Path
) -> None:
    venv = fresh_venv_with(tmp_path, wheelhouse, "plugin-contract")
    for command in COMMANDS:
        proc = subprocess.run(
            [str(venv / "bin" / command[0]), *command[1:]],
            capture_output=True,
            text=True,
            timeout=60,
            env={"HOME": str(tmp_path), "PATH": "/usr/bin:/bin"},
            check=False,
        )
        assert "Traceback" not in proc.stderr, (command, proc.stderr)
        if proc.returncode != 0:
            assert len(proc.stderr.strip().splitlines()) == 1, (command, proc.stderr)
