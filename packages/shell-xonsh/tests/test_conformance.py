"""The contract's conformance kit, run against the real xonsh: Debian's package (0.13.4 on
bookworm) and the newest release from PyPI, installed into a private virtual environment."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from shell_xonsh.kit import DRIVER

from plugin_contract.testing.shell import ShellConformance, ShellUnderTest, shell_under_test

# The Debian package listed in ci/apt.txt.
INSTALL = "apt-get install -y xonsh"
PYPI_INSTALL_TIMEOUT = 180


@pytest.fixture(scope="session")
def pypi_xonsh(tmp_path_factory: pytest.TempPathFactory) -> str:
    """``bin/xonsh`` of the newest xonsh from PyPI, in a fresh virtual environment."""
    venv = tmp_path_factory.mktemp("xonsh-pypi")
    uv = shutil.which("uv") or str(Path(sys.executable).with_name("uv"))
    if Path(uv).exists():
        commands = [
            [uv, "venv", "-q", "--python", sys.executable, str(venv)],
            [uv, "pip", "install", "-q", "--python", str(venv / "bin" / "python"), "xonsh"],
        ]
    else:
        commands = [
            [sys.executable, "-m", "venv", str(venv)],
            [str(venv / "bin" / "python"), "-m", "pip", "install", "-q", "xonsh"],
        ]
    for argv in commands:
        proc = subprocess.run(
            argv, capture_output=True, text=True, timeout=PYPI_INSTALL_TIMEOUT, check=False
        )
        assert proc.returncode == 0, f"installing xonsh from PyPI failed: {proc.stderr}"
    return str(venv / "bin" / "xonsh")


@pytest.fixture(params=["debian", "pypi"])
def shell(request: pytest.FixtureRequest) -> ShellUnderTest:
    if request.param == "pypi":
        executable = request.getfixturevalue("pypi_xonsh")
        return ShellUnderTest("xonsh", "xonsh", executable, DRIVER)
    return shell_under_test("xonsh", "xonsh", driver=DRIVER, install_hint=INSTALL)


class TestConformance(ShellConformance):
    pass
