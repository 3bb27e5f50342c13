"""Authorization code + PKCE (S256) with a loopback redirect (RFC 8252 section 7.3).

A single-shot HTTP server on 127.0.0.1 and a random port receives the redirect. ``state``
(128 random bits) is compared in constant time; the ``iss`` parameter (RFC 9207) must equal
the issuer when the server advertises it.
"""

from __future__ import annotations

import hmac
import secrets
import threading
import webbrowser
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, HTTPServer
from urllib.parse import parse_qs, urlsplit

from session_oauth.errors import LoginFailedError, OAuthConfigError
from session_oauth.grants import TokenEndpoint
from session_oauth.tokens import TokenSet

CALLBACK_PATH = "/callback"
DEFAULT_TIMEOUT = 300.0
PAGE = (
    "<!DOCTYPE html><html><head><meta charset='utf-8'><title>conda login</title></head>"
    "<body><p>{message}</p></body></html>"
)


@dataclass
class _Callback:
    params: dict[str, str] = field(default_factory=dict)
    received: threading.Event = field(default_factory=threading.Event)


class _CallbackServer(HTTPServer):
    callback: _Callback


class _CallbackHandler(BaseHTTPRequestHandler):
    server: _CallbackServer

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        if parts.path != CALLBACK_PATH or self.server.callback.received.is_set():
            self.send_error(404)
            return
        query = parse_qs(parts.query, keep_blank_values=True)
        self.server.callback.params = {key: values[0] for key, values in query.items()}
        self.server.callback.received.set()
        message = "Login received; you can close this tab and return to the terminal."
        if "error" in query:
            message = "Login was not completed; see the terminal."
        body = PAGE.format(message=message).encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        """The request line holds the authorization code: never log it."""


def browser_login(
    endpoint: TokenEndpoint,
    *,
    open_browser: Callable[[str], bool] = webbrowser.open,
    announce: Callable[[str], None] = print,
    timeout: float = DEFAULT_TIMEOUT,
) -> TokenSet:
    """Run the flow; ``open_browser`` gets the authorization URL (tests drive it)."""
    authorize = endpoint.endpoints.authorization
    if not authorize:
        raise OAuthConfigError(
            "the authorization server offers no authorization endpoint; set "
            "oauth_authorization_endpoint or use --flow device"
        )
    server = _CallbackServer(("127.0.0.1", 0), _CallbackHandler)
    server.callback = _Callback()
    server.timeout = 0.5
    redirect_uri = f"http://127.0.0.1:{server.server_address[1]}{CALLBACK_PATH}"
    state = secrets.token_urlsafe(16)
    code_verifier = secrets.token_urlsafe(64)  # 86 characters, within RFC 7636's 43-128
    client = endpoint.client(redirect_uri)
    extra = {"resource": endpoint.settings.audience} if endpoint.settings.audience else {}
    if "offline_access" in endpoint.settings.scopes.split():
        extra["prompt"] = "consent"  # OpenID Connect Core 11: offline_access needs consent
    url, _ = client.create_authorization_url(
        authorize, state=state, code_verifier=code_verifier, **extra
    )
    thread = threading.Thread(target=_serve_until_received, args=(server, timeout), daemon=True)
    thread.start()
    try:
        if not open_browser(url):
            announce(f"Open this URL in a browser to log in:\n{url}")
        if not server.callback.received.wait(timeout):
            raise LoginFailedError(
                f"no login arrived at the local redirect within {timeout:.0f} s; try again "
                "or use --flow device"
            )
    finally:
        thread.join(timeout=5)
        server.server_close()
    params = server.callback.params
    check_callback(params, state, endpoint.endpoints.issuer, endpoint.endpoints.issuer_in_callback)
    return endpoint.authorization_code(params["code"], code_verifier, redirect_uri)


def _serve_until_received(server: _CallbackServer, timeout: float) -> None:
    import time

    deadline = time.monotonic() + timeout
    while not server.callback.received.is_set() and time.monotonic() < deadline:
        server.handle_request()


def check_callback(
    params: dict[str, str], state: str, issuer: str | None, issuer_required: bool
) -> None:
    """Reject a redirect with an error, a wrong ``state`` or a wrong ``iss``."""
    if "error" in params:
        raise LoginFailedError(
            f"the authorization server refused the login: {params['error'][:100]}"
        )
    if not hmac.compare_digest(params.get("state", "").encode(), state.encode()):
        raise LoginFailedError(
            "the login redirect carried a wrong state (possible cross-site request forgery); "
            "nothing was stored, try again"
        )
    received_issuer = params.get("iss")
    if (
        issuer is not None
        and (issuer_required or received_issuer is not None)
        and (received_issuer is None or received_issuer.rstrip("/") != issuer)
    ):
        raise LoginFailedError(
            "the login redirect came from a different issuer (possible mix-up attack); "
            "nothing was stored, try again"
        )
    if not params.get("code"):
        raise LoginFailedError("the login redirect carried no authorization code; try again")
