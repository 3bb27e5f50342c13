"""Pure logic: token timing, settings validation, flow choice, redirect checks, storage."""

from __future__ import annotations

import stat
import warnings
from pathlib import Path

import pytest
from session_oauth.browser_flow import check_callback
from session_oauth.errors import LoginFailedError, OAuthConfigError, TokenStorageError
from session_oauth.login import choose_flow
from session_oauth.settings import OAuthSettings
from session_oauth.store import FileTokenStore, KeyringTokenStore, open_store
from session_oauth.tokens import TokenSet

ISSUER = "https://id.example.com"


@pytest.mark.parametrize(
    ("lifetime", "refresh_at"),
    [(60, 1000 + 45), (3600, 1000 + 3300), (300, 1000 + 225), (4, 1000 + 3)],
)
def test_refresh_when_less_than_min_300s_or_a_quarter_remains(lifetime, refresh_at) -> None:
    tokens = TokenSet.from_response(
        {"access_token": "a", "expires_in": lifetime}, 1000.0, "device", None
    )
    assert tokens.refresh_at() == refresh_at
    assert not tokens.needs_refresh(refresh_at - 0.001)
    assert tokens.needs_refresh(refresh_at)
    assert tokens.is_expired(1000 + lifetime)


def test_refresh_keeps_the_old_refresh_token_when_none_is_returned() -> None:
    first = TokenSet.from_response(
        {"access_token": "a", "refresh_token": "r1", "expires_in": 60}, 0.0, "device", None
    )
    second = TokenSet.from_response({"access_token": "b", "expires_in": 60}, 0.0, "device", first)
    assert second.refresh_token == "r1"
    assert "r1" not in repr(second)
    assert "b" not in repr(second).replace("grant", "")


def test_token_set_round_trips_through_json() -> None:
    tokens = TokenSet("a", 10.0, 60.0, "r", "Bearer", "openid", "browser")
    assert TokenSet.from_json(tokens.to_json()) == tokens


def test_settings_are_validated_with_one_readable_line() -> None:
    with pytest.raises(OAuthConfigError, match="oauth_flow must be one of"):
        OAuthSettings.from_channel(
            {"oauth_issuer": ISSUER, "oauth_client_id": "c", "oauth_flow": "x"}
        )
    with pytest.raises(OAuthConfigError, match="https"):
        OAuthSettings.from_channel(
            {"oauth_issuer": "http://id.example.com", "oauth_client_id": "c"}
        )
    with pytest.raises(OAuthConfigError, match="oauth_client_id is missing"):
        OAuthSettings.from_channel({"oauth_issuer": ISSUER})
    with pytest.raises(OAuthConfigError, match="oauth_issuer"):
        OAuthSettings.from_channel({"oauth_client_id": "c"})
    with pytest.raises(OAuthConfigError, match="oauth_token_storage"):
        OAuthSettings.from_channel(
            {"oauth_issuer": ISSUER, "oauth_client_id": "c", "oauth_token_storage": "cloud"}
        )
    settings = OAuthSettings.from_channel({"oauth_issuer": ISSUER + "/", "oauth_client_id": "c"})
    assert settings.issuer == ISSUER
    assert OAuthSettings.from_channel({"oauth_token_env": "TOKEN"}).token_env == "TOKEN"


def test_client_secret_comes_from_env_or_file(tmp_path: Path) -> None:
    by_env = OAuthSettings.from_channel(
        {"oauth_issuer": ISSUER, "oauth_client_id": "c", "oauth_client_secret_env": "S"}
    )
    assert by_env.client_secret({"S": "from-env"}) == "from-env"
    with pytest.raises(OAuthConfigError, match=r"S .*is not set"):
        by_env.client_secret({})
    secret = tmp_path / "secret"
    secret.write_text("from-file\n")
    by_file = OAuthSettings.from_channel(
        {"oauth_issuer": ISSUER, "oauth_client_id": "c", "oauth_client_secret_file": str(secret)}
    )
    assert by_file.client_secret({}) == "from-file"


