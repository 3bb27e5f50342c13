"""Spawned shells: the exit handler follows the environment active at exit, runs each
deactivate.d once, chains the user's own EXIT trap and keeps the exit status."""

from __future__ import annotations

import subprocess

import pytest
from shell_posix.kit import DRIVER

from plugin_contract.testing.shell import (
    ShellUnderTest,
    ShellWorld,
    conda_shell_program,
    read_env,
    shell_under_test,
)
from testharness.tools import require_tool

INSTALL = "apt-get install -y bash dash zsh ksh mksh"


@pytest.fixture(params=["bash", "dash", "zsh", "ksh", "mksh"])
def world(request: pytest.FixtureRequest, tmp_path: object) -> ShellWorld:
    shell: ShellUnderTest = shell_under_test(
        "posix", request.param, driver=DRIVER, install_hint=INSTALL
    )
    return ShellWorld(shell, tmp_path)  # type: ignore[arg-type]


def _envs(world: ShellWorld) -> tuple[str, str, str]:
    log = world.root / "exit.log"
    first, second = (
        world.make_env(name, deactivate={"log.sh": world.append_line(f"deact:{name}", log)})
        for name in ("first", "second")
    )
    return str(log), str(first), str(second)


def _user_trap(world: ShellWorld, log: str) -> None:
    line = f"trap {world.quote(world.append_line('user-trap', world.root / 'exit.log'))} EXIT\n"
    for name in (".bashrc", ".zshrc", ".shrc", ".kshrc", ".mkshrc"):
        (world.home / name).write_text(line)


def test_exit_deactivates_the_current_environment_and_chains_the_user_trap(
    world: ShellWorld,
) -> None:
    log, first, second = _envs(world)
    _user_trap(world, log)
    proc = world.spawn(first, f"conda_shell activate -- {world.quote(second)}\nexit 4\n")
    assert proc.returncode == 4, proc.stderr
    lines = (world.root / "exit.log").read_text().splitlines()
    # first's deactivate.d on the switch; at exit second's, then first's (once each level).
    assert lines == ["deact:first", "deact:second", "deact:first", "user-trap"], proc.stderr


def test_deactivate_then_exit_runs_deactivate_d_once(world: ShellWorld) -> None:
    _, first, _ = _envs(world)
    proc = world.spawn(first, "conda_shell deactivate\nexit 0\n")
    assert proc.returncode == 0, proc.stderr
    assert (world.root / "exit.log").read_text().splitlines() == ["deact:first"]


def test_non_utf8_prefix_spawns(world: ShellWorld) -> None:
    prefix = world.make_env("caf\udcff-env")
    out = world.root / "inside.env"
    proc = subprocess.run(
        [conda_shell_program(), "activate", "--spawn", "--shell", "posix", "--", str(prefix)],
        input=f"env -0 > {world.quote(str(out))}\nexit 0\n".encode(),
        capture_output=True,
        env=world.environ(SHELL=world.shell.executable),
        cwd=world.root,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert b"Traceback" not in proc.stderr
    inside = read_env(out)
    assert inside["CONDA_PREFIX"] == str(prefix)
    assert inside["PATH"].split(":")[0] == str(prefix / "bin")


def test_rc_file_that_execs_another_shell_leaves_no_temporary_folder(
    world: ShellWorld,
) -> None:
    runtime = world.root / "runtime"
    runtime.mkdir(mode=0o700)
    other = require_tool("dash", "apt-get install -y dash")
    for name in (".bashrc", ".zshrc", ".shrc", ".kshrc", ".mkshrc"):
        (world.home / name).write_text(f"exec {other}\n")
    proc = world.spawn(world.make_env("lost"), "exit 0\n", XDG_RUNTIME_DIR=str(runtime))
    assert proc.returncode == 0, proc.stderr
    assert list(runtime.iterdir()) == []
