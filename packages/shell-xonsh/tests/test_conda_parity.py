"""The kit's hostile prefixes and values through real conda 26.7.1's ``conda shell.xonsh``
and through ours, in the same real xonsh (Debian's); the counts stand in the README."""

from __future__ import annotations

from pathlib import Path

import pytest
from shell_xonsh.kit import DRIVER

from plugin_contract.testing.shell import ShellWorld, shell_under_test
from testharness.hostile_conda import conda_lines, hostile_cases, ours, tally
from testharness.plugin import RealCondaFactory

pytestmark = pytest.mark.slow

INSTALL = "apt-get install -y xonsh"
README = Path(__file__).resolve().parents[1] / "README.md"
# conda's xonsh wrapper (conda.xsh) runs the text with the shell's own execer.
CONDA_RUN = (
    "__xonsh__.execer.exec(open({path}, encoding='utf-8').read(), glbs=__xonsh__.ctx, "
    "filename='conda shell.xonsh activate')"
)


def test_hostile_cases_next_to_conda(
    real_conda_factory: RealCondaFactory, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shell = shell_under_test("xonsh", "xonsh", driver=DRIVER, install_hint=INSTALL)
    world = ShellWorld(shell, tmp_path)
    conda = real_conda_factory()
    cases = hostile_cases(world)
    mine = tally("ours", world, cases, ours(world))
    theirs = tally("conda", world, cases, conda_lines(conda, "xonsh", world, CONDA_RUN))
    with capsys.disabled():
        print("\n" + "\n".join(["[xonsh]", *mine.report(), *theirs.report()]))
    assert not mine.failures, "\n".join(mine.failures)
    row = f"| xonsh 0.13.4 | {mine.total} | {mine.held} | {theirs.held} |"
    assert row in README.read_text(encoding="utf-8"), f"README's count row should read {row}"
