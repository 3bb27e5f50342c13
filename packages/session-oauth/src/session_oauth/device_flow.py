"""The device authorization grant (RFC 8628): show a code, poll until approved.

Polling honours ``interval`` (default 5 s), adds 5 s on ``slow_down`` and stops on
``access_denied``, ``expired_token`` or when ``expires_in`` has passed.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import requests

from session_oauth.endpoints import no_auth, request_options
from session_oauth.errors import (
    LoginFailedError,
    OAuthConfigError,
    TokenEndpointRefused,
    TokenEndpointUnavailable,
)
from session_oauth.grants import TokenEndpoint
from session_oauth.tokens import TokenSet

logger = logging.getLogger(__name__)
DEFAULT_INTERVAL = 5.0
SLOW_DOWN_STEP = 5.0


@dataclass(frozen=True)
class DeviceAuthorization:
    """What the user must do: open ``verification_uri`` and enter ``user_code``."""

    device_code: str
    user_code: str
    verification_uri: str
    verification_uri_complete: str | None
    expires_in: float
    interval: float

    def __repr__(self) -> str:
        return f"<DeviceAuthorization {self.verification_uri} expires_in={self.expires_in}>"

    def instructions(self) -> str:
        host = urlsplit(self.verification_uri).netloc
        lines = [
            f"To log in, open {self.verification_uri} in a browser",
            f"and enter the code {self.user_code}",
            f"(check that the page is served by {host} before you sign in).",
        ]
        if self.verification_uri_complete:
            lines.append(f"Or open: {self.verification_uri_complete}")
        return "\n".join(lines)


def start_device_authorization(endpoint: TokenEndpoint) -> DeviceAuthorization:
    url = endpoint.endpoints.device
    if not url:
        raise OAuthConfigError(
            "the authorization server offers no device authorization endpoint; set "
            "oauth_device_endpoint or use --flow browser"
        )
    data = {"client_id": endpoint.settings.client_id, "scope": endpoint.settings.scopes}
    if endpoint.settings.audience:
        data["resource"] = endpoint.settings.audience
    auth: Any = no_auth
    if endpoint.client_secret:
        auth = (endpoint.settings.client_id, endpoint.client_secret)
    try:
        response = endpoint.http.post(url, data=data, auth=auth, **request_options(endpoint.http))
    except requests.RequestException as error:
        raise TokenEndpointUnavailable(f"cannot reach {url} ({type(error).__name__})") from None
    try:
        body = response.json()
    except ValueError:
        body = None
    if response.status_code != 200 or not isinstance(body, dict):
        code = body.get("error") if isinstance(body, dict) else None
        raise LoginFailedError(
            f"the device authorization request failed: HTTP {response.status_code}"
            + (f" ({code})" if code else "")
        )
    try:
        return DeviceAuthorization(
            device_code=str(body["device_code"]),
            user_code=str(body["user_code"]),
            verification_uri=str(body.get("verification_uri") or body["verification_url"]),
            verification_uri_complete=body.get("verification_uri_complete"),
            expires_in=float(body.get("expires_in") or 600),
            interval=float(body.get("interval") or DEFAULT_INTERVAL),
        )
    except (KeyError, TypeError, ValueError):
        raise LoginFailedError("the device authorization answer is incomplete") from None


def poll_for_tokens(
    endpoint: TokenEndpoint,
    authorization: DeviceAuthorization,
    *,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> TokenSet:
    """Poll the token endpoint until the user approves, denies, or the code expires."""
    deadline = clock() + authorization.expires_in
    interval = authorization.interval
    while True:
        sleep(interval)
        if clock() >= deadline:
            raise LoginFailedError(
                "the device code expired before the login was approved; try again"
            )
        try:
            return endpoint.device_code(authorization.device_code)
        except TokenEndpointRefused as error:
            if error.error == "authorization_pending":
                continue
            if error.error == "slow_down":
                interval += SLOW_DOWN_STEP
                logger.debug("device flow: slow_down, polling every %.0f s", interval)
                continue
            if error.error == "access_denied":
                raise LoginFailedError("the login was denied at the authorization server") from None
            if error.error == "expired_token":
                raise LoginFailedError(
                    "the device code expired before the login was approved; try again"
                ) from None
            raise
