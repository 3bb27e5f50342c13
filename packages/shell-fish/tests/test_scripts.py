"""``conda-shell`` in fish scripts, and ``--help`` through the hook."""

from __future__ import annotations

from pathlib import Path

from shell_fish.kit import DRIVER

from plugin_contract.testing.shell import ShellWorld, shell_under_test


def test_help_and_activation_in_a_script(tmp_path: Path) -> None:
    world = ShellWorld(
        shell_under_test("fish", "fish", driver=DRIVER, install_hint="apt-get install -y fish"),
        tmp_path,
    )
    prefix = world.make_env("scripted")
    proc = world.run(
        [
            "conda-shell activate --help; or exit 9",
            world.activate(prefix),
            'echo "prefix=$CONDA_PREFIX"',
        ]
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.count("usage: conda-shell activate") == 1, proc.stdout
    assert proc.stdout.splitlines()[-1] == f"prefix={prefix}"
