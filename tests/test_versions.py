"""Version pins agree with the contract, and ``nox -s release`` bumps version and changelog."""

from __future__ import annotations

import datetime
import re
import shutil
from pathlib import Path

import pytest

from testharness.repo import ROOT, discover_packages, load_script

release_bump = load_script("release_bump")
PACKAGES = discover_packages()


def test_every_contract_pin_agrees_with_the_contract_version() -> None:
    version = release_bump.read_version(PACKAGES["plugin-contract"])
    expected = release_bump.contract_pin(version)
    files = release_bump.pin_files()
    assert ROOT / "scripts" / "new_package.py" in files
    plugins = {name for name in PACKAGES if name != "plugin-contract"}
    assert {path.parent.name for path in files if path.name == "pyproject.toml"} == {
        PACKAGES[name].name for name in plugins
    }
    for path in files:
        for match in re.finditer(r"plugin-contract(\[[a-z,]+\])?([^\"]*)", path.read_text()):
            if match.group(2).startswith(">="):
                assert match.group(2) == expected, f"{path}: {match.group(0)} (contract {version})"


@pytest.mark.parametrize(
    ("current", "how", "expected"),
    [
        ("0.1.0", "patch", "0.1.1"),
        ("0.1.3", "minor", "0.2.0"),
        ("0.9.1", "major", "1.0.0"),
        ("0.1.0", "2.5.0", "2.5.0"),
    ],
)
def test_next_version(current: str, how: str, expected: str) -> None:
    assert release_bump.next_version(current, how) == expected


def test_contract_pin_follows_the_series() -> None:
    assert release_bump.contract_pin("0.1.4") == ">=0.1.0,<0.2"
    assert release_bump.contract_pin("1.3.0") == ">=1.3.0,<2"


def copy_repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    (root / "scripts").mkdir(parents=True)
    shutil.copy2(ROOT / "scripts" / "new_package.py", root / "scripts")
    for folder in PACKAGES.values():
        shutil.copytree(
            folder,
            root / "packages" / folder.name,
            ignore=shutil.ignore_patterns("tests", "node_modules", "bench"),
        )
    return root


def test_release_bumps_version_and_changelog_together(tmp_path: Path) -> None:
    root = copy_repo(tmp_path)
    folder = root / "packages" / PACKAGES["shell-fish"].name
    before = release_bump.read_version(folder)
    entries = (folder / "CHANGELOG.md").read_text().partition("## Unreleased\n")[2].strip()
    version = release_bump.bump_release(folder, "minor", today=datetime.date(2026, 12, 2))
    assert version == release_bump.next_version(before, "minor")
    assert release_bump.read_version(folder) == version
    text = (folder / "CHANGELOG.md").read_text()
    unreleased, _, rest = text.partition("## Unreleased\n")[2].partition(
        f"## {version} (2026-12-02)\n"
    )
    assert unreleased.strip() == ""
    assert rest.strip().startswith(entries.split("\n## ")[0].strip()[:60])
    with pytest.raises(ValueError, match="nothing under"):
        release_bump.bump_release(folder, "patch")
    assert release_bump.read_version(folder) == version


def test_releasing_the_contract_rewrites_every_pin(tmp_path: Path) -> None:
    root = copy_repo(tmp_path)
    version = release_bump.bump_release(root / "packages" / "contract", "minor")
    pin = release_bump.contract_pin(version)
    files = release_bump.pin_files(root)
    assert len(files) == len(PACKAGES)  # every plugin and the scaffolder
    for path in files:
        assert f"plugin-contract{pin}" in path.read_text() or f"]{pin}" in path.read_text()
