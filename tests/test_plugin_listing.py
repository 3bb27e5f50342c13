"""The contract's host machinery over the real plugins of this repository (moved from the
contract's own tests, which must pass with only the contract installed)."""

from __future__ import annotations

import json
import subprocess
import sys

from plugin_contract.conda import get_plugin_manager


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


def test_plugins_table() -> None:
    proc = run("plugins", "--host", "conda")
    assert proc.returncode == 0, proc.stderr
    assert "conda plugins" in proc.stdout
    assert "shell-fish" in proc.stdout


def test_installed_plugins_report_distribution_and_version() -> None:
    infos = {info.name: info for info in get_plugin_manager().plugin_infos}
    # The workspace installs every package; the contract's own conda plugins are among them.
    shell = infos["shell-posix"]
    assert shell.distribution == "shell-posix"
    assert shell.version.count(".") >= 2
    assert shell.module == "shell_posix.plugin"
