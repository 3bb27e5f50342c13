"""Spawned fish: the exit handler follows the environment active at exit, runs each
deactivate.d once and keeps the exit status and the user's own fish_exit handlers."""

from __future__ import annotations

from pathlib import Path

import pytest
from shell_fish.kit import DRIVER

from plugin_contract.testing.shell import ShellWorld, shell_under_test


@pytest.fixture
def world(tmp_path: Path) -> ShellWorld:
    return ShellWorld(
        shell_under_test("fish", "fish", driver=DRIVER, install_hint="apt-get install -y fish"),
        tmp_path,
    )


def test_exit_follows_the_current_environment(world: ShellWorld) -> None:
    log = world.root / "exit.log"
    first, second = (
        world.make_env(name, deactivate={"log.fish": world.append_line(f"deact:{name}", log)})
        for name in ("first", "second")
    )
    config = world.home / ".config" / "fish"
    config.mkdir(parents=True)
    user = world.append_line("user-exit", log)
    (config / "config.fish").write_text(f"function user_exit --on-event fish_exit\n{user}\nend\n")
    proc = world.spawn(first, f"conda_shell activate -- {world.quote(str(second))}\nexit 4\n")
    assert proc.returncode == 4, proc.stderr
    lines = log.read_text().splitlines()
    ours = [line for line in lines if line != "user-exit"]
    assert ours == ["deact:first", "deact:second", "deact:first"], lines
    assert "user-exit" in lines, lines
    again = world.spawn(first, "conda_shell deactivate\nexit 0\n")
    assert again.returncode == 0, again.stderr
    assert log.read_text().splitlines()[len(lines) :] == ["deact:first", "user-exit"]
