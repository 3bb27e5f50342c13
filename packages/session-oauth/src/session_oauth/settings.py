"""The channel's ``oauth_*`` settings (flat strings in its ``channel_settings`` entry)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from plugin_contract.session import FileReadError, is_loopback_host, read_secret_file, safe_url
from session_oauth.errors import OAuthConfigError
from session_oauth.tokens import check_header_token

FLOWS = ("auto", "browser", "device", "client-credentials")
STORAGES = ("auto", "keyring", "file")
DEFAULT_SCOPES = "openid offline_access"
KNOWN_KEYS = frozenset(
    {
        "oauth_issuer",
        "oauth_token_endpoint",
        "oauth_device_endpoint",
        "oauth_authorization_endpoint",
        "oauth_revocation_endpoint",
        "oauth_client_id",
        "oauth_client_secret_env",
        "oauth_client_secret_file",
        "oauth_scopes",
        "oauth_audience",
        "oauth_flow",
        "oauth_token_env",
        "oauth_token_storage",
    }
)


def require_safe_url(name: str, url: str) -> str:
    """``url`` must be HTTPS, or plain HTTP on a loopback host (tests, local servers)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        raise OAuthConfigError(f"{name} is not a valid URL: {safe_url(url)}") from None
    if parts.scheme == "https" or (parts.scheme == "http" and is_loopback_host(parts.hostname)):
        return url.rstrip("/") if name == "oauth_issuer" else url
    raise OAuthConfigError(
        f"{name} must be an https:// URL (plain http only on a loopback host), "
        f"got {safe_url(url)!r}"
    )


@dataclass(frozen=True)
class OAuthSettings:
    """What the oauth session needs to know about one channel's authorization server."""

    client_id: str = ""
    issuer: str | None = None
    token_endpoint: str | None = None
    device_endpoint: str | None = None
    authorization_endpoint: str | None = None
    revocation_endpoint: str | None = None
    client_secret_env: str | None = None
    client_secret_file: Path | None = None
    scopes: str = DEFAULT_SCOPES
    audience: str | None = None
    flow: str = "auto"
    token_env: str | None = None
    storage: str = "auto"
    extra: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def from_channel(cls, settings: Mapping[str, str]) -> OAuthSettings:
        """Validate the flat settings; an inline ``oauth_client_secret`` is refused."""
        if "oauth_client_secret" in settings:
            raise OAuthConfigError(
                "oauth_client_secret must not be written into the configuration; name an "
                "environment variable in oauth_client_secret_env or a file in "
                "oauth_client_secret_file instead"
            )

        def get(key: str) -> str | None:
            value = settings.get(key)
            return str(value).strip() or None if value is not None else None

        flow = get("oauth_flow") or "auto"
        if flow not in FLOWS:
            raise OAuthConfigError(f"oauth_flow must be one of {', '.join(FLOWS)}, got {flow!r}")
        storage = get("oauth_token_storage") or "auto"
        if storage not in STORAGES:
            raise OAuthConfigError(
                f"oauth_token_storage must be one of {', '.join(STORAGES)}, got {storage!r}"
            )
        endpoints = {
            key: require_safe_url(key, value)
            for key in (
                "oauth_issuer",
                "oauth_token_endpoint",
                "oauth_device_endpoint",
                "oauth_authorization_endpoint",
                "oauth_revocation_endpoint",
            )
            if (value := get(key)) is not None
        }
        token_env = get("oauth_token_env")
        client_id = get("oauth_client_id") or ""
        if token_env is None:
            if not client_id:
                raise OAuthConfigError(
                    "oauth_client_id is missing in the channel's settings (or set "
                    "oauth_token_env to use a static token from the environment)"
                )
            if "oauth_issuer" not in endpoints and "oauth_token_endpoint" not in endpoints:
                raise OAuthConfigError(
                    "set oauth_issuer (OIDC discovery) or oauth_token_endpoint for the channel"
                )
        secret_file = get("oauth_client_secret_file")
        return cls(
            client_id=client_id,
            issuer=endpoints.get("oauth_issuer"),
            token_endpoint=endpoints.get("oauth_token_endpoint"),
            device_endpoint=endpoints.get("oauth_device_endpoint"),
            authorization_endpoint=endpoints.get("oauth_authorization_endpoint"),
            revocation_endpoint=endpoints.get("oauth_revocation_endpoint"),
            client_secret_env=get("oauth_client_secret_env"),
            client_secret_file=Path(secret_file).expanduser() if secret_file else None,
            scopes=get("oauth_scopes") or DEFAULT_SCOPES,
            audience=get("oauth_audience"),
            flow=flow,
            token_env=token_env,
            storage=storage,
            extra={
                k: v for k, v in settings.items() if k.startswith("oauth_") and k not in KNOWN_KEYS
            },
        )

    def client_secret(self, environ: Mapping[str, str] | None = None) -> str | None:
        """The client secret from the named environment variable or file, if configured."""
        env = os.environ if environ is None else environ
        if self.client_secret_env:
            value = env.get(self.client_secret_env)
            if not value:
                raise OAuthConfigError(
                    f"environment variable {self.client_secret_env} (oauth_client_secret_env) "
                    "is not set"
                )
            return value
        if self.client_secret_file:
            try:
                return read_secret_file(
                    self.client_secret_file, what="oauth_client_secret_file"
                ).strip()
            except FileReadError as error:
                raise OAuthConfigError(str(error)) from None
        return None

    def static_token(self, environ: Mapping[str, str] | None = None) -> str | None:
        """The static bearer token from ``oauth_token_env``, when configured."""
        if not self.token_env:
            return None
        env = os.environ if environ is None else environ
        value = env.get(self.token_env, "").strip()
        if not value:
            raise OAuthConfigError(
                f"environment variable {self.token_env} (oauth_token_env) is not set or empty"
            )
        try:
            return check_header_token(value, f"environment variable {self.token_env}")
        except ValueError as error:
            raise OAuthConfigError(str(error)) from None
