"""The real-conda bridge: ``conda_auth_handlers`` with a ``ChannelAuthBase`` handler.

conda is not needed: a stand-in with conda's ``ChannelAuthBase`` shape (``channel_name`` as
the first constructor argument, a requests ``AuthBase``) exercises the same handler class.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

import pytest
import requests
from requests.auth import AuthBase
from session_basic_auth import plugin

from plugin_contract.conda import get_plugin_manager
from plugin_contract.session.conda_bridge import channel_url, make_auth_handler
from plugin_contract.session.credentials import CredentialStore
from testharness.channel import ChannelServer

from .conftest import PASSWORD, USER


class ChannelAuthBase(AuthBase):
    """conda.plugins.types.ChannelAuthBase, as conda >= 23.9 defines it."""

    def __init__(self, channel_name: str, *args: Any, **kwargs: Any) -> None:
        self.channel_name = channel_name


def test_handler_applies_channel_credentials_through_a_plain_requests_session(
    home: dict[str, str], server: ChannelServer
) -> None:
    channel = f"{server.url}/channel"
    Path(home["CONDARC"]).write_text(
        f"channel_settings:\n  - channel: {channel}\n    auth: basic-auth\n"
    )
    CredentialStore().save("basic-auth", channel, {"username": USER, "password": PASSWORD})
    handler_class = make_auth_handler("basic-auth", ChannelAuthBase)
    handler = handler_class(channel)
    assert handler.channel_name == channel
    with requests.Session() as conda_like:
        conda_like.auth = handler
        assert conda_like.get(f"{channel}/noarch/repodata.json", timeout=10).status_code == 200
        conda_like.get(f"{server.url}/channel-other/noarch/repodata.json", timeout=10)
    assert len(server.authorizations()) == 1
    assert PASSWORD not in repr(handler)


def test_hook_yields_conda_handlers_only_when_conda_is_installed() -> None:
    handlers = list(plugin.conda_auth_handlers())
    if importlib.util.find_spec("conda") is None:
        assert handlers == []
    else:
        assert [h.name for h in handlers] == ["basic-auth"]


def test_channel_names_become_urls() -> None:
    assert (
        channel_url("my-org", "https://conda.example.org/") == "https://conda.example.org/my-org/"
    )
    assert channel_url("https://h.test/c") == "https://h.test/c/"


def test_plugin_registers_its_session_and_before_action() -> None:
    manager = get_plugin_manager()
    classes = [e for batch in manager.hook.conda_session_classes() for e in batch]
    actions = [a for batch in manager.hook.conda_before_actions() for a in batch]
    assert "basic-auth" in [c.name for c in classes]
    assert "basic-auth-credentials" in [a.name for a in actions]


def test_handler_without_a_local_entry_is_scoped_to_the_channel_conda_named(
    home: dict[str, str], server: ChannelServer, other_origin: ChannelServer
) -> None:
    channel = f"{server.url}/channel"
    CredentialStore().save("basic-auth", channel, {"username": USER, "password": PASSWORD})
    handler = make_auth_handler("basic-auth", ChannelAuthBase)(channel)
    with requests.Session() as conda_like:
        conda_like.auth = handler
        assert conda_like.get(f"{channel}/noarch/repodata.json", timeout=10).status_code == 200
        conda_like.get(f"{other_origin.url}/channel/noarch/repodata.json", timeout=10)
    assert len(server.authorizations()) == 1
    assert other_origin.authorizations() == []


def test_handler_fails_closed_with_a_clear_error_when_nothing_is_stored(
    home: dict[str, str], server: ChannelServer
) -> None:
    channel = f"{server.url}/channel"
    handler = make_auth_handler("basic-auth", ChannelAuthBase)(channel)
    with requests.Session() as conda_like:
        conda_like.auth = handler
        with pytest.raises(Exception, match="no credentials for") as caught:
            conda_like.get(f"{channel}/noarch/repodata.json", timeout=10)
    assert type(caught.value).__name__ in {"CredentialsError", "CondaError"}
    assert server.recorded() == []
