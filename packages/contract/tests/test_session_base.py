"""``CondaSession`` against real HTTP servers on 127.0.0.1: the transport defaults and scoping."""

from __future__ import annotations

import base64
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from requests import PreparedRequest, Response

from plugin_contract.session.base import CondaSession
from plugin_contract.session.channels import ChannelMatch, ChannelPattern
from plugin_contract.session.config import SessionConfig
from plugin_contract.session.errors import CredentialsError, OfflineError
from plugin_contract.session.registry import SessionRegistry
from plugin_contract.session.types import CondaSessionClass
from testharness.channel import ChannelServer, bearer_check

REPODATA = "/channel/noarch/repodata.json"


@pytest.fixture
def server() -> Iterator[ChannelServer]:
    with ChannelServer() as running:
        yield running


@pytest.fixture
def other() -> Iterator[ChannelServer]:
    with ChannelServer() as running:
        yield running


def config(**changes: object) -> SessionConfig:
    return SessionConfig(backoff_factor=0.01, **changes)  # type: ignore[arg-type]


def channel(url: str, **settings: str) -> ChannelMatch:
    return ChannelMatch(ChannelPattern.parse(url), "token", settings)


class TokenSession(CondaSession):
    """A minimal auth plugin: a bearer token plus a custom header, refreshed after a 401."""

    session_name = "token"
    sensitive_headers = ("Authorization", "X-Api-Token")

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.token = "stale-token"
        self.refreshes = 0

    def add_credentials(self, request: PreparedRequest) -> None:
        self.refuse_plaintext(request.url or "")
        request.headers["Authorization"] = f"Bearer {self.token}"
        request.headers["X-Api-Token"] = self.token

    def refresh_credentials(self, response: Response) -> bool:
        self.refreshes += 1
        self.token = "fresh-token"
        return True


def test_user_agent_and_default_timeout(server: ChannelServer) -> None:
    session = CondaSession(config=config())
    assert session.get(server.url + REPODATA).status_code == 200
    agent = server.recorded()[-1].headers["User-Agent"]
    assert agent.startswith("conda-session/")
    assert "requests/" in agent
    assert session._timeout == (9.15, 60.0)


def test_retries_honour_retry_after_then_succeed(server: ChannelServer) -> None:
    server.scripted[REPODATA] = [(503, {"Retry-After": "0"}), (429, {"Retry-After": "0"})]
    response = CondaSession(config=config()).get(server.url + REPODATA)
    assert response.status_code == 200
    assert [r.path for r in server.recorded()].count(REPODATA) == 3


def test_retries_give_up_and_return_the_last_status(server: ChannelServer) -> None:
    server.scripted[REPODATA] = [(502, {})] * 5
    response = CondaSession(config=config(max_retries=2)).get(server.url + REPODATA)
    assert response.status_code == 502
    assert len(server.recorded()) == 3


def test_offline_refuses_network_but_file_urls_work(tmp_path: Path, server: ChannelServer) -> None:
    session = CondaSession(config=config(offline=True))
    with pytest.raises(OfflineError) as caught:
        session.get(server.url + REPODATA + "?token=abc")
    assert "offline" in str(caught.value)
    assert "token=abc" not in str(caught.value)
    assert server.recorded() == []
    local = tmp_path / "repodata.json"
    local.write_text("{}")
    assert session.get(local.as_uri()).text == "{}"
    assert session.get((tmp_path / "missing").as_uri()).status_code == 404


def test_config_proxy_is_used_and_no_proxy_bypasses_it(
    server: ChannelServer, other: ChannelServer
) -> None:
    proxied = CondaSession(config=config(proxy_servers={"http": other.url}))
    proxied.trust_env = False
    proxied.get(server.url + REPODATA)
    assert other.recorded()[-1].path == server.url + REPODATA  # absolute URI: a proxy request
    bypass = CondaSession(config=config(proxy_servers={"http": other.url, "no_proxy": "127.0.0.1"}))
    assert bypass.get(server.url + REPODATA).status_code == 200
    assert len(other.recorded()) == 1


