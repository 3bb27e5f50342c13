"""Errors of session selection and network access, each one readable line."""

from __future__ import annotations

from plugin_contract.errors import ConfigError, ContractError


class SessionError(ContractError):
    """A network session cannot do what was asked (base of the errors below)."""


class UnknownSessionError(ConfigError):
    """The configuration names a session class that no installed plugin provides."""


class OfflineError(SessionError):
    """A network URL was requested while ``offline: true`` is configured."""


class CredentialsError(SessionError):
    """Credentials for a channel are missing, rejected, or must not be sent (plain HTTP)."""


class CredentialStoreError(SessionError):
    """The keyring (or the configured credential store) cannot be used."""


class HTTPStatusError(SessionError):
    """The server answered with an error status (401, 403, 404, ...)."""

    def __init__(self, message: str, status_code: int) -> None:
        super().__init__(message)
        self.status_code = status_code
