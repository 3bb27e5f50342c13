"""Hands out a valid access token; refreshes it once, safely, across threads and processes.

Hot path: a cached token that needs no refresh is returned without any lock. Otherwise, under
the thread lock and the cross-process file lock, the store is read again (another thread or
process may have refreshed and rotated the refresh token already) and only then, if still
needed, the token endpoint is called and the result saved before the lock is released.
"""

from __future__ import annotations

import hmac
import logging
import time
from collections.abc import Callable
from pathlib import Path

from session_oauth.errors import LoginRequiredError, TokenEndpointUnavailable
from session_oauth.grants import TokenEndpoint
from session_oauth.locking import refresh_lock
from session_oauth.store import TokenStore
from session_oauth.tokens import TokenSet

logger = logging.getLogger(__name__)
TRANSIENT_RETRY_DELAY = 30.0  # seconds before another refresh attempt after a transient failure


def same_token(first: str, second: str) -> bool:
    return hmac.compare_digest(first.encode(), second.encode())


class TokenManager:
    """Tokens of one (channel, client), kept in ``store`` under ``key``."""

    def __init__(
        self,
        key: str,
        store: TokenStore,
        endpoint: Callable[[], TokenEndpoint],
        state_directory: Path,
        *,
        login_hint: str,
        clock: Callable[[], float] = time.time,
        on_demand: bool = False,
    ) -> None:
        """``on_demand``: without stored tokens, get them with client credentials (no login
        step); the first request of many concurrent ones asks, the others wait and reuse."""
        self.key = key
        self.store = store
        self._endpoint = endpoint
        self.state_directory = state_directory
        self.login_hint = login_hint
        self.clock = clock
        self.on_demand = on_demand
        self._tokens: TokenSet | None = None
        self._retry_not_before = 0.0

    def __repr__(self) -> str:
        return f"<TokenManager store={self.store.kind}>"

    def access_token(self) -> str:
        """A token that is not expired (refreshed first when little lifetime remains)."""
        tokens = self._tokens
        if tokens is not None:
            now = self.clock()
            if not tokens.needs_refresh(now):
                return tokens.access_token
            if now < self._retry_not_before and not tokens.is_expired(now):
                return tokens.access_token
        return self._renew(rejected=None).access_token

    def is_current(self, token: str) -> bool:
        """Whether ``token`` is the access token this manager handed out last."""
        tokens = self._tokens
        return tokens is not None and same_token(tokens.access_token, token)

    def refresh_rejected(self, rejected: str) -> bool:
        """After a 401 for ``rejected``: get a different token (at most one token request,
        however many threads and processes saw the 401). True when one is available."""
        fresh = self._renew(rejected=rejected)
        return not same_token(fresh.access_token, rejected)

    def save(self, tokens: TokenSet) -> None:
        """Store freshly obtained tokens (after a login)."""
        with refresh_lock(self.state_directory, self.key):
            self.store.save(self.key, tokens)
            self._tokens = tokens
            self._retry_not_before = 0.0

    def restore(self, previous: TokenSet | None) -> None:
        """Put back what was stored before (rollback of a failed login)."""
        with refresh_lock(self.state_directory, self.key):
            if previous is None:
                self.store.delete(self.key)
            else:
                self.store.save(self.key, previous)
            self._tokens = previous

    def stored(self) -> TokenSet | None:
        return self.store.load(self.key)

    def forget(self) -> TokenSet | None:
        """Delete the stored tokens; return what was stored (to revoke it)."""
        with refresh_lock(self.state_directory, self.key):
            tokens = self.store.load(self.key)
            self.store.delete(self.key)
            self._tokens = None
            return tokens

    def _renew(self, rejected: str | None) -> TokenSet:
        with refresh_lock(self.state_directory, self.key):
            now = self.clock()
            stored = self.store.load(self.key)
            if stored is None and self.on_demand:
                fresh = self._endpoint().client_credentials()
                self.store.save(self.key, fresh)
                self._tokens, self._retry_not_before = fresh, 0.0
                logger.debug("access token obtained on demand (client credentials)")
                return fresh
            if stored is None:
                self._tokens = None
                raise LoginRequiredError(f"not logged in; {self.login_hint}")
            was_rejected = rejected is not None and same_token(stored.access_token, rejected)
            if not was_rejected and not stored.needs_refresh(now):
                self._tokens = stored
                return stored
            try:
                fresh = self._obtain(stored)
            except TokenEndpointUnavailable as error:
                if was_rejected or stored.is_expired(now):
                    raise
                logger.warning("%s; using the current access token until it expires", error)
                self._retry_not_before = now + min(
                    TRANSIENT_RETRY_DELAY, max(0.0, (stored.expires_at or now) - now) / 2
                )
                self._tokens = stored
                return stored
            except LoginRequiredError:
                self._tokens = None
                raise
            self.store.save(self.key, fresh)
            self._tokens = fresh
            self._retry_not_before = 0.0
            logger.debug("access token renewed (%s)", fresh.grant or "refresh")
            return fresh

    def _obtain(self, stored: TokenSet) -> TokenSet:
        endpoint = self._endpoint()
        if stored.refresh_token:
            return endpoint.refresh(stored)
        if stored.grant == "client_credentials" or self.on_demand:
            return endpoint.client_credentials()
        raise LoginRequiredError(f"the access token expired; {self.login_hint}")
