"""A real conda 26.7.1 loads every conda plugin of ours and still works."""

from __future__ import annotations

import pytest

from testharness.plugin import RealCondaFactory
from testharness.repo import discover_packages

CONDA_PLUGINS = sorted(
    name for name in discover_packages() if name.startswith(("session-", "shell-"))
)

pytestmark = pytest.mark.slow


def test_conda_info_runs_with_every_conda_plugin(real_conda_factory: RealCondaFactory) -> None:
    conda = real_conda_factory(*CONDA_PLUGINS)
    result = conda.run("info", "--json", check=True)
    assert '"conda_version": "26.7.1"' in result.stdout
    plugins = conda.run("--no-plugins", "info", check=True)
    assert "26.7.1" in plugins.stdout
