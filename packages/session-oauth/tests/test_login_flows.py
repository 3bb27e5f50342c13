"""Logging in against a real oidc-provider: device flow, browser (PKCE), client credentials."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import pytest
from session_oauth.errors import LoginFailedError, OAuthConfigError
from session_oauth.login import run_login

from testharness.channel import ChannelServer
from testharness.oauth_kit import (
    PUBLIC_CLIENT,
    browser_tokens,
    ci_settings,
    drive_browser,
    make_session,
    public_settings,
)
from testharness.oidc import OidcProvider

pytestmark = pytest.mark.slow


class Terminal:
    """Captures what the login prints; the test then acts on the user code shown."""

    def __init__(self) -> None:
        self.text = ""

    def write(self, text: str) -> int:
        self.text += text
        return len(text)

    def flush(self) -> None:
        return None

    def user_code(self) -> str:
        found = re.search(r"enter the code (\S+)", self.text)
        assert found is not None, self.text
        return found.group(1)


def device_login(provider, env, channel, *, decide, sleeps=None):
    session = make_session(channel.url + "/channel", public_settings(provider), env)
    terminal = Terminal()
    recorded = sleeps if sleeps is not None else []

    def sleep(seconds: float) -> None:
        recorded.append(seconds)
        if len(recorded) == 1:
            decide(terminal.user_code())

    tokens = run_login(session, flow="device", out=terminal, sleep=sleep)  # type: ignore[arg-type]
    return session, tokens, terminal


def test_device_flow_approved_gives_a_token_the_channel_accepts(
    fresh_provider: OidcProvider, env: dict[str, str], channel: ChannelServer
) -> None:
    session, tokens, terminal = device_login(
        fresh_provider, env, channel, decide=fresh_provider.device_decision
    )
    assert "127.0.0.1" in terminal.text
    assert "/device" in terminal.text
    assert tokens.refresh_token
    response = session.get(channel.url + "/channel/noarch/repodata.json")
    assert response.status_code == 200
    assert channel.authorizations() == [f"Bearer {tokens.access_token}"]


def test_device_flow_denied_stores_nothing(
    fresh_provider: OidcProvider, env: dict[str, str], channel: ChannelServer
) -> None:
    with pytest.raises(LoginFailedError, match="denied"):
        device_login(
            fresh_provider,
            env,
            channel,
            decide=lambda code: fresh_provider.device_decision(code, approve=False),
        )
    session = make_session(channel.url + "/channel", public_settings(fresh_provider), env)
    assert session.manager.stored() is None


def test_device_flow_slow_down_adds_five_seconds(
    fresh_provider: OidcProvider, env: dict[str, str], channel: ChannelServer
) -> None:
    fresh_provider.queue_faults({"status": 400, "body": {"error": "slow_down"}})
    sleeps: list[float] = []
    _, tokens, _ = device_login(
        fresh_provider, env, channel, decide=fresh_provider.device_decision, sleeps=sleeps
    )
    assert tokens.access_token
    assert sleeps[:2] == [5.0, 10.0]


def test_device_flow_server_side_expiry_is_reported(
    fresh_provider: OidcProvider, env: dict[str, str], channel: ChannelServer
) -> None:
    fresh_provider.queue_faults({"status": 400, "body": {"error": "expired_token"}})
    with pytest.raises(LoginFailedError, match="expired"):
        device_login(fresh_provider, env, channel, decide=lambda code: None)


def test_device_flow_gives_up_when_the_code_lifetime_has_passed(
    fresh_provider: OidcProvider, env: dict[str, str], channel: ChannelServer
) -> None:
    from session_oauth import device_flow

    session = make_session(channel.url + "/channel", public_settings(fresh_provider), env)
    endpoint = session.token_endpoint()
    authorization = device_flow.start_device_authorization(endpoint)
    now = [0.0]

    def sleep(seconds: float) -> None:
        now[0] += seconds

    with pytest.raises(LoginFailedError, match="expired"):
        device_flow.poll_for_tokens(endpoint, authorization, sleep=sleep, clock=lambda: now[0])
    polls = fresh_provider.stats()["byGrant"].get("urn:ietf:params:oauth:grant-type:device_code")
    assert polls == int(authorization.expires_in // authorization.interval) - 1


def test_browser_flow_with_pkce_logs_in(
    fresh_provider: OidcProvider, env: dict[str, str], channel: ChannelServer
) -> None:
    session = make_session(channel.url + "/channel", public_settings(fresh_provider), env)
    tokens = browser_tokens(fresh_provider, session)
    assert tokens.grant == "browser"
    assert tokens.refresh_token
    assert session.get(channel.url + "/channel/noarch/repodata.json").status_code == 200


def _rewrite_query(url: str, **changes: str) -> str:
    parts = urlsplit(url)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    query.update(changes)
    return urlunsplit(parts._replace(query=urlencode(query)))


@pytest.mark.parametrize(
    ("change", "message"),
    [({"state": "forged-state"}, "wrong state"), ({"iss": "http://127.0.0.1:1"}, "issuer")],
)
def test_browser_flow_rejects_a_wrong_state_or_issuer(
    fresh_provider: OidcProvider,
    env: dict[str, str],
    channel: ChannelServer,
    change: dict[str, str],
    message: str,
) -> None:
    session = make_session(channel.url + "/channel", public_settings(fresh_provider), env)

    def open_browser(url: str) -> bool:
        delivered = drive_browser(url, tamper=lambda callback: _rewrite_query(callback, **change))
        assert parse_qs(urlsplit(delivered).query)["code"]
        return True

    with pytest.raises(LoginFailedError, match=message):
        run_login(session, flow="browser", open_browser=open_browser, browser_timeout=30)
    assert session.manager.stored() is None
    assert fresh_provider.stats()["total"] == 0  # the code was never redeemed


def test_browser_flow_sends_pkce_s256_and_a_random_loopback_port(
    fresh_provider: OidcProvider, env: dict[str, str], channel: ChannelServer
) -> None:
    seen: list[str] = []
    for _ in range(2):
        session = make_session(channel.url + "/channel", public_settings(fresh_provider), env)

        def open_browser(url: str) -> bool:
            seen.append(url)
            drive_browser(url)
            return True

        run_login(session, flow="browser", open_browser=open_browser, browser_timeout=30)
    queries = [parse_qs(urlsplit(url).query) for url in seen]
    for query in queries:
        assert query["code_challenge_method"] == ["S256"]
        assert query["client_id"] == [PUBLIC_CLIENT]
        assert urlsplit(query["redirect_uri"][0]).hostname == "127.0.0.1"
        assert len(query["state"][0]) >= 22
    assert queries[0]["redirect_uri"] != queries[1]["redirect_uri"]
    assert queries[0]["state"] != queries[1]["state"]


def test_client_credentials_login_and_use(
    fresh_provider: OidcProvider, env: dict[str, str], channel: ChannelServer
) -> None:
    session = make_session(channel.url + "/channel", ci_settings(fresh_provider), env)
    tokens = run_login(session, interactive=False)
    assert tokens.grant == "client_credentials"
    assert tokens.refresh_token is None
    assert session.get(channel.url + "/channel/noarch/repodata.json").status_code == 200
    assert fresh_provider.stats()["byGrant"] == {"client_credentials": 1}


def test_client_credentials_are_fetched_again_when_the_token_expires(
    fresh_provider: OidcProvider, env: dict[str, str], channel: ChannelServer
) -> None:
    from testharness.oauth_kit import Clock

    clock = Clock()
    session = make_session(channel.url + "/channel", ci_settings(fresh_provider), env, clock)
    first = run_login(session, interactive=False)
    clock.offset = 120
    assert session.get(channel.url + "/channel/noarch/repodata.json").status_code == 200
    assert channel.authorizations()[-1] != f"Bearer {first.access_token}"
    assert fresh_provider.stats()["byGrant"] == {"client_credentials": 2}


def test_interactive_flows_refuse_without_a_terminal(
    fresh_provider: OidcProvider, env: dict[str, str], channel: ChannelServer
) -> None:
    session = make_session(channel.url + "/channel", public_settings(fresh_provider), env)
    with pytest.raises(Exception, match="person at the terminal"):
        run_login(session, flow="device", interactive=False)


def test_static_token_from_the_environment(
    fresh_provider: OidcProvider,
    env: dict[str, str],
    channel: ChannelServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ci = make_session(channel.url + "/channel", ci_settings(fresh_provider), env)
    token = run_login(ci, interactive=False).access_token
    monkeypatch.setenv("CHANNEL_TOKEN", token)
    session = make_session(
        channel.url + "/channel",
        {"oauth_token_env": "CHANNEL_TOKEN"},
        {**env, "CHANNEL_TOKEN": token},
    )
    assert session.get(channel.url + "/channel/noarch/repodata.json").status_code == 200
    missing = make_session(channel.url + "/channel", {"oauth_token_env": "NOT_SET_ANYWHERE"}, env)
    with pytest.raises(OAuthConfigError, match="NOT_SET_ANYWHERE"):
        missing.get(channel.url + "/channel/noarch/repodata.json")


def test_device_code_expired_at_the_real_server(
    env: dict[str, str], channel: ChannelServer, tmp_path
) -> None:
    from session_oauth import device_flow

    from testharness.oauth_kit import OIDC_DIR, SETUP_HINT
    from testharness.oidc import start_oidc_provider

    short = start_oidc_provider(
        OIDC_DIR, tmp_path / "short.log", device_code_ttl=1, setup_hint=SETUP_HINT
    )
    try:
        session = make_session(channel.url + "/channel", public_settings(short), env)
        endpoint = session.token_endpoint()
        authorization = device_flow.start_device_authorization(endpoint)
        assert authorization.expires_in == 1
        # our own deadline is pushed out so that the server's verdict is what ends the login
        late = device_flow.DeviceAuthorization(
            **{**authorization.__dict__, "expires_in": 60.0, "interval": 1.5}
        )
        with pytest.raises(LoginFailedError, match="expired"):
            device_flow.poll_for_tokens(endpoint, late)
        assert short.stats()["errors"] == {"expired_token": 1}
    finally:
        short.process.stop()
