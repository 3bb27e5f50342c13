"""Real conda 26.7.1's activation and ours follow each other in any order (fish)."""

from __future__ import annotations

from pathlib import Path

import pytest

from testharness.conda import RealConda
from testharness.conda_mixed import CondaMixedSequences
from testharness.plugin import RealCondaFactory

pytestmark = pytest.mark.slow


@pytest.fixture
def conda(real_conda_factory: RealCondaFactory) -> RealConda:
    conda = real_conda_factory("shell-fish")
    conda.write_condarc("")
    return conda


@pytest.fixture
def program() -> str:
    return "fish"


class TestFishBesideConda(CondaMixedSequences):
    def script(self, steps: list[str], dump: Path) -> str:
        return "\n".join(
            [
                "conda shell.fish hook | source; or exit 9",
                "conda-shell hook --shell fish | source; or exit 9",
                *(f"{step}; or exit 9" for step in steps),
                f"env -0 > '{dump}'",
            ]
        )

    def shell_environ(self, tmp_path: Path) -> dict[str, str]:
        return {"XDG_CONFIG_HOME": str(tmp_path / "config")}
