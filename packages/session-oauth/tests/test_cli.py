"""``conda-session`` with the oauth session, end to end in subprocesses (client credentials)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from testharness.channel import ChannelServer
from testharness.oauth_kit import ci_bot_login, conda_session
from testharness.oidc import RESOURCE_SERVER, OidcProvider

pytestmark = pytest.mark.slow


def test_login_status_fetch_logout(
    fresh_provider: OidcProvider, env: dict[str, str], channel: ChannelServer, tmp_path: Path
) -> None:
    url = channel.url + "/channel"
    login = ci_bot_login(env, url, fresh_provider.issuer, "--oauth-scopes", "channel:read")
    assert login.returncode == 0, login.stderr
    condarc = Path(env["CONDARC"]).read_text()
    assert "ci-bot" in condarc
    assert "CI_BOT_SECRET" in condarc
    assert env["CI_BOT_SECRET"] not in condarc

    status = conda_session(env, "status", "--json")
    assert status.returncode == 0, status.stderr
    details = json.loads(status.stdout)["channels"][0]["details"]
    assert details["logged_in"] == "yes"
    assert details["login"] == "client_credentials"

    out = tmp_path / "repodata.json"
    fetch = conda_session(env, "fetch", url + "/noarch/repodata.json", "-o", str(out))
    assert fetch.returncode == 0, fetch.stderr
    assert json.loads(out.read_text())["info"]["subdir"] == "noarch"
    token = channel.authorizations()[-1].removeprefix("Bearer ")
    for text in (login.stdout, login.stderr, status.stdout, fetch.stdout, fetch.stderr):
        assert token not in text

    logout = conda_session(env, "logout", url)
    assert logout.returncode == 0, logout.stderr
    assert fresh_provider.introspect(token, *RESOURCE_SERVER)["active"] is False


def test_a_wrong_client_secret_is_one_line_and_writes_nothing(
    fresh_provider: OidcProvider, env: dict[str, str], channel: ChannelServer
) -> None:
    result = ci_bot_login(
        {**env, "CI_BOT_SECRET": "wrong"}, channel.url + "/channel", fresh_provider.issuer
    )
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("conda-session: error:")
    assert "invalid_client" in lines[0]
    assert not Path(env["CONDARC"]).exists()


def test_login_verify_saves_nothing_when_the_channel_rejects_the_token(
    fresh_provider: OidcProvider, env: dict[str, str], tmp_path: Path
) -> None:
    with ChannelServer(auth_check=lambda headers: False) as rejecting:
        result = ci_bot_login(env, rejecting.url + "/channel", fresh_provider.issuer, "--verify")
        assert rejecting.authorizations()  # the new token was tried on the channel
    assert result.returncode != 0
    assert "rejected the new token" in result.stderr
    assert not Path(env["CONDARC"]).exists()
    keyring_file = Path(env["TESTHARNESS_KEYRING_FILE"])
    assert not keyring_file.exists() or "conda-session::oauth" not in keyring_file.read_text()
    assert not any((tmp_path / "state").rglob("*.json"))
