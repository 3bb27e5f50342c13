"""conda 26.7.1's own tests (``tests/plugins``, ``tests/test_activate.py``) pass with every conda
plugin of ours installed beside it: a plugin of ours that breaks one of them breaks conda.

The plugins are the distributions of ``packages/*`` with a ``conda`` entry point; the tests are
run by ``../shared/vendor/run-conda-tests.sh``, which reports 542 passed with conda alone.
"""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from testharness.conda import VENDOR
from testharness.plugin import RealCondaFactory
from testharness.repo import discover_packages
from testharness.tools import in_ci

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

pytestmark = pytest.mark.slow

RUNNER = VENDOR / "run-conda-tests.sh"
PASSED_WITH_CONDA_ALONE = 542
SUMMARY = re.compile(r"^=+ (?P<counts>.*\d+ (?:passed|failed).*) in [\d.]+s", re.MULTILINE)


def conda_plugin_distributions() -> list[str]:
    """Every distribution of ours registered under the ``conda`` entry-point group."""
    found = []
    for name, folder in discover_packages().items():
        with (folder / "pyproject.toml").open("rb") as handle:
            project = tomllib.load(handle)["project"]
        if "conda" in project.get("entry-points", {}):
            found.append(name)
    return sorted(found)


def summary_counts(output: str) -> dict[str, int]:
    """pytest's last summary line (``542 passed, 26 skipped in 25.1s``) as outcome -> count."""
    matches = list(SUMMARY.finditer(output))
    if not matches:
        raise AssertionError(f"no pytest summary in the output:\n{output[-3000:]}")
    return {
        outcome.rstrip("s") if outcome != "passed" else outcome: int(count)
        for count, outcome in re.findall(r"(\d+) (\w+)", matches[-1]["counts"])
    }


def test_summary_counts_reads_pytest_summary_lines() -> None:
    line = "=== 1 failed, 541 passed, 26 skipped, 4 deselected, 34 warnings in 37.39s ===\n"
    assert summary_counts(line) == {
        "failed": 1,
        "passed": 541,
        "skipped": 26,
        "deselected": 4,
        "warning": 34,
    }
    with pytest.raises(AssertionError, match="no pytest summary"):
        summary_counts("collected 0 items\n")


def test_every_conda_plugin_of_ours_is_found() -> None:
    plugins = conda_plugin_distributions()
    assert {"session-basic-auth", "session-oauth", "shell-posix", "shell-fish"} <= set(plugins)
    assert not any(name.startswith("devpi-") for name in plugins)


def test_condas_own_tests_pass_with_every_conda_plugin_of_ours(
    real_conda_factory: RealCondaFactory,
) -> None:
    if not RUNNER.is_file():
        message = f"conda's own tests need {RUNNER} (the vendor folder beside the repository)"
        if in_ci():
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    conda = real_conda_factory(*conda_plugin_distributions())
    proc = subprocess.run(
        ["bash", str(RUNNER), str(conda.prefix)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    output = proc.stdout + proc.stderr
    counts = summary_counts(output)
    failures = [line for line in output.splitlines() if line.startswith(("FAILED", "ERROR"))]
    assert counts.get("failed", 0) == 0, "\n".join(failures) or output[-4000:]
    assert counts.get("error", 0) == 0, "\n".join(failures) or output[-4000:]
    assert counts["passed"] >= PASSED_WITH_CONDA_ALONE, output[-4000:]
    assert proc.returncode == 0, output[-4000:]
