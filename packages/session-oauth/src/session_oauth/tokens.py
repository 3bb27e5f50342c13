"""A token set from the token endpoint, with its expiry on the local clock."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

REFRESH_MARGIN_CAP = 300.0  # seconds
REFRESH_MARGIN_SHARE = 0.25  # of the token's lifetime


@dataclass(frozen=True)
class TokenSet:
    """Access token, optional refresh token, and when (local clock) the access token expires.

    ``expires_at`` is the local time before the request plus ``expires_in``: immune to the
    server's clock. ``repr()`` never shows a token.
    """

    access_token: str
    expires_at: float | None = None
    lifetime: float | None = None
    refresh_token: str | None = None
    token_type: str = "Bearer"  # noqa: S105 - the token type name, not a secret
    scope: str | None = None
    grant: str = ""

    def __repr__(self) -> str:
        refresh = "yes" if self.refresh_token else "no"
        return f"<TokenSet expires_at={self.expires_at} refresh_token={refresh} grant={self.grant}>"

    @classmethod
    def from_response(
        cls, body: Mapping[str, Any], requested_at: float, grant: str, previous: TokenSet | None
    ) -> TokenSet:
        access_token = body.get("access_token")
        if not isinstance(access_token, str) or not access_token:
            raise ValueError("the token endpoint's answer has no access_token")
        check_header_token(access_token, "the token endpoint's access_token")
        lifetime = _lifetime(body.get("expires_in"))
        refresh_token = body.get("refresh_token") or (previous.refresh_token if previous else None)
        if refresh_token is not None and not isinstance(refresh_token, str):
            raise ValueError("the token endpoint's refresh_token is not a string")
        return cls(
            access_token=access_token,
            expires_at=requested_at + lifetime if lifetime is not None else None,
            lifetime=lifetime,
            refresh_token=refresh_token,
            token_type=str(body.get("token_type") or "Bearer"),
            scope=body.get("scope"),
            grant=grant,
        )

    def refresh_at(self) -> float | None:
        """When to refresh: once less than min(300 s, 25 % of the lifetime) remains."""
        if self.expires_at is None:
            return None
        margin = REFRESH_MARGIN_CAP
        if self.lifetime:
            margin = min(REFRESH_MARGIN_CAP, REFRESH_MARGIN_SHARE * self.lifetime)
        return self.expires_at - margin

    def is_expired(self, now: float) -> bool:
        return self.expires_at is not None and now >= self.expires_at

    def needs_refresh(self, now: float) -> bool:
        refresh_at = self.refresh_at()
        return refresh_at is not None and now >= refresh_at

    def expired(self) -> TokenSet:
        """A copy whose access token counts as expired (tests, forced refresh)."""
        return replace(self, expires_at=0.0)

    def to_json(self) -> str:
        return json.dumps(
            {
                "access_token": self.access_token,
                "expires_at": self.expires_at,
                "lifetime": self.lifetime,
                "refresh_token": self.refresh_token,
                "token_type": self.token_type,
                "scope": self.scope,
                "grant": self.grant,
            },
            sort_keys=True,
        )

    @classmethod
    def from_json(cls, text: str) -> TokenSet:
        data = json.loads(text)
        if not isinstance(data, dict) or not isinstance(data.get("access_token"), str):
            raise ValueError("not a stored token set")
        check_header_token(data["access_token"], "the stored access token")
        if not isinstance(data.get("refresh_token") or "", str):
            raise ValueError("the stored refresh token is not a string")
        return cls(
            access_token=data["access_token"],
            expires_at=_expiry(data),
            lifetime=_optional_float(data.get("lifetime")),
            refresh_token=data.get("refresh_token") or None,
            token_type=str(data.get("token_type") or "Bearer"),
            scope=data.get("scope"),
            grant=str(data.get("grant") or ""),
        )


HEADER_TOKEN_CHARS = frozenset(chr(code) for code in range(0x21, 0x7F))  # visible ASCII


def check_header_token(token: str, what: str) -> str:
    """``token`` if it can go into ``Authorization: Bearer``: visible ASCII only (RFC 6750's
    ``b64token`` is a subset), so no CR/LF, space or non-Latin-1 character ever reaches a
    header. Raises ``ValueError`` naming ``what``."""
    if not token or not set(token) <= HEADER_TOKEN_CHARS:
        raise ValueError(
            f"{what} contains characters an HTTP header cannot carry (line breaks, spaces or "
            "non-ASCII); it is not a bearer token"
        )
    return token


def _lifetime(expires_in: object) -> float | None:
    """``expires_in`` in seconds; a value that is not a finite number counts as 0 (expired)."""
    if expires_in is None or expires_in == "" or isinstance(expires_in, bool):
        return None
    try:
        seconds = float(expires_in)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return 0.0
    return seconds if math.isfinite(seconds) else 0.0


def _expiry(data: dict[str, object]) -> float | None:
    """``expires_at`` as stored; anything but a finite number (NaN, a string) is expired."""
    if data.get("expires_at") is None:
        return None
    value = _optional_float(data["expires_at"])
    return value if value is not None and math.isfinite(value) else 0.0


def _optional_float(value: object) -> float | None:
    return float(value) if isinstance(value, (int, float)) else None
