"""Issue 12 for oauth: hostile token files, tokens no header can carry, broken expiry and
the non-secret facts ``status`` must show; each bad case is one line, nothing is sent."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from session_oauth.errors import OAuthConfigError, TokenStorageError
from session_oauth.session import OAuthSession, _expiry_text
from session_oauth.settings import OAuthSettings
from session_oauth.store import FileTokenStore
from session_oauth.tokens import TokenSet

from plugin_contract.session import ChannelMatch, ChannelPattern, SessionConfig, StatusRequest
from plugin_contract.session.credentials import CredentialStore

GOOD = TokenSet("abc.def-ghi", 10.0, 60.0, "r1", grant="device")


@pytest.mark.parametrize(
    ("kind", "fragment"),
    [
        ("fifo", "FIFO"),
        ("dir", "is a directory"),
        ("binary", "damaged"),
        ("refresh-number", "damaged"),
        ("crlf", "damaged"),
    ],
)
def test_a_hostile_token_file_is_one_line_without_waiting(
    tmp_path: Path, kind: str, fragment: str
) -> None:
    store = FileTokenStore(tmp_path / "tokens")
    store.save("key", GOOD)
    path = next(store.directory.iterdir())
    path.unlink()
    if kind == "fifo":
        os.mkfifo(path, 0o600)
    elif kind == "dir":
        path.mkdir(mode=0o755)
    else:
        data = {
            "binary": b"\xff\xfe\x00\x81",
            "refresh-number": json.dumps({"access_token": "a", "refresh_token": 42}).encode(),
            "crlf": json.dumps({"access_token": "a\r\nX-Evil: 1"}).encode(),
        }[kind]
        path.write_bytes(data)
        path.chmod(0o600)
    with pytest.raises(TokenStorageError) as caught:
        store.load("key")
    assert fragment in str(caught.value)
    assert "readable by other users" not in str(caught.value)
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize("token", ["abc\r\nX-Evil: 1", "t\u00f6ken", "tok\u4e2den", "two words"])
def test_tokens_no_header_can_carry_are_refused(
    token: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(ValueError, match="HTTP header cannot carry"):
        TokenSet.from_response({"access_token": token}, 0.0, "device", None)
    settings = OAuthSettings.from_channel({"oauth_token_env": "CI_TOKEN"})
    with pytest.raises(OAuthConfigError, match="CI_TOKEN contains characters"):
        settings.static_token({"CI_TOKEN": token})


@pytest.mark.parametrize("expires_in", ["nan", "inf", float("nan"), "soon"])
def test_an_unreadable_expires_in_counts_as_expired(expires_in: object) -> None:
    tokens = TokenSet.from_response(
        {"access_token": "a", "expires_in": expires_in}, 1000.0, "device", None
    )
    assert tokens.is_expired(1000.0)
    assert _expiry_text(tokens.expires_at, 1000.0) == "expired"
    assert _expiry_text(float("nan"), 1000.0) == "expired"


def test_a_non_string_refresh_token_from_the_server_is_refused() -> None:
    with pytest.raises(ValueError, match="refresh_token is not a string"):
        TokenSet.from_response({"access_token": "a", "refresh_token": 7}, 0.0, "device", None)


def test_status_shows_the_non_secret_facts(tmp_path: Path) -> None:
    settings = {
        "oauth_client_id": "conda",
        "oauth_token_endpoint": "https://idp.example/token",
        "oauth_token_storage": "file",
    }
    channel = ChannelMatch(ChannelPattern.parse("https://h.example/c"), "oauth", settings)
    config = SessionConfig(environ={"CONDA_SESSION_OAUTH_DIR": str(tmp_path)})
    request = StatusRequest(channel, "oauth", config, CredentialStore(), config.environ)
    before = OAuthSession.status(request)
    assert before["logged_in"] == "no"
    assert before["token_endpoint"] == "https://idp.example/token"
    assert before["token_storage"] == "file"
    session = OAuthSession(channel=channel, config=config)
    session.manager.store.save(session.manager.key, TokenSet("secret-token", 1e12, 60.0, "r"))
    after = OAuthSession.status(request)
    assert after["access_token_expiry"].startswith("in ")
    assert after["refresh_token_stored"] == "yes"
    assert "secret-token" not in str(after)
