"""Errors of the oauth session: one readable line each, never a token in the message."""

from __future__ import annotations

from plugin_contract.errors import ConfigError, ContractError


class OAuthError(ContractError):
    """Something in the OAuth exchange failed; the message says what to do."""


class OAuthConfigError(ConfigError):
    """The channel's ``oauth_*`` settings are missing or wrong."""


class LoginRequiredError(OAuthError):
    """No usable tokens (none stored, expired and not refreshable, or refresh rejected)."""


class TokenEndpointUnavailable(OAuthError):
    """The token endpoint could not be reached or answered a transient error."""


class LoginFailedError(OAuthError):
    """An interactive login was denied, expired or tampered with (state, issuer)."""


class TokenStorageError(OAuthError):
    """Tokens cannot be stored as configured (no keyring, unsafe file permissions, ...)."""


class TokenEndpointRefused(OAuthError):
    """The token endpoint answered an OAuth error (``error`` holds its code)."""

    def __init__(self, message: str, error: str) -> None:
        super().__init__(message)
        self.error = error
