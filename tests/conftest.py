"""Fixtures for cross-package tests: wheels of every distribution, built once per run."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from testharness.repo import discover_packages


@pytest.fixture(scope="session")
def wheelhouse(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> Path:
    """A folder with a freshly built wheel of every distribution."""
    out = tmp_path_factory.mktemp("wheelhouse")
    for folder in discover_packages().values():
        subprocess.run(
            [
                sys.executable,
                "-m",
                "build",
                "--wheel",
                "--installer",
                "uv",
                "--outdir",
                str(out),
                str(folder),
            ],
            check=True,
            capture_output=True,
            timeout=300,
        )
    return out
