"""The channel-settings diagnosis behind conda's pre-command check and ``conda doctor``, and the
contract's conda plugin module without conda."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from plugin_contract.session import conda_host
from plugin_contract.session.diagnose import (
    entry_problems,
    secret_source_problems,
    status_problems,
)

INSTALLED = ("basic-auth", "oauth")


def test_unknown_auth_name_names_the_installed_handlers_and_a_close_match() -> None:
    problems = entry_problems(
        [{"channel": "basic", "auth": "Basic-Aut"}], INSTALLED, {0: "/home/u/.condarc"}
    )
    assert [p.channel for p in problems] == ["basic"]
    text = str(problems[0])
    assert "entry 'basic' in /home/u/.condarc names auth 'basic-aut'" in text
    assert "installed auth handlers: basic-auth, oauth" in text
    assert text.endswith("did you mean 'basic-auth'?")
    assert "\n" not in text


def test_session_key_without_auth_says_what_to_write() -> None:
    for key in ("session", "network_session_class"):
        (problem,) = entry_problems([{"channel": "x", key: "OAuth"}], INSTALLED)
        assert f"has '{key}: OAuth' but no 'auth:'" in str(problem)
        assert "write 'auth: oauth'" in str(problem)


def test_good_entries_and_other_plugins_handlers_pass() -> None:
    entries = [
        {"channel": "a", "auth": "basic-auth", "session": "basic-auth"},
        {"channel": "b", "auth": "their-token"},
        {"channel": "c"},
    ]
    assert entry_problems(entries, [*INSTALLED, "their-token"]) == []
    (problem,) = entry_problems(entries, INSTALLED)
    assert problem.channel == "b"
    assert "did you mean" not in str(problem)


def test_secret_sources_unset_missing_and_unreadable(tmp_path: Path) -> None:
    readable = tmp_path / "secret"
    readable.write_text("pw\n")
    settings = {
        "oauth_token_env": "UNSET_VAR",
        "oauth_client_secret_env": "SET_VAR",
        "password_file": str(tmp_path / "missing"),
        "oauth_client_secret_file": str(tmp_path),
        "username": "u",
    }
    texts = [str(p) for p in secret_source_problems("ch", settings, {"SET_VAR": "x"})]
    assert texts == [
        "ch: oauth_token_env names UNSET_VAR, which is not set or empty",
        f"ch: password_file {tmp_path / 'missing'} does not exist",
        f"ch: oauth_client_secret_file {tmp_path} is not a readable file",
    ]
    fine = {"password_file": str(readable), "oauth_token_env": "SET_VAR"}
    assert secret_source_problems("ch", fine, {"SET_VAR": "x"}) == []


def test_status_facts_missing_expired_and_not_logged_in() -> None:
    none_found = status_problems("ch", "basic-auth", {}, {"credential": "none found"})
    assert "no basic-auth credentials found; run `conda session login ch" in str(none_found[0])
    expired = {"logged_in": "yes", "access_token_expiry": "expired", "refresh_token_stored": "no"}
    assert "login has expired" in str(status_problems("ch", "oauth", {}, expired)[0])
    refreshable = {**expired, "refresh_token_stored": "yes"}
    assert status_problems("ch", "oauth", {}, refreshable) == []
    assert "not logged in" in str(status_problems("ch", "oauth", {}, {"logged_in": "no"})[0])
    machine = {"oauth_flow": "client-credentials"}
    assert status_problems("ch", "oauth", machine, {"logged_in": "no"}) == []


def test_conda_hooks_yield_nothing_without_conda() -> None:
    assert "conda" not in sys.modules
    assert list(conda_host.conda_pre_commands()) == []
    assert list(conda_host.conda_subcommands()) == []
    assert list(conda_host.conda_health_checks()) == []
    assert list(conda_host.conda_error_hints(ValueError("x"))) == []


def test_importing_the_conda_plugin_module_is_cheap() -> None:
    code = (
        "import sys, plugin_contract.session.conda_host\n"
        "heavy = {'conda', 'requests', 'keyring', 'yaml'} & set(sys.modules)\n"
        "assert not heavy, heavy\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr


def test_the_contract_registers_its_conda_plugin_once() -> None:
    from plugin_contract.conda import get_plugin_manager

    plugins = get_plugin_manager().plugin_infos
    infos = [info for info in plugins if info.module == conda_host.__name__]
    assert [info.name for info in infos] == ["plugin-contract"]
    assert {"conda_pre_commands", "conda_subcommands", "conda_error_hints"} <= set(infos[0].hooks)
