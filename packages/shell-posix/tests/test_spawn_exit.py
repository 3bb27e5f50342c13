"""Spawned shells: the exit handler follows the environment active at exit, runs each
deactivate.d once, chains the user's own EXIT trap and keeps the exit status."""

from __future__ import annotations

import pytest

from plugin_contract.testing.shell import ShellUnderTest, ShellWorld, shell_under_test

INSTALL = "apt-get install -y bash dash zsh ksh mksh"


@pytest.fixture(params=["bash", "dash", "zsh", "ksh", "mksh"])
def world(request: pytest.FixtureRequest, tmp_path: object) -> ShellWorld:
    shell: ShellUnderTest = shell_under_test("posix", request.param, install_hint=INSTALL)
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
