"""Tokens stay secret: only inside the channel, stripped on cross-origin redirects, never in
logs (DEBUG too), reprs or errors; logout revokes them at the server."""

from __future__ import annotations

import logging

import pytest
from session_oauth.login import run_logout

from plugin_contract.session.errors import CredentialsError
from testharness.channel import ChannelServer
from testharness.oauth_kit import logged_in, make_session, public_settings
from testharness.oidc import RESOURCE_SERVER, OidcProvider

pytestmark = pytest.mark.slow


def test_token_is_stripped_on_a_cross_origin_redirect(
    fresh_provider: OidcProvider, env: dict[str, str], channel: ChannelServer
) -> None:
    with ChannelServer(host="127.0.0.2") as elsewhere:
        channel.redirects["/channel/noarch/moved.json"] = (
            elsewhere.url + "/channel/noarch/repodata.json"
        )
        session = logged_in(fresh_provider, env, channel.url + "/channel")
        response = session.get(channel.url + "/channel/noarch/moved.json")
        assert response.status_code == 200
        assert elsewhere.recorded(), "the redirect was not followed"
        assert elsewhere.authorizations() == []
        assert channel.authorizations()  # the channel itself got the token


def test_token_is_not_sent_outside_the_channel_path_on_the_same_host(
    fresh_provider: OidcProvider, env: dict[str, str], channel: ChannelServer
) -> None:
    channel.files["/other/noarch/repodata.json"] = b"{}"
    channel.files["/channel-two/noarch/repodata.json"] = b"{}"
    session = logged_in(fresh_provider, env, channel.url + "/channel")
    session.get(channel.url + "/other/noarch/repodata.json")
    session.get(channel.url + "/channel-two/noarch/repodata.json")
    assert [r.authorization for r in channel.recorded()] == [None, None]


def test_same_host_redirect_out_of_the_channel_path_drops_the_token(
    fresh_provider: OidcProvider, env: dict[str, str], channel: ChannelServer
) -> None:
    channel.files["/public/noarch/repodata.json"] = b"{}"
    channel.redirects["/channel/noarch/moved.json"] = channel.url + "/public/noarch/repodata.json"
    session = logged_in(fresh_provider, env, channel.url + "/channel")
    # this test server wants a token everywhere, so the token-less request gets a 401
    assert session.get(channel.url + "/channel/noarch/moved.json").status_code == 401
    public = [r for r in channel.recorded() if r.path.startswith("/public/")]
    assert len(public) == 1
    assert public[0].authorization is None
    assert fresh_provider.stats()["total"] == 0  # a 401 outside the channel refreshes nothing


def test_no_token_in_debug_logs_reprs_or_status(
    fresh_provider: OidcProvider,
    env: dict[str, str],
    channel: ChannelServer,
    caplog: pytest.LogCaptureFixture,
) -> None:
    from testharness.oauth_kit import Clock

    caplog.set_level(logging.DEBUG)
    clock = Clock()
    session = logged_in(fresh_provider, env, channel.url + "/channel", clock)
    first = session.manager.stored()
    clock.offset = 50
    assert session.get(channel.url + "/channel/noarch/repodata.json").status_code == 200
    second = session.manager.stored()
    assert first is not None
    assert second is not None
    from plugin_contract.session.base import StatusRequest

    status = type(session).status(
        StatusRequest(session.channel, "oauth", session.config, None, env)  # type: ignore[arg-type]
    )
    texts = [
        caplog.text,
        repr(session),
        repr(session.manager),
        repr(first),
        repr(second),
        repr(session.token_endpoint()),
        repr(session.auth),
        str(status),
    ]
    secrets = [first.access_token, second.access_token, first.refresh_token, second.refresh_token]
    for secret in secrets:
        assert secret
        for text in texts:
            assert secret not in text
    assert "refresh" in caplog.text.lower() or "renewed" in caplog.text  # logging did happen


def test_plain_http_to_a_remote_host_is_refused(
    fresh_provider: OidcProvider, env: dict[str, str]
) -> None:
    session = make_session("http://repo.example.com/channel", public_settings(fresh_provider), env)
    with pytest.raises(CredentialsError, match="plain http"):
        session.get("http://repo.example.com/channel/noarch/repodata.json")


def test_logout_revokes_the_tokens_at_the_server(
    fresh_provider: OidcProvider, env: dict[str, str], channel: ChannelServer
) -> None:
    session = logged_in(fresh_provider, env, channel.url + "/channel")
    tokens = session.manager.stored()
    assert tokens is not None
    assert tokens.refresh_token
    assert fresh_provider.introspect(tokens.access_token, *RESOURCE_SERVER)["active"] is True
    assert run_logout(session) is True
    assert fresh_provider.introspect(tokens.access_token, *RESOURCE_SERVER)["active"] is False
    assert fresh_provider.introspect(tokens.refresh_token, *RESOURCE_SERVER)["active"] is False
    assert session.manager.stored() is None
    assert run_logout(session) is False
    with pytest.raises(Exception, match="not logged in"):
        session.get(channel.url + "/channel/noarch/repodata.json")


def test_inline_client_secret_is_refused(fresh_provider: OidcProvider, env: dict[str, str]) -> None:
    from session_oauth.errors import OAuthConfigError

    settings = public_settings(fresh_provider, oauth_client_secret="hunter2")
    with pytest.raises(OAuthConfigError, match="must not be written") as raised:
        make_session("http://127.0.0.1:1/channel", settings, env)
    assert "hunter2" not in str(raised.value)


def test_a_discovery_document_for_another_issuer_is_refused(
    fresh_provider: OidcProvider, env: dict[str, str], channel: ChannelServer
) -> None:
    from session_oauth.errors import OAuthConfigError

    impostor = fresh_provider.issuer.replace("127.0.0.1", "localhost")
    session = make_session(
        channel.url + "/channel", public_settings(fresh_provider, oauth_issuer=impostor), env
    )
    with pytest.raises(OAuthConfigError, match="names another issuer"):
        session.token_endpoint()
