"""The repository's own scripts: CI package selection, release tag check, scaffolding."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from testharness.repo import ROOT, build_wheel, discover_packages, load_script

ci_matrix = load_script("ci_matrix")
release_check = load_script("release_check")
PACKAGES = discover_packages()
DEPENDENTS = {name for name in PACKAGES if name != "plugin-contract"}


def test_a_plugin_change_selects_only_that_plugin() -> None:
    assert ci_matrix.select(["packages/shell-fish/src/shell_fish/plugin.py"], PACKAGES) == [
        "shell-fish"
    ]


def test_a_contract_change_selects_its_dependents() -> None:
    chosen = ci_matrix.select(["packages/contract/src/plugin_contract/cli.py"], PACKAGES)
    assert set(chosen) == {"plugin-contract", *DEPENDENTS}


def test_a_root_change_selects_everything_but_docs_do_not() -> None:
    assert ci_matrix.select(["noxfile.py"], PACKAGES) == sorted(PACKAGES)
    assert ci_matrix.select(["README.md"], PACKAGES) == []


def test_release_tag_must_match_the_package_version() -> None:
    about = PACKAGES["shell-fish"] / "src" / "shell_fish" / "__about__.py"
    version = about.read_text().split('"')[1]
    dist, folder = release_check.check(f"shell-fish-v{version}")
    assert (dist, folder) == ("shell-fish", PACKAGES["shell-fish"])
    with pytest.raises(ValueError, match=r"says 99\.0\.0, but shell-fish is"):
        release_check.check("shell-fish-v99.0.0")
    with pytest.raises(ValueError, match="names no package"):
        release_check.check(f"shell-nothing-v{version}")
    with pytest.raises(ValueError, match="not of the form"):
        release_check.check("shell-fish-1.0")


def run_new(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "new_package.py"), "--root", str(root), *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.fixture
def repo_copy(tmp_path: Path) -> Path:
    """The parts of the repository that scaffolding reads and writes."""
    copy = tmp_path / "repo"
    shutil.copytree(ROOT / "shared" / "templates", copy / "shared" / "templates")
    (copy / "packages").mkdir(parents=True)
    shutil.copytree(PACKAGES["shell-fish"], copy / "packages" / "shell-fish")
    return copy


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("shell-fish", "exists already"),
        ("Shell-Nu", "bad package name"),
        ("shell_nu", "bad package name"),
        ("shell-", "bad package name"),
        ("shell-nu--x", "bad package name"),
        ("nushell", "bad package name"),
        ("../shell-nu", "bad package name"),
    ],
)
def test_new_refuses_bad_names_and_creates_nothing(
    repo_copy: Path, name: str, message: str
) -> None:
    before = sorted(p.name for p in (repo_copy / "packages").iterdir())
    proc = run_new(repo_copy, name)
    assert proc.returncode == 2
    assert message in proc.stderr
    assert "Traceback" not in proc.stderr
    assert sorted(p.name for p in (repo_copy / "packages").iterdir()) == before


def test_new_creates_a_complete_buildable_package(repo_copy: Path, tmp_path: Path) -> None:
    proc = run_new(repo_copy, "devpi-audit")
    assert proc.returncode == 0, proc.stderr
    package = repo_copy / "packages" / "devpi-audit"
    for relative in (
        "pyproject.toml",
        "README.md",
        "CHANGELOG.md",
        "src/devpi_audit/__about__.py",
        "src/devpi_audit/py.typed",
        "src/devpi_audit/main.py",
        "tests/test_registration.py",
    ):
        assert (package / relative).is_file(), relative
    text = (package / "pyproject.toml").read_text()
    assert "[project.entry-points.devpi_server]" in text
    assert 'devpi-audit = "devpi_audit.main"' in text
    assert "{{" not in "".join(p.read_text() for p in package.rglob("*") if p.is_file())
    build_wheel(package, tmp_path / "out")
    assert list((tmp_path / "out").glob("devpi_audit-0.1.0-py3-none-any.whl"))
