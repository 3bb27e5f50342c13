"""The kit's hostile prefixes and values through real conda 26.7.1's ``conda shell.csh`` and
through ours, in the same real tcsh and csh; the counts stand in the README."""

from __future__ import annotations

from pathlib import Path

import pytest
from shell_csh.kit import DRIVER
from shell_csh.syntax import PROGRAMS

from plugin_contract.testing.shell import ShellWorld, shell_under_test
from testharness.hostile_conda import conda_lines, hostile_cases, ours, tally
from testharness.plugin import RealCondaFactory

pytestmark = pytest.mark.slow

INSTALL = "apt-get install -y tcsh csh"
README = Path(__file__).resolve().parents[1] / "README.md"
# conda's csh wrapper (etc/profile.d/conda.csh) reads the text into a variable and evals it.
CONDA_RUN = 'set ask_conda = "`cat {file}`"\neval "${{ask_conda}}"'


@pytest.mark.parametrize("program", PROGRAMS)
def test_hostile_cases_next_to_conda(
    real_conda_factory: RealCondaFactory,
    tmp_path: Path,
    program: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    world = ShellWorld(
        shell_under_test("csh", program, driver=DRIVER, install_hint=INSTALL), tmp_path
    )
    conda = real_conda_factory()
    cases = hostile_cases(world)
    mine = tally("ours", world, cases, ours(world))
    theirs = tally("conda", world, cases, conda_lines(conda, "csh", world, CONDA_RUN))
    with capsys.disabled():
        print("\n" + "\n".join([f"[{program}]", *mine.report(), *theirs.report()]))
    assert not mine.failures, "\n".join(mine.failures)
    row = f"| {program} | {mine.total} | {mine.held} | {theirs.held} |"
    assert row in README.read_text(encoding="utf-8"), f"README's count row should read {row}"