def test_environment_no_proxy_bypasses_a_configured_proxy(
    server: ChannelServer, other: ChannelServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    session = CondaSession(config=config(proxy_servers={"http": other.url}))
    assert session.get(server.url + REPODATA).status_code == 200
    assert other.recorded() == []


def test_read_timeout_from_config(server: ChannelServer) -> None:
    server.delays[REPODATA] = 1.0
    session = CondaSession(config=config(read_timeout=0.1, max_retries=0))
    with pytest.raises(requests.exceptions.ConnectionError):
        session.get(server.url + REPODATA)


def test_ssl_verify_and_client_cert_settings() -> None:
    session = CondaSession(
        config=config(ssl_verify="/etc/ca.pem", client_ssl_cert="c.pem", client_ssl_cert_key="k")
    )
    assert session.verify == "/etc/ca.pem"
    assert session.cert == ("c.pem", "k")
    assert CondaSession(config=config(ssl_verify=False)).verify is False
    pytest.importorskip("truststore")
    trusting = CondaSession(config=config(ssl_verify="truststore"))
    assert type(trusting.get_adapter("https://x.test/")).__name__ == "TruststoreAdapter"


def test_credentials_only_inside_the_channel(server: ChannelServer) -> None:
    session = TokenSession(channel=channel(server.url + "/channel"), config=config())
    session.get(server.url + REPODATA)
    session.get(server.url + "/channel-other/noarch/repodata.json")
    first, second = server.recorded()
    assert first.authorization == "Bearer stale-token"
    assert second.authorization is None
    assert "X-Api-Token" not in second.headers


def test_cross_origin_redirect_strips_every_sensitive_header(
    server: ChannelServer, other: ChannelServer
) -> None:
    server.redirects[REPODATA] = other.url + REPODATA
    session = TokenSession(channel=channel(server.url + "/channel"), config=config())
    assert session.get(server.url + REPODATA).status_code == 200
    assert other.authorizations() == []
    assert all("X-Api-Token" not in r.headers for r in other.recorded())
    assert server.recorded()[0].authorization == "Bearer stale-token"


def test_a_401_refreshes_once_and_retries(server: ChannelServer) -> None:
    server.auth_check = bearer_check("fresh-token")
    session = TokenSession(channel=channel(server.url + "/channel"), config=config())
    assert session.get(server.url + REPODATA).status_code == 200
    assert session.refreshes == 1
    assert server.authorizations() == ["Bearer stale-token", "Bearer fresh-token"]


def test_plain_http_to_a_remote_host_is_refused_before_connecting() -> None:
    session = TokenSession(channel=channel("http://repo.example.invalid/c"), config=config())
    with pytest.raises(CredentialsError) as caught:
        session.get("http://repo.example.invalid/c/noarch/repodata.json")
    assert "allow_http" in str(caught.value)
    opted_in = TokenSession(
        channel=channel("http://repo.example.invalid/c", allow_http="true"), config=config()
    )
    prepared = opted_in.prepare_request(requests.Request("GET", "http://repo.example.invalid/c/x"))
    assert prepared.headers["Authorization"] == "Bearer stale-token"


def test_repr_shows_no_credentials(server: ChannelServer) -> None:
    session = TokenSession(channel=channel(server.url + "/channel"), config=config())
    session.token = "super-secret-token"
    text = repr(session) + repr(session.auth)
    assert "super-secret-token" not in text
    assert "TokenSession" in text


def test_get_session_is_cached_per_channel_and_thread_safe(server: ChannelServer) -> None:
    entries = (
        channel(server.url + "/channel"),
        ChannelMatch(ChannelPattern.parse(server.url + "/b"), "token", {}),
    )
    registry = SessionRegistry(
        config=config(channels=entries),
        classes=[CondaSessionClass("token", TokenSession)],
        before_actions=[],
    )
    found: list[object] = []
    barrier = threading.Barrier(16)

    def worker(index: int) -> None:
        barrier.wait(timeout=10)
        found.append(registry.get_session(f"{server.url}/channel/noarch/f{index}.json"))

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    assert len(found) == 16
    assert len({id(s) for s in found}) == 1
    assert registry.get_session(server.url + "/b/x") is not found[0]
    assert type(registry.get_session(server.url + "/elsewhere")) is CondaSession


def test_debug_logging_shows_no_credentials(
    server: ChannelServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("DEBUG")
    session = TokenSession(channel=channel(server.url + "/channel"), config=config())
    session.token = "log-secret-token"
    session.get(server.url + REPODATA)
    assert caplog.records, "urllib3 logs at DEBUG; the test must see some logging"
    text = caplog.text
    assert "log-secret-token" not in text
    assert base64.b64encode(b"log-secret-token").decode() not in text
