"""The real-conda bridge, driven without conda: a stand-in for conda's ``ChannelAuthBase``
and a plain ``requests.Session`` (as conda's own session) against the real servers."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
import yaml
from session_oauth import plugin
from session_oauth.conda_bridge import make_oauth_auth_handler

from plugin_contract.session.registry import clear_session_cache
from testharness.channel import ChannelServer
from testharness.oauth_kit import logged_in
from testharness.oidc import OidcProvider

pytestmark = pytest.mark.slow


class ChannelAuthBase(requests.auth.AuthBase):
    """What conda's ``conda.plugins.types.ChannelAuthBase`` provides."""

    def __init__(self, channel_name: str) -> None:
        self.channel_name = channel_name


@pytest.fixture
def registry_cleared() -> Iterator[None]:
    clear_session_cache()
    yield
    clear_session_cache()


def test_without_conda_no_auth_handler_is_offered() -> None:
    try:
        import conda  # noqa: F401
    except ImportError:
        assert list(plugin.conda_auth_handlers()) == []
    else:  # pragma: no cover - a developer machine with conda
        assert [h.name for h in plugin.conda_auth_handlers()] == ["oauth"]


def test_bridge_applies_the_token_and_retries_once_after_a_revocation(
    fresh_provider: OidcProvider,
    env: dict[str, str],
    channel: ChannelServer,
    registry_cleared: None,
) -> None:
    url = channel.url + "/channel"
    session = logged_in(fresh_provider, env, url)
    entry = {"channel": url, "auth": "oauth", **session.settings}
    Path(env["CONDARC"]).write_text(yaml.safe_dump({"channel_settings": [entry]}))
    handler = make_oauth_auth_handler(ChannelAuthBase)(url)
    conda_like = requests.Session()
    conda_like.auth = handler

    assert conda_like.get(url + "/noarch/repodata.json").status_code == 200
    first = channel.authorizations()[-1]
    fresh_provider.destroy_access_token(first.removeprefix("Bearer "))
    response = conda_like.get(url + "/noarch/repodata.json")
    assert response.status_code == 200
    assert [r.status_code for r in response.history] == [401]
    assert fresh_provider.stats()["byGrant"] == {"refresh_token": 1}
    assert channel.authorizations()[-1] != first

    channel.files["/elsewhere/noarch/repodata.json"] = b"{}"
    conda_like.get(channel.url + "/elsewhere/noarch/repodata.json")
    assert channel.recorded()[-1].authorization is None