@pytest.mark.parametrize(
    ("environ", "secret", "expected"),
    [
        ({"DISPLAY": ":0"}, False, "browser"),
        ({"DISPLAY": ":0", "SSH_CONNECTION": "1.2.3.4 5 6.7.8.9 22"}, False, "device"),
        ({}, False, "device"),
        ({"DISPLAY": ":0"}, True, "client-credentials"),
    ],
)
def test_auto_flow_choice(environ, secret, expected, monkeypatch) -> None:
    monkeypatch.setattr("sys.platform", "linux")
    assert choose_flow(None, "auto", environ, secret) == expected
    assert choose_flow("device", "auto", environ, secret) == "device"


def test_callback_checks_state_and_issuer() -> None:
    good = {"code": "c", "state": "s" * 22, "iss": ISSUER}
    check_callback(good, "s" * 22, ISSUER, True)
    with pytest.raises(LoginFailedError, match="wrong state"):
        check_callback({**good, "state": "t" * 22}, "s" * 22, ISSUER, True)
    with pytest.raises(LoginFailedError, match="different issuer"):
        check_callback({"code": "c", "state": "s" * 22}, "s" * 22, ISSUER, True)
    with pytest.raises(LoginFailedError, match="different issuer"):
        check_callback({**good, "iss": "https://evil.example.com"}, "s" * 22, ISSUER, False)
    with pytest.raises(LoginFailedError, match="refused"):
        check_callback({"error": "access_denied", "state": "s" * 22}, "s" * 22, ISSUER, True)


def test_file_store_is_private_and_atomic(tmp_path: Path) -> None:
    store = FileTokenStore(tmp_path / "state" / "tokens")
    tokens = TokenSet("a", 10.0, 60.0, "r", grant="device")
    store.save("key", tokens)
    files = list(store.directory.iterdir())
    assert len(files) == 1
    assert "key" not in files[0].name
    assert stat.S_IMODE(files[0].stat().st_mode) == 0o600
    assert stat.S_IMODE(store.directory.stat().st_mode) == 0o700
    assert store.load("key") == tokens
    files[0].chmod(0o644)
    with pytest.raises(TokenStorageError, match="readable by other users"):
        store.load("key")
    assert store.delete("key") is True
    assert store.load("key") is None


@pytest.fixture
def no_keyring(monkeypatch: pytest.MonkeyPatch) -> None:
    import keyring
    from keyring.backends import fail

    monkeypatch.setattr(keyring.core, "_keyring_backend", fail.Keyring())


def test_without_a_keyring_auto_falls_back_to_a_file_with_a_warning(
    tmp_path: Path, no_keyring: None
) -> None:
    with pytest.warns(UserWarning, match="no usable system keyring"):
        store = open_store("auto", tmp_path)
    assert isinstance(store, FileTokenStore)


def test_without_a_keyring_keyring_storage_refuses(tmp_path: Path, no_keyring: None) -> None:
    with pytest.raises(TokenStorageError, match="oauth_token_storage is 'keyring'"):
        open_store("keyring", tmp_path)


def test_a_real_keyring_backend_is_used_when_available(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import keyring

    from testharness.keyring_backend import FileKeyring

    monkeypatch.setenv("TESTHARNESS_KEYRING_FILE", str(tmp_path / "keyring.json"))
    monkeypatch.setattr(keyring.core, "_keyring_backend", FileKeyring())
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        store = open_store("auto", tmp_path)
    assert isinstance(store, KeyringTokenStore)
    tokens = TokenSet("a", 10.0, 60.0, "r", grant="device")
    store.save("key", tokens)
    assert store.load("key") == tokens
    assert store.delete("key") is True
    assert store.load("key") is None
    assert not (tmp_path / "tokens").exists()


@pytest.mark.parametrize(
    "url",
    ["http://127.attacker.example/token", "http://127.0.0.1.nip.evil.test/token", "http://[::1"],
)
def test_token_endpoint_loopback_is_decided_by_address(url: str) -> None:
    from session_oauth.errors import OAuthConfigError
    from session_oauth.settings import require_safe_url

    with pytest.raises(OAuthConfigError):
        require_safe_url("oauth_token_url", url)
    assert require_safe_url("oauth_token_url", "http://127.0.0.2:9/token")


@pytest.mark.parametrize("expires_at", ["NaN", "Infinity", '"tomorrow"', "[]"])
def test_unreadable_expiry_counts_as_expired(expires_at: str) -> None:
    tokens = TokenSet.from_json(f'{{"access_token": "a", "expires_at": {expires_at}}}')
    assert tokens.is_expired(now=1.0)
    assert tokens.needs_refresh(now=1.0)
