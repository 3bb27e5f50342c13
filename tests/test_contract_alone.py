"""With only ``plugin-contract`` installed (no extra, no plugin), every CLI says one line."""

from __future__ import annotations

import ast
import subprocess
from pathlib import Path

import pytest

from testharness.repo import discover_packages, fresh_venv_with

COMMANDS = [
    ["conda-session", "status"],
    ["conda-session", "which", "https://example.invalid/channel"],
    ["conda-shell", "activate", "base"],
    ["conda-shell", "shells"],
    ["plugin-contract", "plugins"],
]


@pytest.mark.slow
def test_every_cli_gives_one_line_without_plugins_or_extras(
    tmp_path: Path, wheelhouse: Path
) -> None:
    venv = fresh_venv_with(tmp_path, wheelhouse, "plugin-contract")
    for command in COMMANDS:
        proc = subprocess.run(
            [str(venv / "bin" / command[0]), *command[1:]],
            capture_output=True,
            text=True,
            timeout=60,
            env={"HOME": str(tmp_path), "PATH": "/usr/bin:/bin"},
            check=False,
        )
        assert "Traceback" not in proc.stderr, (command, proc.stderr)
        if proc.returncode != 0:
            assert len(proc.stderr.strip().splitlines()) == 1, (command, proc.stderr)


def _plugin_names() -> set[str]:
    """Distribution and import names of every package except the contract."""
    names: set[str] = set()
    for dist, folder in discover_packages().items():
        if dist == "plugin-contract":
            continue
        names.add(dist)
        names.update(child.name for child in (folder / "src").iterdir() if child.is_dir())
    return names


def test_the_contracts_own_tests_need_no_plugin() -> None:
    """Tests that need a plugin installed live in ``tests/``: the contract's tests pass with
    ``plugin-contract`` and its extras alone (PR CI runs them when only the contract changes).
    """
    plugins = _plugin_names()
    offenders = []
    for test in sorted((discover_packages()["plugin-contract"] / "tests").rglob("*.py")):
        tree = ast.parse(test.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                modules = [node.module]
            elif isinstance(node, ast.Constant) and isinstance(node.value, str):
                modules = [node.value]
            else:
                continue
            offenders += [f"{test.name}:{node.lineno}: {m}" for m in modules if m in plugins]
            offenders += [
                f"{test.name}:{node.lineno}: {m}"
                for m in modules
                if m.split(".")[0] in plugins and m not in plugins
            ]
    assert not offenders, "move these tests to tests/:\n" + "\n".join(offenders)
