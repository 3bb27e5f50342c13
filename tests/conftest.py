"""Fixtures for cross-package tests: wheels of every distribution, built once per run."""

from __future__ import annotations

from pathlib import Path

import pytest

from testharness.repo import build_wheel, discover_packages


@pytest.fixture(scope="session")
def wheelhouse(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> Path:
    """A folder with a freshly built wheel of every distribution."""
    out = tmp_path_factory.mktemp("wheelhouse")
    for folder in discover_packages().values():
        build_wheel(folder, out)
    return out
