"""``nox -s demo``'s tour: every step works against real servers, and Ctrl-C leaves nothing.

The tour runs here with this venv's installed distributions (the demo session installs the
same ones from wheels).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from testharness import in_ci
from testharness.repo import ROOT

pytestmark = pytest.mark.slow

DEMO = ROOT / "scripts" / "demo.py"


def demo_env(tmp: Path) -> dict[str, str]:
    tmp.mkdir(exist_ok=True)
    return {**os.environ, "TMPDIR": str(tmp), "PYTHONUNBUFFERED": "1"}


def leftovers(tmp: Path) -> list[str]:
    """Processes still running that the tour started (their command line names its folder)."""
    found = []
    for process in psutil.process_iter(["cmdline"]):
        with_tmp = [part for part in process.info["cmdline"] or () if str(tmp) in part]
        if with_tmp and process.pid != os.getpid():
            found.append(" ".join(process.info["cmdline"]))
    return found


def test_the_tour_runs_every_step(tmp_path: Path) -> None:
    tmp = tmp_path / "tmp"
    proc = subprocess.run(
        [sys.executable, str(DEMO)],
        capture_output=True,
        text=True,
        timeout=600,
        env=demo_env(tmp),
        check=False,
    )
    report = proc.stdout + proc.stderr
    assert proc.returncode == 0, report[-6000:]
    summary = report.split("\nsummary:\n", 1)[1]
    rows = [line for line in summary.splitlines() if line.startswith("  ") and " s  " in line]
    assert len(rows) == 9, summary
    assert "FAILED" not in summary
    if in_ci():
        assert "skipped" not in summary, summary
    assert "the signature verifies" in report
    assert "conda installed tiny through basic-auth: True" in report
    assert "conda search went through oauth" in report
    assert "demo-channel-password" not in report
    assert list(tmp.iterdir()) == []
    assert leftovers(tmp) == []


def test_ctrl_c_mid_tour_stops_every_server_and_removes_every_folder(tmp_path: Path) -> None:
    tmp = tmp_path / "tmp"
    process = subprocess.Popen(
        [sys.executable, str(DEMO), "installed", "oauth", "devpi"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=demo_env(tmp),
    )
    seen = []
    try:
        assert process.stdout is not None
        deadline = time.monotonic() + 300
        for line in process.stdout:
            seen.append(line)
            # slapd, oidc-provider and the receiver are up; devpi-server is starting
            if "a webhook receiver at" in line or time.monotonic() > deadline:
                break
        assert any("a webhook receiver at" in line for line in seen), "".join(seen)
        assert leftovers(tmp), "the servers should be running before the interrupt"
        process.send_signal(signal.SIGINT)
        rest, _ = process.communicate(timeout=120)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=30)
    output = "".join(seen) + rest
    assert process.returncode == 130, output[-4000:]
    assert "every process and temporary folder was cleaned up" in output
    assert list(tmp.iterdir()) == []
    assert leftovers(tmp) == []
