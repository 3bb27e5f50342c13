"""``conda-shell`` in shell scripts: the hook's command works there (a real function where
the shell allows ``-`` in a name, an alias elsewhere), and ``--help`` goes through it."""

from __future__ import annotations

from pathlib import Path

import pytest
from shell_posix.kit import DRIVER

from plugin_contract.testing.shell import ShellWorld, shell_under_test

INSTALL = "apt-get install -y bash dash zsh ksh mksh busybox"


@pytest.fixture(params=["bash", "dash", "zsh", "ksh", "mksh", "busybox"])
def world(request: pytest.FixtureRequest, tmp_path: Path) -> ShellWorld:
    return ShellWorld(
        shell_under_test("posix", request.param, driver=DRIVER, install_hint=INSTALL), tmp_path
    )


def test_dashed_command_activates_in_a_script(world: ShellWorld) -> None:
    prefix = world.make_env("scripted")
    proc = world.run(
        [
            f"conda-shell activate -- {world.quote(str(prefix))}",
            'echo "prefix=$CONDA_PREFIX"',
            "conda-shell deactivate",
            'echo "after=${CONDA_PREFIX-unset}"',
        ]
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == [f"prefix={prefix}", "after=unset"]


def test_a_failing_activation_stops_a_set_e_script(world: ShellWorld) -> None:
    proc = world.run(["conda-shell activate -- /nonexistent", "echo not reached"])
    assert proc.returncode != 0
    assert "not reached" not in proc.stdout


def test_help_through_the_hook(world: ShellWorld) -> None:
    proc = world.run(["conda-shell activate --help", "conda_shell deactivate -h"])
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.count("usage: conda-shell activate") == 2, proc.stdout
