"""shell-posix beside a real conda 26.7.1: spawned shells keep conda working, and conda's own
activation and ours can follow each other in any order (bash and zsh)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from testharness.conda import RealConda
from testharness.plugin import RealCondaFactory
from testharness.tools import require_tool

pytestmark = pytest.mark.slow


@pytest.fixture
def conda(real_conda_factory: RealCondaFactory) -> RealConda:
    conda = real_conda_factory("shell-posix")
    conda.write_condarc("")
    return conda


def spawn(conda: RealConda, prefix: Path, commands: str) -> subprocess.CompletedProcess[str]:
    """``conda-shell activate`` (spawn mode, bash) with ``commands`` on standard input."""
    executable = require_tool("bash", "apt-get install -y bash")
    program = str(conda.prefix / "bin" / "conda-shell")
    argv = [program, "activate", "--spawn", "--shell", "bash", "--", str(prefix)]
    return conda.run_program(argv, commands, env={"SHELL": executable})


def test_spawned_shell_keeps_conda_working(conda: RealConda) -> None:
    """Spawn once exported CONDA_AUTO_ACTIVATE and its alias: MultipleKeysError everywhere."""
    prefix = conda.make_env("spawned")
    (conda.home / ".bashrc").write_text('eval "$(conda shell.bash hook)"\n')
    commands = (
        'conda config --show auto_activate\necho "plugin=${CONDA_SHELL_PLUGIN-unset}"\nexit 3\n'
    )
    proc = spawn(conda, prefix, commands)
    report = f"exit {proc.returncode}\nstdout:\n{proc.stdout}\nstderr:\n{proc.stderr}"
    assert proc.returncode == 3, report
    assert "MultipleKeysError" not in proc.stderr, report
    assert "auto_activate: False" in proc.stdout, report
    assert "plugin=unset" in proc.stdout, report


def test_conda_shell_help_is_the_real_usage(conda: RealConda) -> None:
    for args in (("shell", "--help"), ("shell", "activate", "--help")):
        proc = conda.run(*args)
        assert proc.returncode == 0, proc.stderr
        assert "conda shell activate [--stack" in proc.stdout, proc.stdout
        assert "commands:" in proc.stdout
        assert "conda-shell" not in proc.stdout
