"""Names special to fish are refused, one warning line each; the rest activates."""

from __future__ import annotations

from pathlib import Path

from shell_fish.kit import DRIVER

from plugin_contract.testing.shell import ShellWorld, comparable, read_env, shell_under_test

SPECIAL = ["status", "fish_greeting", "fish_user_paths", "version", "SHLVL", "PWD"]


def test_special_names_are_refused_with_one_warning_each(tmp_path: Path) -> None:
    world = ShellWorld(
        shell_under_test("fish", "fish", driver=DRIVER, install_hint="apt-get install -y fish"),
        tmp_path,
    )
    prefix = world.make_env(
        "special", env_vars={**dict.fromkeys(SPECIAL, "0"), "PLAIN_VAR": "kept"}
    )
    before_line, before = world.dump()
    during_line, during = world.dump()
    after_line, after = world.dump()
    proc = world.run(
        [before_line, world.activate(prefix), during_line, world.deactivate(), after_line]
    )
    assert proc.returncode == 0, proc.stderr
    assert read_env(during)["PLAIN_VAR"] == "kept"
    warnings = [line for line in proc.stderr.splitlines() if "reserve for themselves" in line]
    for name in SPECIAL:
        assert sum(f"sets {name!r}" in line for line in warnings) == 1, (name, proc.stderr)
    assert comparable(read_env(after)) == comparable(read_env(before))
