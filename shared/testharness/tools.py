"""System tools that integration tests need: skip locally, fail under CI."""

from __future__ import annotations

import os
import shutil
from pathlib import Path


def in_ci() -> bool:
    """Return whether this run is CI's (``CI=true``), where nothing may be skipped."""
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


def require_tool(name: str, install_hint: str = "") -> str:  # noqa: RET503 (skip raises)
    """Return the path of executable ``name``.

    When it is missing, skip the test with the reason (and how to install it) locally, and
    fail it under ``CI=true``: CI installs every tool the tests need through ``.ci/run``.
    """
    path = shutil.which(name) or _sbin_lookup(name)
    if path:
        return path
    hint = f" (install: {install_hint})" if install_hint else ""
    message = f"system tool {name!r} is not installed{hint}"
    import pytest  # here, so the stdlib-only parts (testharness.repo) import without pytest

    if in_ci():
        pytest.fail(f"{message}; CI must install it in .ci/run", pytrace=False)
    pytest.skip(message)


def _sbin_lookup(name: str) -> str | None:
    for folder in ("/usr/sbin", "/sbin", "/usr/local/sbin"):
        candidate = Path(folder) / name
        if os.access(candidate, os.X_OK):
            return str(candidate)
    return None
