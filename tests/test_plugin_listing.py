"""The contract's host machinery over the real plugins of this repository (moved from the
contract's own tests, which must pass with only the contract installed)."""

from __future__ import annotations

import json

import pytest

from plugin_contract.cli import main
from plugin_contract.conda import get_plugin_manager


def run(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    """``plugin-contract ARGS`` in this process (the installed CLI is tested in the contract)."""
    assert main(list(args)) == 0
    return capsys.readouterr().out


def test_plugins_json_lists_conda_and_devpi_plugins(capsys: pytest.CaptureFixture[str]) -> None:
    listing = json.loads(run(capsys, "plugins", "--json"))
    conda = {p["name"]: p for p in listing["conda"]}
    devpi = {p["name"]: p for p in listing["devpi"]}
    assert {"shell-posix", "shell-fish", "session-basic-auth", "session-oauth"} <= set(conda)
    assert {"devpi-auth-ldap", "devpi-notify"} <= set(devpi)
    assert all(p["version"] not in ("", "unknown") for p in [*conda.values(), *devpi.values()])


def test_plugins_table(capsys: pytest.CaptureFixture[str]) -> None:
    out = run(capsys, "plugins", "--host", "conda")
    assert "conda plugins" in out
    assert "shell-fish" in out


def test_installed_plugins_report_distribution_and_version() -> None:
    infos = {info.name: info for info in get_plugin_manager().plugin_infos}
    # The workspace installs every package; the contract's own conda plugins are among them.
    shell = infos["shell-posix"]
    assert shell.distribution == "shell-posix"
    assert shell.version.count(".") >= 2
    assert shell.module == "shell_posix.plugin"
