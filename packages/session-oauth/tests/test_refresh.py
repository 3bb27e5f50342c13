"""Token lifecycle against a real oidc-provider: refresh, rotation, 401 retry, failures, and
the refresh storm (threads x processes) that must cost exactly one token request."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from session_oauth.errors import LoginRequiredError, TokenEndpointUnavailable
from session_oauth.session import OAuthSession

from testharness.channel import ChannelServer
from testharness.oauth_kit import Clock, logged_in, public_settings
from testharness.oidc import OidcProvider

pytestmark = pytest.mark.slow
REFRESH = "refresh_token"


def repodata(session: OAuthSession, channel: ChannelServer, method: str = "GET"):
    return session.request(method, channel.url + "/channel/noarch/repodata.json")


def test_refresh_before_expiry_saves_the_rotated_refresh_token(
    fresh_provider: OidcProvider, env: dict[str, str], channel: ChannelServer
) -> None:
    clock = Clock()
    session = logged_in(fresh_provider, env, channel.url + "/channel", clock)
    before = session.manager.stored()
    assert before is not None
    assert before.lifetime == 60
    clock.offset = 30  # 30 s left: more than 25 % of 60 s, no refresh yet
    assert repodata(session, channel).status_code == 200
    assert fresh_provider.stats()["total"] == 0
    clock.offset = 46  # 14 s left: less than min(300 s, 15 s)
    assert repodata(session, channel).status_code == 200
    after = session.manager.stored()
    assert after is not None
    assert fresh_provider.stats()["byGrant"] == {REFRESH: 1}
    assert after.access_token != before.access_token
    assert after.refresh_token != before.refresh_token  # rotated, and the new one saved
    assert channel.authorizations()[-1] == f"Bearer {after.access_token}"
    # the old refresh token is dead at the server; the saved one still works
    clock.offset = 46 + 46
    assert repodata(session, channel).status_code == 200
    assert fresh_provider.stats()["errors"] == {}


def test_server_side_revocation_costs_one_refresh_and_one_retry(
    fresh_provider: OidcProvider, env: dict[str, str], channel: ChannelServer
) -> None:
    session = logged_in(fresh_provider, env, channel.url + "/channel")
    revoked = session.manager.access_token()
    assert fresh_provider.destroy_access_token(revoked)
    response = repodata(session, channel)
    assert response.status_code == 200
    assert fresh_provider.stats()["byGrant"] == {REFRESH: 1}
    sent = channel.authorizations()
    assert sent[0] == f"Bearer {revoked}"
    assert len(sent) == 2
    assert sent[1] != sent[0]


def _rejected(session: OAuthSession, channel: ChannelServer, method: str, token: str):
    import requests

    request = requests.Request(
        method,
        channel.url + "/channel/noarch/repodata.json",
        headers={"Authorization": f"Bearer {token}"},
    ).prepare()
    response = requests.Response()
    response.status_code = 401
    response.request = request
    return response


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE"])
def test_a_401_on_a_non_idempotent_request_is_not_refreshed(
    fresh_provider: OidcProvider, env: dict[str, str], channel: ChannelServer, method: str
) -> None:
    session = logged_in(fresh_provider, env, channel.url + "/channel")
    token = session.manager.access_token()
    assert session.refresh_credentials(_rejected(session, channel, method, token)) is False
    assert fresh_provider.stats()["total"] == 0


def test_a_401_for_a_request_without_our_token_is_not_refreshed(
    fresh_provider: OidcProvider, env: dict[str, str], channel: ChannelServer
) -> None:
    session = logged_in(fresh_provider, env, channel.url + "/channel")
    assert session.refresh_credentials(_rejected(session, channel, "GET", "other")) is False
    assert fresh_provider.stats()["total"] == 0
    token = session.manager.access_token()
    assert session.refresh_credentials(_rejected(session, channel, "HEAD", token)) is True
    assert fresh_provider.stats()["byGrant"] == {REFRESH: 1}


def test_invalid_grant_asks_to_log_in_again(
    fresh_provider: OidcProvider, env: dict[str, str], channel: ChannelServer
) -> None:
    clock = Clock()
    session = logged_in(fresh_provider, env, channel.url + "/channel", clock)
    stored = session.manager.stored()
    assert stored is not None
    fresh_provider.queue_faults({"status": 400, "body": {"error": "invalid_grant"}})
    clock.offset = 120
    with pytest.raises(LoginRequiredError, match="conda-session login") as raised:
        repodata(session, channel)
    assert stored.access_token not in str(raised.value)
    assert stored.refresh_token is not None
    assert stored.refresh_token not in str(raised.value)
    assert channel.recorded() == []  # the expired token was never sent


def test_transient_failure_keeps_a_still_valid_token(
    fresh_provider: OidcProvider, env: dict[str, str], channel: ChannelServer
) -> None:
    clock = Clock()
    session = logged_in(fresh_provider, env, channel.url + "/channel", clock)
    token = session.manager.access_token()
    fresh_provider.queue_faults(
        {"status": 503, "body": {"error": "temporarily_unavailable"}},
    )
    clock.offset = 50  # refresh due, token still valid for 10 s
    assert repodata(session, channel).status_code == 200
    assert repodata(session, channel).status_code == 200  # no hammering: retry later
    assert fresh_provider.stats()["total"] == 1
    assert channel.authorizations() == [f"Bearer {token}"] * 2


def test_an_expired_token_is_never_sent_when_refresh_fails(
    fresh_provider: OidcProvider, env: dict[str, str], channel: ChannelServer
) -> None:
    clock = Clock()
    session = logged_in(fresh_provider, env, channel.url + "/channel", clock)
    fresh_provider.queue_faults({"status": 503, "body": {"error": "temporarily_unavailable"}})
    clock.offset = 61
    with pytest.raises(TokenEndpointUnavailable, match="HTTP 503"):
        repodata(session, channel)
    assert channel.recorded() == []


def test_refresh_storm_8_threads_x_4_processes_one_token_request(
    fresh_provider: OidcProvider, env: dict[str, str], channel: ChannelServer, tmp_path: Path
) -> None:
    settings = public_settings(fresh_provider, oauth_token_storage="file")
    session = logged_in(fresh_provider, env, channel.url + "/channel", oauth_token_storage="file")
    stored = session.manager.stored()
    assert stored is not None
    session.manager.save(stored.expired())
    fresh_provider.reset()
    ready = [tmp_path / f"ready-{n}" for n in range(4)]
    go = tmp_path / "go"
    worker = Path(__file__).parent / "storm_worker.py"
    processes = [
        subprocess.Popen(
            [
                sys.executable,
                str(worker),
                channel.url + "/channel",
                json.dumps(settings),
                "8",
                str(ready[n]),
                str(go),
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env={**os.environ, **env},
            text=True,
        )
        for n in range(4)
    ]
    deadline = time.monotonic() + 60
    while not all(path.exists() for path in ready) and time.monotonic() < deadline:
        time.sleep(0.01)
    go.touch()
    outcomes = []
    for process in processes:
        out, err = process.communicate(timeout=120)
        assert process.returncode == 0, err
        outcomes += json.loads(out.strip().splitlines()[-1])
    assert outcomes == [200] * 32
    stats = fresh_provider.stats()
    assert stats["total"] == 1
    assert stats["byGrant"] == {REFRESH: 1}
    assert stats["errors"] == {}
