"""Every distribution builds, installs alone with only its declared closure, and registers."""

from __future__ import annotations

import json
import re
import subprocess
from importlib.metadata import Distribution, distributions
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from testharness.repo import discover_packages, fresh_venv_with

PACKAGES = discover_packages()
PLUGINS = {name: folder for name, folder in PACKAGES.items() if name != "plugin-contract"}
HOST_OF_GROUP = {"conda": "conda", "devpi_server": "devpi"}
# What each plugin must never bring in, whatever else changes.
FORBIDDEN = {
    "shell-posix": {"requests"},
    "shell-fish": {"requests"},
    "devpi-auth-ldap": {"psutil"},
    "devpi-notify": {"psutil"},
}


def site_packages(venv: Path) -> Path:
    return next((venv / "lib").glob("python3*/site-packages"))


def installed(venv: Path) -> dict[str, Distribution]:
    return {
        canonicalize_name(dist.metadata["Name"]): dist
        for dist in distributions(path=[str(site_packages(venv))])
    }


def declared_closure(root: str, dists: dict[str, Distribution]) -> set[str]:
    """Names reachable from ``root`` through Requires-Dist, extras and markers honoured."""
    visited: set[tuple[str, frozenset[str]]] = set()
    stack: list[tuple[str, frozenset[str]]] = [(canonicalize_name(root), frozenset())]
    while stack:
        name, extras = stack.pop()
        if (name, extras) in visited:
            continue
        visited.add((name, extras))
        dist = dists.get(name)
        if dist is None:
            continue
        for line in dist.requires or []:
            req = Requirement(line)
            environments = [{"extra": extra} for extra in extras] or [{"extra": ""}]
            if req.marker and not any(req.marker.evaluate(env) for env in environments):
                continue
            stack.append((canonicalize_name(req.name), frozenset(req.extras)))
    return {name for name, _ in visited}


def test_every_distribution_has_a_wheel(wheelhouse: Path) -> None:
    for dist in PACKAGES:
        assert list(wheelhouse.glob(f"{dist.replace('-', '_')}-*-py3-none-any.whl")), dist


@pytest.mark.slow
@pytest.mark.parametrize("dist", sorted(PLUGINS))
def test_one_plugin_alone_pulls_only_its_closure_and_registers(
    dist: str, wheelhouse: Path, tmp_path: Path
) -> None:
    venv = fresh_venv_with(tmp_path, wheelhouse, dist)
    dists = installed(venv)
    tooling = {"pip", "setuptools", "wheel"}
    closure = declared_closure(dist, dists)
    extra = set(dists) - closure - tooling
    assert not extra, f"{dist} installs packages outside its declared closure: {sorted(extra)}"
    assert not FORBIDDEN.get(dist, set()) & set(dists), f"{dist} pulls a forbidden package"
    if "requests" in dists:
        assert "requests" in closure
    ours = {name for name in dists if name in {canonicalize_name(p) for p in PACKAGES}}
    assert ours == {canonicalize_name(dist), "plugin-contract"}

    groups = {ep.group for ep in dists[canonicalize_name(dist)].entry_points} & set(HOST_OF_GROUP)
    assert len(groups) == 1, f"{dist} must register in exactly one host group"
    host = HOST_OF_GROUP[groups.pop()]
    proc = subprocess.run(
        [str(venv / "bin" / "plugin-contract"), "plugins", "--json", "--host", host],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    listed = {p["name"]: p for p in json.loads(proc.stdout)[host]}
    assert listed[dist]["distribution"] == dist
    assert listed[dist]["version"] == dists[canonicalize_name(dist)].version


def test_every_hookimpl_of_every_plugin_matches_a_spec() -> None:
    from plugin_contract.conda import get_plugin_manager
    from plugin_contract.devpi.manager import load_devpi_plugins

    conda = {info.name for info in get_plugin_manager().plugin_infos}
    _, devpi_infos = load_devpi_plugins()
    devpi = {info.name for info in devpi_infos}
    for dist, folder in PLUGINS.items():
        text = (folder / "pyproject.toml").read_text()
        group = re.search(r"\[project\.entry-points\.(\w+)\]", text)
        assert group is not None, f"{dist} declares no entry point"
        assert dist in (conda if group.group(1) == "conda" else devpi)


def test_versions_are_single_sourced() -> None:
    for dist, folder in PACKAGES.items():
        text = (folder / "pyproject.toml").read_text()
        assert 'dynamic = ["version"]' in text, dist
        path = re.search(r'\[tool\.hatch\.version\]\npath = "([^"]+)"', text)
        assert path is not None, dist
        assert re.search(r'__version__ = "\d+\.\d+\.\d+', (folder / path.group(1)).read_text())
