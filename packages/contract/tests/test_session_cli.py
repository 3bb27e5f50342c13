"""``conda-session`` without any session plugin: which, fetch, errors as one line."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from plugin_contract.session.adapters import make_retry
from testharness.ports import free_port


def run(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    environ = {
        **os.environ,
        "HOME": str(home),
        "CONDARC": str(home / ".condarc"),
        "CONDA_SESSION_NO_PROMPT": "1",
        **env,
    }
    code = "import sys; from plugin_contract.session.cli import main; sys.exit(main())"
    return subprocess.run(
        [sys.executable, "-c", code, *args],
        env=environ,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def one_line_error(proc: subprocess.CompletedProcess[str], fragment: str) -> None:
    assert proc.returncode == 1
    assert proc.stderr.startswith("conda-session: error: ")
    assert proc.stderr.count("\n") == 1, proc.stderr
    assert fragment in proc.stderr


def test_unknown_session_in_config_is_named(tmp_path: Path) -> None:
    (tmp_path / "home").mkdir()
    (tmp_path / "home" / ".condarc").write_text(
        "channel_settings:\n  - channel: https://h.test/c\n    session: missing-plugin\n"
    )
    proc = run(tmp_path, "which", "https://h.test/c/noarch/repodata.json")
    one_line_error(proc, "'missing-plugin'")
    assert "installed sessions:" in proc.stderr


def test_fetch_connection_refused_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "home").mkdir()
    (tmp_path / "home" / ".condarc").write_text("remote_backoff_factor: 0\n")
    url = f"http://127.0.0.1:{free_port()}/c/repodata.json?token=hidden"
    proc = run(tmp_path, "fetch", url)
    one_line_error(proc, "cannot connect")
    assert "hidden" not in proc.stderr


def test_offline_fetch_refuses_network_and_reads_files(tmp_path: Path) -> None:
    one_line_error(run(tmp_path, "fetch", "https://h.test/x", CONDA_OFFLINE="true"), "offline")
    local = tmp_path / "repodata.json"
    local.write_text('{"ok": true}')
    target = tmp_path / "copy.json"
    proc = run(tmp_path, "fetch", local.as_uri(), "-o", str(target), CONDA_OFFLINE="true")
    assert proc.returncode == 0, proc.stderr
    assert target.read_text() == '{"ok": true}'


def test_status_without_entries(tmp_path: Path) -> None:
    proc = run(tmp_path, "status")
    assert proc.returncode == 0, proc.stderr
    assert "no channel entries" in proc.stdout


def test_session_types_import_without_requests() -> None:
    code = (
        "import sys, plugin_contract.session.types, plugin_contract.session; "
        "from plugin_contract.conda import get_plugin_manager; "
        "sys.exit(1 if 'requests' in sys.modules else 0)"
    )
    proc = subprocess.run([sys.executable, "-c", code], timeout=60, check=False)
    assert proc.returncode == 0


class FakeResponse:
    def __init__(self, value: str) -> None:
        self.headers = {"Retry-After": value}

    def get_redirect_location(self) -> None:
        return None


@pytest.mark.parametrize(("header", "expected"), [("3600", 60.0), ("2", 2.0)])
def test_retry_after_is_honoured_but_capped(header: str, expected: float) -> None:
    retry = make_retry(total=3, backoff_factor=0.1, max_retry_after=60.0)
    assert retry.get_retry_after(FakeResponse(header)) == expected  # type: ignore[arg-type]
    assert retry.new(total=2).max_retry_after == 60.0


def test_unwritable_output_is_one_line(tmp_path: Path) -> None:
    local = tmp_path / "repodata.json"
    local.write_text("{}")
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    proc = run(tmp_path, "fetch", local.as_uri(), "-o", str(blocker / "out.json"))
    one_line_error(proc, "a-file")


def test_login_with_the_default_session_is_refused_and_writes_nothing(tmp_path: Path) -> None:
    proc = run(tmp_path, "login", "https://h.test/c", "--session", "default")
    one_line_error(proc, "no credentials to log in with")
    assert not (tmp_path / "home" / ".condarc").exists()


def test_which_says_what_conda_picks_last_match_wins(tmp_path: Path) -> None:
    (tmp_path / "home").mkdir()
    (tmp_path / "home" / ".condarc").write_text(
        "channel_alias: http://127.0.0.1:9\n"
        "channel_settings:\n"
        "  - channel: basic\n    auth: default\n"
        "  - channel: http://127.0.0.1:9/*\n    auth: default\n"
    )
    proc = run(tmp_path, "which", "http://127.0.0.1:9/basic/noarch/repodata.json")
    assert proc.returncode == 0, proc.stderr
    assert "conda: auth default from entry http://127.0.0.1:9/* (last match wins)" in proc.stdout
