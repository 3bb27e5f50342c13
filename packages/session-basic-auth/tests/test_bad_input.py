"""Issue 12 for basic-auth: junk channel names, an inline password, credentials that cannot
go into a header and hostile secret files are each one clear line; nothing is sent."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from session_basic_auth.sources import env_prefix

from plugin_contract.session.channels import ChannelMatch, ChannelPattern
from plugin_contract.session.errors import CredentialsError
from testharness.channel import ChannelServer

from .conftest import PASSWORD, USER
from .test_cli import conda_session
from .test_credentials import REPODATA, registry_for, store_login, write_condarc


@pytest.mark.parametrize("name", ["$(id)", "../../etc/passwd", "a b", "chan/../other"])
def test_login_refuses_junk_channel_names_and_writes_nothing(
    subprocess_env: dict[str, str], name: str
) -> None:
    proc = conda_session(
        subprocess_env,
        "login",
        name,
        "--session",
        "basic-auth",
        "--username",
        USER,
        "--password-stdin",
        stdin=PASSWORD + "\n",
    )
    assert proc.returncode == 1, proc.stdout
    assert proc.stderr.count("\n") == 1, proc.stderr
    assert "not a channel name" in proc.stderr or "'..' is not allowed" in proc.stderr
    assert not Path(subprocess_env["CONDARC"]).exists()
    keyring_file = Path(subprocess_env["TESTHARNESS_KEYRING_FILE"])
    assert not keyring_file.exists() or PASSWORD not in keyring_file.read_text()


def test_an_inline_password_is_an_error_naming_the_safe_places(
    home: dict[str, str], server: ChannelServer
) -> None:
    store_login(server)  # a working keyring login: before, the inline password was ignored
    write_condarc(home, server, username=USER, password=PASSWORD)
    session = registry_for(home).get_session(server.url + REPODATA)
    with pytest.raises(CredentialsError) as caught:
        session.get(server.url + REPODATA)
    message = str(caught.value)
    assert "inline 'password'" in message
    for safe in ("password_file", "_PASSWORD", "keyring"):
        assert safe in message
    assert PASSWORD not in message
    assert server.recorded() == []


def test_a_password_that_is_not_utf8_is_one_line(
    home: dict[str, str], server: ChannelServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_condarc(home, server, username=USER)
    channel = ChannelMatch(ChannelPattern.parse(f"{server.url}/channel"), "basic-auth", {})
    # how os.environ shows the bytes b"\xff\xfe" of a non-UTF-8 environment
    monkeypatch.setenv(f"{env_prefix(channel)}_PASSWORD", os.fsdecode(b"pw\xff\xfe"))
    env = {**home, **{k: v for k, v in os.environ.items() if k.startswith("CONDA_BASIC")}}
    session = registry_for(env).get_session(server.url + REPODATA)
    with pytest.raises(CredentialsError, match="not valid UTF-8"):
        session.get(server.url + REPODATA)
    assert server.recorded() == []


@pytest.mark.parametrize(
    ("kind", "fragment"), [("fifo", "FIFO"), ("binary", "not UTF-8"), ("dir", "directory")]
)
def test_a_hostile_password_file_is_one_line_without_waiting(
    home: dict[str, str], server: ChannelServer, tmp_path: Path, kind: str, fragment: str
) -> None:
    secret = tmp_path / "secret"
    if kind == "fifo":
        os.mkfifo(secret)
    elif kind == "binary":
        secret.write_bytes(b"pass\x81\x00\xffword")
    else:
        secret.mkdir()
    write_condarc(home, server, username=USER, password_file=str(secret))
    session = registry_for(home).get_session(server.url + REPODATA)
    with pytest.raises(CredentialsError, match=fragment):
        session.get(server.url + REPODATA)
    assert server.recorded() == []
