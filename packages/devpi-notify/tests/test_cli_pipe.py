"""`devpi-notify status | head`: a reader that leaves early gives no BrokenPipeError."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from devpi_notify.outbox import Outbox, outbox_path


def test_status_into_a_closed_pipe_exits_quietly(tmp_path: Path) -> None:
    Outbox(outbox_path(tmp_path))  # an empty outbox, as a configured server leaves it
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader is gone before the first write: EPIPE every time
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "devpi_notify.cli", "status", "--serverdir", str(tmp_path)],
            stdout=write_end,
            stderr=subprocess.PIPE,
            text=True,
            timeout=60,
            check=False,
        )
    finally:
        os.close(write_end)
    assert "BrokenPipeError" not in proc.stderr
    assert "Traceback" not in proc.stderr
    assert proc.returncode == 0
