"""Helpers and fixtures for session-oauth's tests (its conftest and tests import them): a
real oidc-provider, a channel server that introspects bearer tokens there, an isolated
environment, sessions, a scripted browser."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin

import pytest
import requests
from session_oauth.login import run_login
from session_oauth.session import OAuthSession
from session_oauth.tokens import TokenSet

from plugin_contract.session.channels import ChannelMatch, ChannelPattern
from plugin_contract.session.config import SessionConfig
from testharness.channel import ChannelServer
from testharness.oidc import OidcProvider, start_oidc_provider
from testharness.repo import ROOT

OIDC_DIR = ROOT / "packages" / "session-oauth" / "tests" / "oidc"
SETUP_HINT = "packages/session-oauth/ci/setup.sh"
PUBLIC_CLIENT = "conda-cli"
SCOPES = "openid offline_access channel:read"


@pytest.fixture(scope="module")
def provider(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OidcProvider]:
    logs = tmp_path_factory.mktemp("oidc-logs")
    server = start_oidc_provider(
        OIDC_DIR, logs / "oidc-provider.log", access_token_ttl=60, setup_hint=SETUP_HINT
    )
    yield server
    server.process.stop()


@pytest.fixture
def fresh_provider(provider: OidcProvider) -> OidcProvider:
    """The shared provider with its counters and queued faults reset."""
    provider.reset()
    return provider


@pytest.fixture
def channel(provider: OidcProvider) -> Iterator[ChannelServer]:
    server = ChannelServer(
        auth_check=provider.bearer_is_active,
        auth_challenge='Bearer error="invalid_token"',
    )
    with server:
        yield server


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """An isolated environment: HOME, file keyring and state directory under tmp_path."""
    values = {
        "HOME": str(tmp_path / "home"),
        "XDG_CONFIG_HOME": str(tmp_path / "home" / ".config"),
        "XDG_DATA_HOME": str(tmp_path / "home" / ".local" / "share"),
        "CONDARC": str(tmp_path / "home" / ".condarc"),
        "CONDA_SESSION_OAUTH_DIR": str(tmp_path / "state"),
        "PYTHON_KEYRING_BACKEND": "testharness.keyring_backend.FileKeyring",
        "TESTHARNESS_KEYRING_FILE": str(tmp_path / "keyring.json"),
        "CI_BOT_SECRET": "ci-secret",
    }
    for key, value in values.items():
        monkeypatch.setenv(key, value)
    for key in ("SSH_CONNECTION", "SSH_TTY", "DISPLAY", "WAYLAND_DISPLAY"):
        monkeypatch.delenv(key, raising=False)
    (tmp_path / "home").mkdir()
    import keyring
    import keyring.core

    monkeypatch.setattr(keyring.core, "_keyring_backend", None)
    keyring.core.init_backend()
    return values


@dataclass
class Clock:
    """A settable clock for token expiry (tokens are judged on the client's clock)."""

    offset: float = 0.0

    def __call__(self) -> float:
        return time.time() + self.offset


def make_session(
    channel_url: str,
    settings: Mapping[str, str],
    environ: Mapping[str, str],
    clock: Callable[[], float] = time.time,
) -> OAuthSession:
    match = ChannelMatch(ChannelPattern.parse(channel_url), "oauth", dict(settings))
    # retries cover stale keep-alive connections under load; POST (token calls) is never retried
    config = SessionConfig(
        channels=(match,), environ=dict(environ), max_retries=2, backoff_factor=0.0
    )
    return OAuthSession(channel=match, config=config, clock=clock)


def public_settings(provider: OidcProvider, **extra: str) -> dict[str, str]:
    return {
        "oauth_issuer": provider.issuer,
        "oauth_client_id": PUBLIC_CLIENT,
        "oauth_scopes": SCOPES,
        **extra,
    }


def ci_settings(provider: OidcProvider, **extra: str) -> dict[str, str]:
    return {
        "oauth_issuer": provider.issuer,
        "oauth_client_id": "ci-bot",
        "oauth_client_secret_env": "CI_BOT_SECRET",
        "oauth_scopes": "channel:read",
        **extra,
    }


def drive_browser(authorization_url: str, tamper: Callable[[str], str] = lambda url: url) -> str:
    """Act as the user's browser: sign in at the provider, then deliver the redirect to the
    loopback callback (after ``tamper`` rewrote it). Returns the callback URL delivered."""
    browser = requests.Session()
    url = authorization_url
    for _ in range(20):
        response = browser.get(url, allow_redirects=False, timeout=10)
        if response.status_code in (302, 303):
            location = urljoin(url, response.headers["Location"])
            if "/callback" in location:
                delivered = tamper(location)
                requests.get(delivered, timeout=10)
                return delivered
            url = location
            continue
        form = re.search(r'<form[^>]*action="([^"]+)"', response.text)
        assert form is not None, f"no login form at {url}: HTTP {response.status_code}"
        prompt = re.search(r'name="prompt" value="([^"]+)"', response.text)
        answer = browser.post(
            urljoin(url, form.group(1)),
            data={
                "prompt": prompt.group(1) if prompt else "login",
                "login": "tester",
                "password": "any",
            },
            allow_redirects=False,
            timeout=10,
        )
        assert "Location" in answer.headers, answer.text
        url = urljoin(url, answer.headers["Location"])
        if "/callback" in url:
            delivered = tamper(url)
            requests.get(delivered, timeout=10)
            return delivered
    raise AssertionError("the login never reached the callback")


def browser_tokens(provider: OidcProvider, session: OAuthSession, timeout: float = 30) -> TokenSet:
    """Log ``session`` in through the real browser flow (driven by :func:`drive_browser`)."""
    from session_oauth.login import run_login

    def open_browser(url: str) -> bool:
        drive_browser(url)
        return True

    return run_login(session, flow="browser", open_browser=open_browser, browser_timeout=timeout)


def logged_in(
    provider: OidcProvider,
    env: Mapping[str, str],
    url: str,
    clock: Callable[[], float] = time.time,
    **extra: str,
) -> OAuthSession:
    """A session logged in through the real device flow, counters reset afterwards."""
    session = make_session(url, public_settings(provider, **extra), env, clock)

    class Terminal:
        text = ""

        def write(self, text: str) -> int:
            Terminal.text += text
            return len(text)

        def flush(self) -> None:
            return None

    def approve(seconds: float) -> None:
        code = Terminal.text.split("enter the code ")[1].split()[0]
        provider.device_decision(code)

    run_login(session, flow="device", out=Terminal(), sleep=approve)  # type: ignore[arg-type]
    provider.reset()
    return session


def conda_session(env: Mapping[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """Run this venv's ``conda-session`` with ``env`` added to the environment (60 s bound)."""
    script = Path(sys.executable).parent / "conda-session"
    return subprocess.run(
        [str(script), *args],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def ci_bot_login(
    env: Mapping[str, str], url: str, issuer: str, *options: str
) -> subprocess.CompletedProcess[str]:
    """``conda-session login`` with the client-credentials flow as the provider's ``ci-bot``."""
    return conda_session(
        env,
        "login",
        url,
        "--session",
        "oauth",
        "--flow",
        "client-credentials",
        "--oauth-issuer",
        issuer,
        "--oauth-client-id",
        "ci-bot",
        "--oauth-client-secret-env",
        "CI_BOT_SECRET",
        *options,
    )
