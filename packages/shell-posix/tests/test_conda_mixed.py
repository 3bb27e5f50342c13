"""Real conda 26.7.1's activation and ours follow each other in any order (bash, zsh)."""

from __future__ import annotations

from pathlib import Path

import pytest

from testharness.conda import RealConda
from testharness.conda_mixed import CondaMixedSequences
from testharness.plugin import RealCondaFactory

pytestmark = pytest.mark.slow


@pytest.fixture
def conda(real_conda_factory: RealCondaFactory) -> RealConda:
    conda = real_conda_factory("shell-posix")
    conda.write_condarc("")
    return conda


@pytest.fixture(params=["bash", "zsh"])
def program(request: pytest.FixtureRequest) -> str:
    return str(request.param)


class TestPosixBesideConda(CondaMixedSequences):
    def script(self, steps: list[str], dump: Path) -> str:
        return "\n".join(
            [
                "set -e",
                'eval "$(conda shell.posix hook)"',
                'eval "$(conda-shell hook --shell posix)"',
                *steps,
                f"env -0 > '{dump}'",
            ]
        )
