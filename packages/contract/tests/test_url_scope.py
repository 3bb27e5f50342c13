"""Issue 12: loopback by address, percent-encoded escapes, redirects, ssl_verify vs env."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from plugin_contract.session.base import CondaSession, check_transport
from plugin_contract.session.channels import ChannelMatch, ChannelPattern, safe_url
from plugin_contract.session.config import SessionConfig
from plugin_contract.session.errors import CredentialsError
from plugin_contract.session.url_scope import is_loopback_host, path_segments
from testharness.channel import ChannelServer


@pytest.fixture
def server() -> Iterator[ChannelServer]:
    with ChannelServer() as running:
        yield running


@pytest.mark.parametrize(
    "host", ["127.0.0.1.nip.evil.test", "127.attacker.example", "localhost.evil.test", ""]
)
def test_names_starting_with_127_are_not_loopback(host: str) -> None:
    assert not is_loopback_host(host)
    with pytest.raises(CredentialsError):
        check_transport(f"http://{host or 'x'}/channel", {})


@pytest.mark.parametrize("host", ["127.0.0.1", "127.9.8.7", "::1", "[::1]", "localhost"])
def test_literal_loopback_addresses_are_loopback(host: str) -> None:
    assert is_loopback_host(host)


@pytest.mark.parametrize(
    "path", ["/chan/..%2Fother", "/chan/..%5Cother", "/chan/%2E%2E/x", "/chan/%252e%252e%252fx"]
)
def test_encoded_escapes_are_outside_the_channel(path: str) -> None:
    assert path_segments(path) is None
    assert not ChannelPattern.parse("https://h/chan").contains("https://h" + path)


def test_unparsable_urls_are_outside_every_channel() -> None:
    assert not ChannelPattern.parse("http://[::1]/chan").contains("http://[::1/chan/x")


def test_redirect_to_file_url_is_refused(server: ChannelServer) -> None:
    server.redirects["/channel/noarch/repodata.json"] = "file:///etc/passwd"
    session = CondaSession(config=SessionConfig())
    with pytest.raises(requests.exceptions.InvalidSchema, match="only http"):
        session.get(server.url + "/channel/noarch/repodata.json")


@pytest.mark.parametrize("variable", ["REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"])
def test_condarc_ssl_verify_wins_over_the_ca_bundle_variables(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, variable: str
) -> None:
    monkeypatch.setenv(variable, str(tmp_path / "env-bundle.pem"))
    for condarc_value in (False, str(tmp_path / "condarc-bundle.pem")):
        session = CondaSession(config=SessionConfig(ssl_verify=condarc_value))
        merged = session.merge_environment_settings("https://h/x", {}, None, None, None)
        assert merged["verify"] == condarc_value


def test_safe_url_redacts_userinfo() -> None:
    assert "hunter2" not in safe_url("https://ci:hunter2@h.example/chan")
    match = ChannelMatch(ChannelPattern.parse("https://ci:hunter2@h.example/chan"), None)
    assert "hunter2" not in match.key
