"""The ``plugin-contract`` command lists installed plugins with hooks and versions."""

from __future__ import annotations

import json
import subprocess
import sys

from plugin_contract.__about__ import __version__


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "plugin_contract.cli", *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_plugins_json_lists_conda_and_devpi_plugins() -> None:
    proc = run("plugins", "--json")
    assert proc.returncode == 0, proc.stderr
    listing = json.loads(proc.stdout)
    conda = {p["name"]: p for p in listing["conda"]}
    devpi = {p["name"]: p for p in listing["devpi"]}
    assert {"shell-posix", "shell-fish", "session-basic-auth", "session-oauth"} <= set(conda)
    assert {"devpi-auth-ldap", "devpi-notify"} <= set(devpi)
    assert all(p["version"] not in ("", "unknown") for p in [*conda.values(), *devpi.values()])


def test_plugins_table_and_version() -> None:
    proc = run("plugins", "--host", "conda")
    assert proc.returncode == 0, proc.stderr
    assert "conda plugins" in proc.stdout
    assert "shell-fish" in proc.stdout
    assert run("--version").stdout.strip() == f"plugin-contract {__version__}"


def test_bad_usage_is_one_line_without_traceback() -> None:
    proc = run("plugins", "--host", "nowhere")
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert "invalid choice" in proc.stderr
