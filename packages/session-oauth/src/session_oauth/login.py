"""``conda-session login/logout`` for the oauth session: choose a flow, store, revoke."""

from __future__ import annotations

import logging
import sys
import time
import webbrowser
from collections.abc import Callable, Mapping
from typing import IO, TYPE_CHECKING, Protocol

from session_oauth.browser_flow import browser_login
from session_oauth.device_flow import poll_for_tokens, start_device_authorization
from session_oauth.errors import OAuthConfigError, OAuthError
from session_oauth.tokens import TokenSet

if TYPE_CHECKING:
    import requests

    from plugin_contract.session import ChannelMatch
    from session_oauth.grants import TokenEndpoint
    from session_oauth.manager import TokenManager
    from session_oauth.settings import OAuthSettings

logger = logging.getLogger(__name__)
VERIFY_PATH = "noarch/repodata.json"


class LoginTarget(Protocol):
    """What logging in needs of a session (``OAuthSession`` is one); login never imports it."""

    @property
    def channel(self) -> ChannelMatch | None: ...
    @property
    def environ(self) -> Mapping[str, str]: ...
    @property
    def manager(self) -> TokenManager: ...
    @property
    def clock(self) -> Callable[[], float]: ...
    @property
    def get(self) -> Callable[..., requests.Response]: ...
    def oauth_settings(self) -> OAuthSettings: ...
    def token_endpoint(self) -> TokenEndpoint: ...


def choose_flow(
    requested: str | None, configured: str, environ: Mapping[str, str], has_secret: bool
) -> str:
    """``auto``: client credentials with a configured secret, a browser on a local desktop,
    the device flow over SSH or without a display."""
    flow = requested or configured
    if flow != "auto":
        return flow
    if has_secret:
        return "client-credentials"
    remote = bool(environ.get("SSH_CONNECTION") or environ.get("SSH_TTY"))
    display = (
        bool(environ.get("DISPLAY") or environ.get("WAYLAND_DISPLAY")) or sys.platform == "darwin"
    )
    return "browser" if display and not remote else "device"


def run_login(
    session: LoginTarget,
    *,
    flow: str | None = None,
    interactive: bool = True,
    out: IO[str] | None = None,
    open_browser: Callable[[str], bool] = webbrowser.open,
    sleep: Callable[[float], None] = time.sleep,
    browser_timeout: float = 300.0,
    verify: bool = False,
) -> TokenSet:
    """Obtain tokens with the chosen flow and store them; return them."""
    stream = out or sys.stderr
    settings = session.oauth_settings()
    if settings.token_env:
        raise OAuthConfigError(
            f"this channel uses a static token from {settings.token_env} (oauth_token_env); "
            "there is nothing to log in to"
        )
    endpoint = session.token_endpoint()
    chosen = choose_flow(flow, settings.flow, session.environ, endpoint.client_secret is not None)

    def announce(text: str) -> None:
        print(text, file=stream, flush=True)

    if chosen == "client-credentials":
        if endpoint.client_secret is None:
            raise OAuthConfigError(
                "the client-credentials flow needs oauth_client_secret_env or "
                "oauth_client_secret_file"
            )
        tokens = endpoint.client_credentials()
    elif not interactive:
        raise OAuthError(
            f"the {chosen} login needs a person at the terminal; run it interactively, or use "
            "client credentials (oauth_client_secret_env) or a static token (oauth_token_env) in CI"
        )
    elif chosen == "device":
        authorization = start_device_authorization(endpoint)
        announce(authorization.instructions())
        tokens = poll_for_tokens(endpoint, authorization, sleep=sleep)
    else:
        tokens = browser_login(
            endpoint, open_browser=open_browser, announce=announce, timeout=browser_timeout
        )
    if verify:
        verify_tokens(session, tokens, stream)
    session.manager.save(tokens)
    logger.debug("logged in with %s", chosen)
    return tokens


def verify_tokens(session: LoginTarget, tokens: TokenSet, stream: IO[str]) -> None:
    """``login --verify``: the channel must accept the new token before anything is saved."""
    import requests

    channel = session.channel
    if channel is None or channel.pattern.origin is None:
        raise OAuthError("--verify needs a channel URL without wildcards")
    url = f"{channel.key.rstrip('/')}/{VERIFY_PATH}"

    def bearer(request: requests.PreparedRequest) -> requests.PreparedRequest:
        request.headers["Authorization"] = f"Bearer {tokens.access_token}"
        return request

    try:
        with session.get(url, auth=bearer, stream=True, allow_redirects=False) as response:
            status = response.status_code
    except requests.RequestException as error:
        raise OAuthError(
            f"could not verify against {url} ({type(error).__name__}); nothing was saved"
        ) from None
    if status in (401, 403):
        raise OAuthError(f"{channel.key} rejected the new token (HTTP {status}); nothing was saved")
    if status >= 400:
        print(
            f"conda-session: warning: could not verify (HTTP {status} for {url}); saving anyway",
            file=stream,
        )


def run_logout(session: LoginTarget) -> bool:
    """Revoke (RFC 7009) and delete the stored tokens; True when there were any."""
    settings = session.oauth_settings()
    if settings.token_env:
        return False
    tokens = session.manager.forget()
    if tokens is None:
        return False
    try:
        endpoint = session.token_endpoint()
    except OAuthError as error:
        logger.warning("tokens deleted but not revoked: %s", error)
        return True
    revoked = True
    if tokens.refresh_token:
        revoked = endpoint.revoke(tokens.refresh_token, "refresh_token") and revoked
    if not tokens.is_expired(session.clock()):
        revoked = endpoint.revoke(tokens.access_token, "access_token") and revoked
    if not revoked:
        logger.warning("tokens deleted, but the server did not confirm their revocation")
    return True


__all__ = ["choose_flow", "run_login", "run_logout"]
