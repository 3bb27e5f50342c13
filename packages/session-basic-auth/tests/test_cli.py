"""``conda-session`` end to end in subprocesses, against a real basic-auth channel."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from testharness.channel import ChannelServer

from .conftest import PASSWORD, USER

REPODATA = "/channel/noarch/repodata.json"


def conda_session(
    env: dict[str, str], *args: str, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from plugin_contract.session.cli import main; sys.exit(main())",
            *args,
        ],
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def login(
    env: dict[str, str], channel: str, password: str, *extra: str
) -> subprocess.CompletedProcess[str]:
    return conda_session(
        env,
        "login",
        channel,
        "--session",
        "basic-auth",
        "--username",
        USER,
        "--password-stdin",
        *extra,
        stdin=password + "\n",
    )


def keyring_text(env: dict[str, str]) -> str:
    path = Path(env["TESTHARNESS_KEYRING_FILE"])
    return path.read_text() if path.exists() else ""


def assert_one_line_error(proc: subprocess.CompletedProcess[str], *fragments: str) -> None:
    assert proc.returncode != 0
    assert proc.stderr.startswith("conda-session: error: ")
    assert proc.stderr.count("\n") == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    for fragment in fragments:
        assert fragment in proc.stderr


def test_login_status_which_fetch_logout(
    subprocess_env: dict[str, str], server: ChannelServer, tmp_path: Path
) -> None:
    env = subprocess_env
    channel = server.url + "/channel"
    proc = login(env, channel, PASSWORD, "--verify")
    assert proc.returncode == 0, proc.stderr
    condarc = Path(env["CONDARC"]).read_text()
    assert PASSWORD not in condarc
    entry = yaml.safe_load(condarc)["channel_settings"][0]
    assert entry == {"channel": f"{channel}/*", "auth": "basic-auth"}

    status = conda_session(env, "status", "--json")
    assert status.returncode == 0, status.stderr
    assert PASSWORD not in status.stdout
    row = json.loads(status.stdout)["channels"][0]
    assert row["session"] == "basic-auth"
    assert row["details"]["credential"] == "keyring"
    assert row["details"]["username"] == USER

    which = conda_session(env, "which", channel + "/noarch/repodata.json", "--json")
    assert json.loads(which.stdout)["session"] == "basic-auth"
    assert json.loads(which.stdout)["channel"] == channel
    other = conda_session(env, "which", server.url + "/channel-other/x", "--json")
    assert json.loads(other.stdout)["channel"] is None

    target = tmp_path / "out" / "repodata.json"
    fetched = conda_session(env, "fetch", server.url + REPODATA, "-o", str(target))
    assert fetched.returncode == 0, fetched.stderr
    assert json.loads(target.read_text())["info"]["subdir"] == "noarch"
    to_stdout = conda_session(env, "fetch", server.url + REPODATA)
    assert json.loads(to_stdout.stdout)["info"]["subdir"] == "noarch"

    missing = conda_session(env, "fetch", server.url + "/channel/noarch/absent.json")
    assert_one_line_error(missing, "HTTP 404")

    out = conda_session(env, "logout", channel)
    assert out.returncode == 0, out.stderr
    assert "credentials and entry removed" in out.stdout
    assert "channel_settings" not in Path(env["CONDARC"]).read_text()
    assert PASSWORD not in keyring_text(env)
    after = conda_session(env, "fetch", server.url + REPODATA)
    assert_one_line_error(after, "HTTP 401")


def test_verify_with_a_wrong_password_saves_nothing(
    subprocess_env: dict[str, str], server: ChannelServer
) -> None:
    proc = login(subprocess_env, server.url + "/channel", "not-the-password", "--verify")
    assert_one_line_error(proc, "rejected the credentials", "nothing was saved")
    assert "not-the-password" not in proc.stderr
    assert not Path(subprocess_env["CONDARC"]).exists()
    assert "not-the-password" not in keyring_text(subprocess_env)


def test_fetch_with_stored_wrong_password_says_so(
    subprocess_env: dict[str, str], server: ChannelServer
) -> None:
    proc = login(subprocess_env, server.url + "/channel", "wrong-but-saved")
    assert proc.returncode == 0, proc.stderr
    fetched = conda_session(subprocess_env, "fetch", server.url + REPODATA)
    assert_one_line_error(fetched, "HTTP 401", "'alice'", "keyring")
    assert "wrong-but-saved" not in fetched.stderr + fetched.stdout


def test_missing_credentials_in_ci_fail_before_any_request(
    subprocess_env: dict[str, str], server: ChannelServer
) -> None:
    Path(subprocess_env["CONDARC"]).write_text(
        f"channel_settings:\n  - channel: {server.url}/channel\n    auth: basic-auth\n"
    )
    env = {**subprocess_env, "CI": "true"}
    fetched = conda_session(env, "fetch", server.url + REPODATA)
    assert_one_line_error(fetched, "not interactive", "CONDA_BASIC_AUTH_")
    assert server.recorded() == []


def test_ci_credentials_from_the_environment(
    subprocess_env: dict[str, str], server: ChannelServer
) -> None:
    Path(subprocess_env["CONDARC"]).write_text(
        "channels:\n"
        f"  - {server.url}/channel:\n"
        "      network_session_class: basic-auth\n"
        "      env_prefix: MYCHAN\n"
    )
    env = {**subprocess_env, "CI": "true", "MYCHAN_USERNAME": USER, "MYCHAN_PASSWORD": PASSWORD}
    fetched = conda_session(env, "fetch", server.url + REPODATA)
    assert fetched.returncode == 0, fetched.stderr
    status = conda_session(env, "status")
    assert "environment variable MYCHAN_PASSWORD" in status.stdout
    assert PASSWORD not in status.stdout


@pytest.mark.parametrize(
    ("args", "stdin", "fragment"),
    [
        (["--session", "basic-auth", "--password-stdin"], "pw\n", "--username"),
        (["--session", "basic-auth", "--username", "u"], None, "--password-stdin"),
        (["--session", "basic-auth", "--username", "u", "--password-stdin"], "\n", "empty"),
        (["--session", "nope"], None, "installed sessions: basic-auth"),
    ],
)
def test_bad_login_input_is_one_line(
    subprocess_env: dict[str, str], args: list[str], stdin: str | None, fragment: str
) -> None:
    proc = conda_session(subprocess_env, "login", "https://repo.example.test/c", *args, stdin=stdin)
    assert_one_line_error(proc, fragment)
    assert not Path(subprocess_env["CONDARC"]).exists()


def test_plain_http_login_to_a_remote_host_needs_opt_in(subprocess_env: dict[str, str]) -> None:
    proc = login(subprocess_env, "http://repo.example.test/c", "pw")
    assert_one_line_error(proc, "--allow-http")
    opted = login(subprocess_env, "http://repo.example.test/c", "pw", "--allow-http")
    assert opted.returncode == 0, opted.stderr
    entry = yaml.safe_load(Path(subprocess_env["CONDARC"]).read_text())["channel_settings"][0]
    assert entry["allow_http"] == "true"


def test_console_script_is_installed(subprocess_env: dict[str, str]) -> None:
    script = Path(sys.executable).parent / "conda-session"
    proc = subprocess.run(
        [str(script), "which", "https://nowhere.test/x"],
        env=subprocess_env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert "session: default" in proc.stdout
