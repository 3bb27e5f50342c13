"""Token-endpoint calls use the channel session's proxy and TLS settings."""

from __future__ import annotations

import http.client
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import pytest
from session_oauth.endpoints import oauth_client, request_options
from session_oauth.session import OAuthSession
from session_oauth.settings import OAuthSettings

from plugin_contract.session.channels import ChannelMatch, ChannelPattern
from plugin_contract.session.config import SessionConfig
from testharness.channel import ChannelServer
from testharness.oauth_kit import Clock, logged_in, make_session, public_settings
from testharness.oidc import OidcProvider

pytestmark = pytest.mark.slow


class ForwardingProxy(ThreadingHTTPServer):
    """A real HTTP forward proxy on loopback that records the absolute URLs it relays."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _ProxyHandler)
        self.seen: list[str] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _ProxyHandler(BaseHTTPRequestHandler):
    server: ForwardingProxy

    def log_message(self, format: str, *args: object) -> None:
        return None

    def _relay(self) -> None:
        self.server.seen.append(f"{self.command} {self.path}")
        target = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else None
        headers = {
            k: v
            for k, v in self.headers.items()
            if k.lower() not in ("proxy-connection", "connection")
        }
        upstream = http.client.HTTPConnection(target.hostname, target.port, timeout=10)
        path = target.path + (f"?{target.query}" if target.query else "")
        upstream.request(self.command, path, body=body, headers=headers)
        answer = upstream.getresponse()
        data = answer.read()
        self.send_response(answer.status)
        for key, value in answer.getheaders():
            if key.lower() not in ("transfer-encoding", "connection", "content-length"):
                self.send_header(key, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
        upstream.close()

    do_GET = _relay
    do_POST = _relay


@pytest.fixture
def proxy() -> Iterator[ForwardingProxy]:
    server = ForwardingProxy()
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    thread.join(timeout=10)


def test_refresh_goes_through_the_channel_sessions_proxy(
    fresh_provider: OidcProvider,
    env: dict[str, str],
    channel: ChannelServer,
    proxy: ForwardingProxy,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in ("NO_PROXY", "no_proxy", "HTTP_PROXY", "http_proxy"):
        monkeypatch.delenv(name, raising=False)
    url = channel.url + "/channel"
    logged_in(fresh_provider, env, url)  # stores tokens (direct, no proxy)
    clock = Clock(offset=120)  # the stored access token counts as expired
    match = ChannelMatch(ChannelPattern.parse(url), "oauth", public_settings(fresh_provider))
    config = SessionConfig(
        channels=(match,),
        environ=dict(env),
        proxy_servers={"http": proxy.url},
        max_retries=2,
        backoff_factor=0.0,
    )
    session = OAuthSession(channel=match, config=config, clock=clock)
    assert session.get(url + "/noarch/repodata.json").status_code == 200
    issuer = fresh_provider.issuer
    assert f"GET {issuer}/.well-known/openid-configuration" in proxy.seen
    assert f"POST {issuer}/token" in proxy.seen
    assert f"GET {url}/noarch/repodata.json" in proxy.seen
    assert fresh_provider.stats()["byGrant"] == {"refresh_token": 1}


def test_token_client_copies_tls_settings_and_never_follows_redirects(
    fresh_provider: OidcProvider, env: dict[str, str], tmp_path
) -> None:
    session = make_session("https://repo.example.com/channel", public_settings(fresh_provider), env)
    session.verify = str(tmp_path / "corporate-ca.pem")
    session.cert = (str(tmp_path / "client.pem"), str(tmp_path / "client.key"))
    session.proxies = {"https": "http://proxy.example.com:3128"}
    client = oauth_client(OAuthSettings.from_channel(session.settings), session)
    assert client.verify == session.verify
    assert client.cert == session.cert
    assert client.proxies == session.proxies
    assert client.max_redirects == 0
    assert client.adapters["https://"] is session.adapters["https://"]
    options = request_options(session)
    assert options["allow_redirects"] is False
    assert options["verify"] == session.verify
    assert options["proxies"] == session.proxies
