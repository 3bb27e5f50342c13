"""``OAuthSession``: the ``oauth`` session class: bearer tokens for one channel only."""

from __future__ import annotations

import argparse
import logging
import math
import os
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import ClassVar
from urllib.parse import urlsplit

from requests import PreparedRequest, Response

from plugin_contract.session import (
    ChannelMatch,
    CondaSession,
    CredentialsError,
    LoginRequest,
    LogoutRequest,
    SessionConfig,
    StatusRequest,
    is_loopback_host,
)
from session_oauth.endpoints import Endpoints, discover
from session_oauth.errors import OAuthConfigError, OAuthError
from session_oauth.grants import TokenEndpoint
from session_oauth.manager import TokenManager, same_token
from session_oauth.paths import state_dir
from session_oauth.settings import FLOWS, OAuthSettings
from session_oauth.store import open_store

logger = logging.getLogger(__name__)
RETRYABLE_METHODS = frozenset({"GET", "HEAD"})
LOGIN_OPTIONS = {
    "oauth_issuer": "issuer URL (OIDC discovery)",
    "oauth_client_id": "OAuth client id registered for conda",
    "oauth_scopes": "space-separated scopes (default: openid offline_access)",
    "oauth_audience": "resource / audience the token is for (RFC 8707)",
    "oauth_token_endpoint": "token endpoint URL (instead of discovery)",
    "oauth_device_endpoint": "device authorization endpoint URL",
    "oauth_authorization_endpoint": "authorization endpoint URL",
    "oauth_client_secret_env": "environment variable holding the client secret",
    "oauth_client_secret_file": "file holding the client secret",
}


