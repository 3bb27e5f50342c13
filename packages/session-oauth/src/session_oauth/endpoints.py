"""The authorization server's endpoints (OIDC discovery or settings) and the HTTP client
that talks to them with the channel session's proxy and TLS settings (authlib)."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import requests

from session_oauth.errors import OAuthConfigError, TokenEndpointUnavailable
from session_oauth.settings import OAuthSettings, require_safe_url

logger = logging.getLogger(__name__)
TOKEN_ENDPOINT_TIMEOUT = 30.0
DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"


@dataclass(frozen=True)
class Endpoints:
    """Where to send each OAuth request; ``None`` when the server has no such endpoint."""

    issuer: str | None
    token: str
    device: str | None = None
    authorization: str | None = None
    revocation: str | None = None
    issuer_in_callback: bool = False  # RFC 9207: the server sends `iss` to the redirect URI


def no_auth(request: requests.PreparedRequest) -> requests.PreparedRequest:
    """Explicit "no credentials": keeps a session's own (channel) auth off this request."""
    return request


def transport_options(http: requests.Session) -> dict[str, Any]:
    """The proxy/TLS options of ``http`` to pass on every token-endpoint request."""
    return {"proxies": dict(http.proxies), "verify": http.verify, "cert": http.cert}


def discover(settings: OAuthSettings, http: requests.Session) -> Endpoints:
    """Endpoints from the settings, completed by OIDC discovery when ``oauth_issuer`` is set."""
    metadata: Mapping[str, Any] = {}
    if settings.issuer:
        url = settings.issuer + "/.well-known/openid-configuration"
        try:
            response = http.get(url, auth=no_auth, **request_options(http))
        except requests.RequestException as error:
            raise TokenEndpointUnavailable(
                f"cannot reach the OAuth issuer {settings.issuer} ({type(error).__name__})"
            ) from None
        if response.status_code != 200:
            raise TokenEndpointUnavailable(
                f"OIDC discovery at {url} answered HTTP {response.status_code}"
            )
        try:
            metadata = response.json()
        except ValueError:
            raise TokenEndpointUnavailable(f"OIDC discovery at {url} did not answer JSON") from None
        if (
            not isinstance(metadata, dict)
            or metadata.get("issuer", "").rstrip("/") != settings.issuer
        ):
            raise OAuthConfigError(
                f"the OIDC discovery document at {url} names another issuer; check oauth_issuer"
            )

    def pick(setting: str | None, key: str) -> str | None:
        if setting:
            return setting
        value = metadata.get(key)
        return require_safe_url(key, value) if isinstance(value, str) and value else None

    token = pick(settings.token_endpoint, "token_endpoint")
    if token is None:
        raise OAuthConfigError(
            "the authorization server has no token endpoint; set oauth_token_endpoint"
        )
    return Endpoints(
        issuer=settings.issuer,
        token=token,
        device=pick(settings.device_endpoint, "device_authorization_endpoint"),
        authorization=pick(settings.authorization_endpoint, "authorization_endpoint"),
        revocation=pick(settings.revocation_endpoint, "revocation_endpoint"),
        issuer_in_callback=bool(metadata.get("authorization_response_iss_parameter_supported")),
    )


def oauth_client(
    settings: OAuthSettings,
    http: requests.Session,
    *,
    client_secret: str | None = None,
    redirect_uri: str | None = None,
) -> Any:
    """An authlib ``OAuth2Session`` that shares ``http``'s adapters, proxies and TLS settings.

    It never follows redirects (a token request must not be replayed elsewhere).
    """
    from authlib.integrations.requests_client import OAuth2Session

    client = OAuth2Session(
        client_id=settings.client_id,
        client_secret=client_secret,
        token_endpoint_auth_method="client_secret_basic" if client_secret else "none",
        scope=settings.scopes,
        redirect_uri=redirect_uri,
        code_challenge_method="S256",
    )
    client.proxies = dict(http.proxies)
    client.verify = http.verify
    client.cert = http.cert
    client.trust_env = http.trust_env
    client.max_redirects = 0
    for prefix, adapter in http.adapters.items():
        client.mount(prefix, adapter)
    client.headers["User-Agent"] = http.headers.get("User-Agent", "session-oauth")
    return client


def request_options(http: requests.Session) -> dict[str, Any]:
    """Keyword arguments for every authlib token-endpoint call."""
    return {"timeout": TOKEN_ENDPOINT_TIMEOUT, "allow_redirects": False, **transport_options(http)}
