"""Every distribution registers the plugin its pyproject declares, and its import package's
``__version__`` is the installed version (one test for all, found by the one discovery)."""

from __future__ import annotations

import importlib
import sys
from importlib.metadata import distribution
from pathlib import Path

import pytest

from testharness.repo import discover_packages

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib


def _entry_points(folder: Path) -> dict[str, dict[str, str]]:
    with (folder / "pyproject.toml").open("rb") as handle:
        points: dict[str, dict[str, str]] = tomllib.load(handle)["project"].get("entry-points", {})
    return points


PLUGINS = {dist: _entry_points(folder) for dist, folder in discover_packages().items()}
DECLARED = sorted(
    (dist, group, name, target)
    for dist, groups in PLUGINS.items()
    for group, points in groups.items()
    for name, target in points.items()
)


def test_every_plugin_distribution_declares_an_entry_point() -> None:
    missing = [dist for dist, groups in PLUGINS.items() if dist != "plugin-contract" and not groups]
    assert not missing


@pytest.mark.parametrize(("dist", "group", "name", "target"), DECLARED)
def test_entry_point_is_installed_and_loads_its_module(
    dist: str, group: str, name: str, target: str
) -> None:
    installed = {(ep.group, ep.name): ep for ep in distribution(dist).entry_points}
    assert (group, name) in installed, f"{dist} is installed without its {group} entry point"
    assert installed[group, name].value == target
    assert installed[group, name].load().__name__ == target.partition(":")[0]


@pytest.mark.parametrize("dist", sorted(PLUGINS))
def test_version_matches_metadata(dist: str) -> None:
    module = importlib.import_module(dist.replace("-", "_"))
    assert module.__version__ == distribution(dist).version