class OAuthSession(CondaSession):
    """Sends ``Authorization: Bearer`` to URLs inside the matched channel, refreshing safely.

    The token never goes outside the channel (scheme, host, port, path prefix), never over
    plain HTTP except to a loopback host, and never appears in ``repr()``.
    """

    session_name: ClassVar[str] = "oauth"

    def __init__(
        self,
        *,
        channel: ChannelMatch | None = None,
        config: SessionConfig | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        super().__init__(channel=channel, config=config)
        self.clock = clock
        self.environ: Mapping[str, str] = self.config.environ or os.environ
        self.oauth = OAuthSettings.from_channel(self.settings) if channel is not None else None
        self._endpoint: TokenEndpoint | None = None
        self._manager: TokenManager | None = None
        self._setup_lock = threading.Lock()

    # -- building blocks -----------------------------------------------------------------

    @property
    def login_hint(self) -> str:
        where = self.channel.key if self.channel is not None else "CHANNEL"
        return f"log in again with `conda-session login {where} --session oauth`"

    def oauth_settings(self) -> OAuthSettings:
        """This channel's OAuth settings (an error when the entry has none)."""
        if self.oauth is None:
            raise OAuthConfigError("the oauth session needs a channel_settings entry")
        return self.oauth

    def token_endpoint(self) -> TokenEndpoint:
        """The authorization server client (discovery happens once, on first use)."""
        if self._endpoint is None:
            settings = self.oauth_settings()
            endpoints: Endpoints = discover(settings, self)
            self._endpoint = TokenEndpoint(
                settings,
                endpoints,
                self,
                client_secret=settings.client_secret(self.environ),
                login_hint=self.login_hint,
                clock=self.clock,
            )
        return self._endpoint

    @property
    def manager(self) -> TokenManager:
        if self._manager is None:
            with self._setup_lock:
                if self._manager is None:
                    self._manager = self._make_manager()
        return self._manager

    def _make_manager(self) -> TokenManager:
        settings = self.oauth_settings()
        directory = state_dir(self.environ)
        return TokenManager(
            store_key(self.channel, settings),
            open_store(settings.storage, directory),
            self.token_endpoint,
            directory,
            login_hint=self.login_hint,
            clock=self.clock,
            on_demand=self._client_credentials_on_demand(settings),
        )

    def _client_credentials_on_demand(self, settings: OAuthSettings) -> bool:
        """``oauth_flow: client-credentials`` with a configured secret needs no login step."""
        if settings.flow != "client-credentials":
            return False
        return bool(settings.client_secret_env or settings.client_secret_file)

    def current_token(self) -> str:
        """A valid access token (static from the environment, or managed)."""
        settings = self.oauth_settings()
        static = settings.static_token(self.environ)
        if static is not None:
            return static
        return self.manager.access_token()

    # -- CondaSession hooks --------------------------------------------------------------

    def add_credentials(self, request: PreparedRequest) -> None:
        parts = urlsplit(request.url or "")
        if parts.scheme != "https" and not is_loopback_host(parts.hostname):
            raise CredentialsError(
                f"refusing to send an OAuth token over plain {parts.scheme} to {parts.hostname}; "
                "use an https:// channel URL"
            )
        request.headers["Authorization"] = f"Bearer {self.current_token()}"

    def refresh_credentials(self, response: Response) -> bool:
        """One forced refresh after a 401, only for GET/HEAD requests that carried our token."""
        request = response.request
        if request is None or (request.method or "").upper() not in RETRYABLE_METHODS:
            return False
        settings = self.oauth_settings()
        if settings.token_env:
            return False
        sent = str(request.headers.get("Authorization", ""))
        if not sent.startswith("Bearer "):
            return False
        token = sent[len("Bearer ") :]
        manager = self.manager
        if not manager.is_current(token) and not _stored_matches(manager, token):
            return False
        logger.debug("the channel rejected the access token (401); refreshing once")
        return manager.refresh_rejected(token)

    def rebuild_auth(self, prepared_request: PreparedRequest, response: Response) -> None:
        """On every redirect drop the token; add it back only if the target is in the channel
        (the base keeps headers on same-origin redirects that leave the channel's path)."""
        prepared_request.headers.pop("Authorization", None)
        super().rebuild_auth(prepared_request, response)

    def explain_status(self, response: Response) -> str:
        if response.status_code in (401, 403):
            return f"the channel rejected the OAuth token; {self.login_hint}"
        return ""

    # -- conda-session login / logout / status -------------------------------------------

    @classmethod
    def add_login_arguments(cls, parser: argparse.ArgumentParser) -> None:
        parser.add_argument(
            "--flow",
            dest="oauth_flow",
            choices=FLOWS,
            help="oauth: how to log in (default: the channel's oauth_flow, else auto)",
        )
        for key, help_text in LOGIN_OPTIONS.items():
            option = "--" + key.replace("_", "-")
            parser.add_argument(option, dest=key, metavar="VALUE", help=f"oauth: {help_text}")

    @classmethod
    def login(cls, request: LoginRequest) -> Mapping[str, str]:
        from session_oauth.login import run_login

        given = {
            key: str(value)
            for key in LOGIN_OPTIONS
            if (value := getattr(request.args, key, None)) not in (None, "")
        }
        flow = getattr(request.args, "oauth_flow", None)
        if flow:
            given["oauth_flow"] = flow
        channel = replace(request.channel, settings={**request.channel.settings, **given})
        session = cls(channel=channel, config=request.config)
        try:
            manager = session.manager
            try:
                previous = manager.stored()
            except OAuthError:  # damaged: logging in again replaces it
                previous = None
            run_login(
                session,
                flow=flow,
                interactive=request.interactive,
                out=request.stderr,
                verify=bool(getattr(request.args, "verify", False)),
            )
        finally:
            session.close()
        request.store.on_rollback(lambda: manager.restore(previous))
        return given

    @classmethod
    def logout(cls, request: LogoutRequest) -> bool:
        from session_oauth.login import run_logout

        session = cls(channel=request.channel, config=request.config)
        try:
            return run_logout(session)
        finally:
            session.close()

    @classmethod
    def status(cls, request: StatusRequest) -> Mapping[str, str]:
        """Non-secret facts: the server, client, flow, storage kind and token expiry."""
        session = cls(channel=request.channel, config=request.config)
        try:
            settings = session.oauth_settings()
            if settings.token_env:
                return {"token_source": f"environment variable {settings.token_env}"}
            details = {
                "token_endpoint": settings.token_endpoint or f"(discovered from {settings.issuer})",
                "client_id": settings.client_id,
                "flow": settings.flow,
                "token_storage": session.manager.store.kind,
            }
            tokens = session.manager.stored()
            if tokens is None:
                return {"logged_in": "no", **details}
            details.update(
                {
                    "logged_in": "yes",
                    "login": tokens.grant or "unknown",
                    "refresh_token_stored": "yes" if tokens.refresh_token else "no",
                    "access_token_expiry": _expiry_text(tokens.expires_at, session.clock()),
                }
            )
            return details
        finally:
            session.close()


def _expiry_text(expires_at: float | None, now: float) -> str:
    if expires_at is None:
        return "not given by the server"
    if not math.isfinite(expires_at) or expires_at <= now:
        return "expired"
    return f"in {int(expires_at - now)} s"


def store_key(channel: ChannelMatch | None, settings: OAuthSettings) -> str:
    """One store entry per (channel, authorization server, client)."""
    where = channel.key if channel is not None else ""
    server = settings.issuer or settings.token_endpoint or ""
    return f"{where} {server} {settings.client_id}"


def _stored_matches(manager: TokenManager, token: str) -> bool:
    stored = manager.stored()
    return stored is not None and same_token(stored.access_token, token)


__all__ = ["OAuthSession", "store_key"]
