"""Gate: devpi-server 6.20.3's own test suite passes with our devpi plugins registered.

devpi-notify and devpi-auth-ldap, installed from their wheels and registered unconfigured in
every in-process server of the suite, must not break a test that passes without them. One
full run with the plugins; only the tests that failed there run again, without the plugins
and once more with them. A test that passes without the plugins and fails twice with them
fails the gate; one failing without them too is the environment's or devpi's own.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

from testharness.repo import ROOT, uv

SUITE_DIR = ROOT / "shared" / "devpi-suite"
OUR_DISTRIBUTIONS = ("devpi_notify", "devpi_auth_ldap")


def _suite_module() -> ModuleType:
    import importlib.util

    spec = importlib.util.spec_from_file_location("devpi_suite", SUITE_DIR / "suite.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _suite_venv(tmp_path: Path, wheelhouse: Path, requirements: tuple[str, ...]) -> Path:
    venv = tmp_path / "venv"
    subprocess.run(
        [uv(), "venv", "--quiet", "--python", sys.executable, str(venv)], check=True, timeout=120
    )
    wheels = [str(next(wheelhouse.glob(f"{dist}-*.whl"))) for dist in OUR_DISTRIBUTIONS]
    subprocess.run(
        [uv(), "pip", "install", "--quiet", "--python", str(venv / "bin" / "python"),
         "--find-links", str(wheelhouse), *requirements, *wheels],
        check=True, timeout=600,
    )  # fmt: skip
    return venv


@pytest.mark.slow
def test_devpi_server_own_suite_passes_with_our_plugins(tmp_path: Path, wheelhouse: Path) -> None:
    suite = _suite_module()
    source = suite.suite_source()
    venv = _suite_venv(tmp_path, wheelhouse, suite.REQUIREMENTS)

    with_plugins, proc = suite.run(venv, source, with_plugins=True)
    passed = [node for node, outcome in with_plugins.items() if outcome == "passed"]
    assert len(passed) > 1000, proc.stdout[-3000:]  # the whole suite ran, not a fragment
    suspects = suite.failed(with_plugins)
    print(f"devpi-server suite with our plugins: {len(passed)} passed, failed: {suspects}")
    if not suspects:
        return
    without, _ = suite.run(venv, source, with_plugins=False, node_ids=suspects)
    again, again_proc = suite.run(venv, source, with_plugins=True, node_ids=suspects)
    broken = [
        node
        for node in suspects
        if without.get(node) == "passed" and again.get(node) in suite.FAILED
    ]
    print(f"without plugins: {without}\nwith plugins again: {again}")
    assert not broken, (
        f"pass without our plugins, fail with them: {broken}\n{again_proc.stdout[-6000:]}"
    )
