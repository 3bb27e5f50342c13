"""Token-endpoint requests (authlib): client credentials, refresh, device code, auth code,
revocation. Errors become one readable line without any token in it."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any, TypeVar

import requests

from session_oauth.endpoints import DEVICE_GRANT, Endpoints, oauth_client, request_options
from session_oauth.errors import (
    LoginRequiredError,
    OAuthError,
    TokenEndpointRefused,
    TokenEndpointUnavailable,
)
from session_oauth.settings import OAuthSettings
from session_oauth.tokens import TokenSet

logger = logging.getLogger(__name__)
TRANSIENT_ERRORS = frozenset({"temporarily_unavailable", "server_error"})
T = TypeVar("T")


class TokenEndpoint:
    """Talks to one authorization server for one client; never logs a token."""

    def __init__(
        self,
        settings: OAuthSettings,
        endpoints: Endpoints,
        http: requests.Session,
        *,
        client_secret: str | None = None,
        login_hint: str = "log in again with `conda-session login CHANNEL --session oauth`",
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.settings = settings
        self.endpoints = endpoints
        self.http = http
        self.client_secret = client_secret
        self.login_hint = login_hint
        self.clock = clock

    def __repr__(self) -> str:
        return f"<TokenEndpoint {self.endpoints.token} client={self.settings.client_id}>"

    def client(self, redirect_uri: str | None = None) -> Any:
        return oauth_client(
            self.settings, self.http, client_secret=self.client_secret, redirect_uri=redirect_uri
        )

    def _resource(self) -> dict[str, str]:
        return {"resource": self.settings.audience} if self.settings.audience else {}

    def client_credentials(self) -> TokenSet:
        return self._token_request(
            "client_credentials",
            lambda client: client.fetch_token(
                self.endpoints.token,
                grant_type="client_credentials",
                **self._resource(),
                **request_options(self.http),
            ),
            previous=None,
        )

    def refresh(self, tokens: TokenSet) -> TokenSet:
        if not tokens.refresh_token:
            raise LoginRequiredError(
                f"the access token expired and there is no refresh token; {self.login_hint}"
            )
        refresh_token = tokens.refresh_token
        return self._token_request(
            tokens.grant or "refresh_token",
            lambda client: client.refresh_token(
                self.endpoints.token,
                refresh_token=refresh_token,
                **self._resource(),
                **request_options(self.http),
            ),
            previous=tokens,
        )

    def device_code(self, device_code: str) -> TokenSet:
        return self._token_request(
            "device",
            lambda client: client.fetch_token(
                self.endpoints.token,
                grant_type=DEVICE_GRANT,
                device_code=device_code,
                **request_options(self.http),
            ),
            previous=None,
        )

    def authorization_code(self, code: str, code_verifier: str, redirect_uri: str) -> TokenSet:
        return self._token_request(
            "browser",
            lambda client: client.fetch_token(
                self.endpoints.token,
                grant_type="authorization_code",
                code=code,
                code_verifier=code_verifier,
                redirect_uri=redirect_uri,
                **self._resource(),
                **request_options(self.http),
            ),
            previous=None,
            redirect_uri=redirect_uri,
        )

    def revoke(self, token: str, hint: str) -> bool:
        """RFC 7009 revocation; True when the server confirmed it."""
        if not self.endpoints.revocation:
            return False
        client = self.client()
        try:
            response = client.revoke_token(
                self.endpoints.revocation,
                token=token,
                token_type_hint=hint,
                **request_options(self.http),
            )
        except requests.RequestException as error:
            logger.warning("token revocation failed: %s", type(error).__name__)
            return False
        return bool(response.status_code == 200)

    def _token_request(
        self,
        grant: str,
        call: Callable[[Any], Any],
        *,
        previous: TokenSet | None,
        redirect_uri: str | None = None,
    ) -> TokenSet:
        from authlib.integrations.base_client.errors import OAuthError as AuthlibOAuthError

        client = self.client(redirect_uri)
        requested_at = self.clock()
        logger.debug("token request (%s) to %s", grant, self.endpoints.token)
        try:
            body = call(client)
        except AuthlibOAuthError as error:
            code = str(error.error or "unknown_error")
            logger.debug("token endpoint answered error %s", code)
            raise self._refused(code, getattr(error, "description", None)) from None
        except requests.HTTPError as error:
            status = error.response.status_code if error.response is not None else "?"
            raise TokenEndpointUnavailable(
                f"the token endpoint {self.endpoints.token} answered HTTP {status}"
            ) from None
        except (requests.RequestException, ValueError) as error:
            raise TokenEndpointUnavailable(
                f"cannot reach the token endpoint {self.endpoints.token} ({type(error).__name__})"
            ) from None
        try:
            return TokenSet.from_response(dict(body), requested_at, grant, previous)
        except ValueError as error:
            raise OAuthError(f"the token endpoint {self.endpoints.token}: {error}") from None

    def _refused(self, code: str, description: object) -> OAuthError:
        detail = f" ({str(description)[:200]})" if description else ""
        if code == "invalid_grant":
            return LoginRequiredError(
                f"the authorization server no longer accepts the stored login{detail}; "
                f"{self.login_hint}"
            )
        if code in TRANSIENT_ERRORS:
            return TokenEndpointUnavailable(
                f"the token endpoint {self.endpoints.token} is temporarily unavailable ({code})"
            )
        return TokenEndpointRefused(f"the token endpoint refused the request: {code}{detail}", code)
