"""Names special to a POSIX shell are refused, one warning line each; the rest activates and
the round trip stays exact (zsh `status` once stopped activation halfway)."""

from __future__ import annotations

from pathlib import Path

import pytest
from shell_posix.kit import DRIVER

from plugin_contract.testing.shell import ShellWorld, comparable, read_env, shell_under_test

INSTALL = "apt-get install -y bash dash zsh ksh mksh busybox"
SPECIAL = [
    "status",
    "PPID",
    "path",
    "EUID",
    "SHELLOPTS",
    "UID",
    "BASH_ENV",
    "PROMPT_COMMAND",
    "IFS",
    "ENV",
    "KSH_VERSION",
]


@pytest.fixture(params=["bash", "dash", "zsh", "ksh", "mksh", "busybox"])
def world(request: pytest.FixtureRequest, tmp_path: Path) -> ShellWorld:
    return ShellWorld(
        shell_under_test("posix", request.param, driver=DRIVER, install_hint=INSTALL), tmp_path
    )


def test_special_names_are_refused_with_one_warning_each(world: ShellWorld) -> None:
    values = dict.fromkeys(SPECIAL, "0")
    prefix = world.make_env("special", env_vars={**values, "PLAIN_VAR": "kept"})
    before_line, before = world.dump()
    during_line, during = world.dump()
    after_line, after = world.dump()
    proc = world.run(
        [before_line, world.activate(prefix), during_line, world.deactivate(), after_line]
    )
    assert proc.returncode == 0, proc.stderr
    inside = read_env(during)
    assert inside["PLAIN_VAR"] == "kept"
    assert inside["CONDA_PREFIX"] == str(prefix)
    warnings = [line for line in proc.stderr.splitlines() if "reserve for themselves" in line]
    for name in SPECIAL:
        assert sum(f"sets {name!r}" in line for line in warnings) == 1, (name, proc.stderr)
    assert comparable(read_env(after)) == comparable(read_env(before))
