"""The template's FILL IN markers are all written, and conda-shell finds the plugin."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from {{import_name}} import kit, syntax


def test_every_fill_in_marker_is_written() -> None:
    left = []
    for module in (syntax, kit):
        path = Path(module.__file__ or "")
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if "FILL IN" in line:
                left.append(f"  {path.name}:{number}: {line.strip()}")
    assert not left, "still to write in src/{{import_name}}/:\n" + "\n".join(left)


def test_conda_shell_lists_the_plugin() -> None:
    program = Path(sys.executable).with_name("conda-shell")
    proc = subprocess.run(
        [str(program), "shells"], capture_output=True, text=True, timeout=60, check=False
    )
    assert proc.returncode == 0, proc.stderr
    assert "{{shell_name}}" in proc.stdout.split()
