"""conda 26.7.1's own tests (``tests/plugins``, ``tests/test_activate.py``) pass with every conda
plugin of ours installed beside it: a plugin of ours that breaks one of them breaks conda.

The plugins are the distributions of ``packages/*`` with a ``conda`` entry point; the tests are
run by ``scripts/run-conda-tests.sh`` (542 passed with conda alone) from the vendor archive here,
or from a checkout of conda's git tag where there is none (GitHub Actions).
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from testharness.conda import CONDA_VERSION
from testharness.conda_tests import (
    ARCHIVE,
    RUNNER,
    CondaTestsUnavailable,
    checkout_tag,
    conda_tests_or_fail,
    conda_tests_source,
)
from testharness.plugin import RealConda, RealCondaFactory
from testharness.repo import discover_packages

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

pytestmark = pytest.mark.slow

PASSED_WITH_CONDA_ALONE = 542
PASSED_IN_TEST_ACTIVATE = 63
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


def runner_layout() -> list[str]:
    """The paths the runner copies from a checkout (its ``layout=(...)`` line)."""
    for line in RUNNER.read_text().splitlines():
        if line.startswith("layout=("):
            return shlex.split(line.removeprefix("layout=(").removesuffix(")"))
    raise AssertionError(f"{RUNNER} has no layout=(...) line")


def run_own_tests(source: Path, conda: RealConda, *pytest_args: str) -> tuple[str, dict[str, int]]:
    """The runner on ``source`` against ``conda``: its output and counts, with no failure."""
    proc = subprocess.run(
        ["bash", str(RUNNER), str(source), str(conda.prefix), *pytest_args],
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
    assert proc.returncode == 0, output[-4000:]
    return output, counts


def git(cwd: Path, *args: str) -> str:
    who = {"NAME": "t", "EMAIL": "t@example.invalid"}
    env = {
        **os.environ,
        **{f"GIT_{role}_{k}": v for role in ("AUTHOR", "COMMITTER") for k, v in who.items()},
    }
    proc = subprocess.run(
        ["git", *args], cwd=cwd, capture_output=True, text=True, env=env, timeout=60, check=True
    )
    return proc.stdout.strip()


def make_origin(folder: Path, tag: str | None = CONDA_VERSION, tree: Path | None = None) -> Path:
    """A git repository like conda's: ``tag`` on a commit holding ``tree`` (or a stub test
    tree), then one more commit, so the branch's HEAD is not the tag."""
    folder.mkdir(parents=True)
    git(folder, "init", "-q")
    if tree is None:
        (folder / "tests" / "plugins").mkdir(parents=True)
        (folder / "tests" / "plugins" / "__init__.py").write_text("")
        (folder / "tests" / "test_activate.py").write_text("TAGGED = True\n")
    else:
        shutil.copytree(tree, folder, dirs_exist_ok=True)
    git(folder, "add", "-A")
    git(folder, "commit", "-q", "-m", "release")
    if tag:
        git(folder, "tag", "-a", tag, "-m", tag)
    (folder / "tests" / "test_activate.py").write_text("TAGGED = False\n")
    git(folder, "commit", "-q", "-am", "after the release")
    return folder


def source_tree(source: Path, tree: Path) -> Path:
    """``source`` (the archive or a checkout) unpacked as the runner's tree in ``tree``."""
    tree.mkdir(parents=True)
    if source.is_file():
        cmd = ["tar", "-xzf", str(source), "-C", str(tree), "--strip-components=1"]
        subprocess.run(cmd, check=True, timeout=120)
        return tree
    for path in runner_layout():
        (tree / path).parent.mkdir(parents=True, exist_ok=True)
        if (source / path).is_dir():
            shutil.copytree(source / path, tree / path)
        else:
            shutil.copy2(source / path, tree / path)
    return tree


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


def test_the_archive_is_used_when_it_is_there(tmp_path: Path) -> None:
    archive = tmp_path / "conda-tests.tar.gz"
    archive.write_bytes(b"")
    cache = tmp_path / "cache"
    assert conda_tests_source(archive, cache, (tmp_path / "no").as_uri()) == archive
    assert not cache.exists()


