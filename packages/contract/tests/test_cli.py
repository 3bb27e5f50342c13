"""The ``plugin-contract`` command alone (real plugins: ``tests/test_plugin_listing.py``)."""

from __future__ import annotations

import subprocess
import sys

from plugin_contract.__about__ import __version__


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "plugin_contract.cli", *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_version() -> None:
    assert run("--version").stdout.strip() == f"plugin-contract {__version__}"


def test_bad_usage_is_one_line_without_traceback() -> None:
    proc = run("plugins", "--host", "nowhere")
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert "invalid choice" in proc.stderr