def test_without_the_archive_the_tag_is_checked_out_and_then_reused(tmp_path: Path) -> None:
    origin = make_origin(tmp_path / "origin")
    cache = tmp_path / "cache" / "conda-tests"
    source = conda_tests_source(tmp_path / "absent.tar.gz", cache, origin.as_uri())
    assert source == cache
    assert (cache / "tests" / "test_activate.py").read_text() == "TAGGED = True\n"
    assert git(cache, "rev-parse", "HEAD") == git(origin, "rev-parse", f"{CONDA_VERSION}^{{}}")
    shutil.rmtree(origin)
    assert conda_tests_source(tmp_path / "absent.tar.gz", cache, origin.as_uri()) == cache
    assert [p.name for p in cache.parent.iterdir()] == ["conda-tests"]


def test_a_cache_not_at_the_tag_is_fetched_again(tmp_path: Path) -> None:
    stale = make_origin(tmp_path / "cache")  # its HEAD is one commit after the tag
    origin = make_origin(tmp_path / "origin")
    assert checkout_tag(stale, origin.as_uri()) == stale
    assert (stale / "tests" / "test_activate.py").read_text() == "TAGGED = True\n"


def test_a_repository_without_the_tag_is_refused_in_one_line(tmp_path: Path) -> None:
    origin = make_origin(tmp_path / "origin", tag=None)
    with pytest.raises(CondaTestsUnavailable, match=CONDA_VERSION) as raised:
        checkout_tag(tmp_path / "cache", origin.as_uri())
    assert "\n" not in str(raised.value)
    assert list(tmp_path.iterdir()) == [origin]


def test_a_tag_without_condas_tests_is_refused(tmp_path: Path) -> None:
    tree = tmp_path / "tree"
    (tree / "tests").mkdir(parents=True)
    (tree / "tests" / "test_activate.py").write_text("")
    origin = make_origin(tmp_path / "origin", tree=tree)
    with pytest.raises(CondaTestsUnavailable, match="no tests/plugins"):
        checkout_tag(tmp_path / "cache", origin.as_uri())


@pytest.mark.parametrize("ci", ["true", ""])
def test_unobtainable_tests_fail_in_ci_and_skip_locally_in_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, ci: str
) -> None:
    monkeypatch.setenv("CI", ci)
    outcome = pytest.fail.Exception if ci else pytest.skip.Exception
    with pytest.raises(outcome) as raised:
        conda_tests_or_fail(tmp_path / "absent", tmp_path / "cache", (tmp_path / "no").as_uri())
    message = str(raised.value.msg)
    assert "\n" not in message
    assert message.startswith(f"conda {CONDA_VERSION}'s own tests are unavailable: git fetch")


def test_the_runner_copies_from_a_checkout_exactly_the_archives_tree() -> None:
    source = conda_tests_or_fail()
    layout = runner_layout()
    if source != ARCHIVE:
        assert [path for path in layout if not (source / path).exists()] == []
        return
    with tarfile.open(source) as archive:
        names = [m.name.split("/", 1)[-1] for m in archive.getmembers() if not m.isdir()]

    def under(name: str, path: str) -> bool:
        return name == path or name.startswith(f"{path}/")

    assert [name for name in names if not any(under(name, p) for p in layout)] == []
    assert [path for path in layout if not any(under(name, path) for name in names)] == []


def test_the_runner_runs_condas_tests_from_a_checkout_of_the_tag(
    real_conda_factory: RealCondaFactory, tmp_path: Path
) -> None:
    """The checkout path for real: a local repository tagged like conda's, holding the tree."""
    tree = source_tree(conda_tests_or_fail(), tmp_path / "tree")
    origin = make_origin(tmp_path / "origin", tree=tree)
    checkout = checkout_tag(tmp_path / "checkout", origin.as_uri())
    conda = real_conda_factory(*conda_plugin_distributions())
    _, counts = run_own_tests(checkout, conda, "tests/test_activate.py")
    assert counts["passed"] >= PASSED_IN_TEST_ACTIVATE


def test_condas_own_tests_pass_with_every_conda_plugin_of_ours(
    real_conda_factory: RealCondaFactory,
) -> None:
    source = conda_tests_or_fail()
    conda = real_conda_factory(*conda_plugin_distributions())
    output, counts = run_own_tests(source, conda)
    assert counts["passed"] >= PASSED_WITH_CONDA_ALONE, output[-4000:]
