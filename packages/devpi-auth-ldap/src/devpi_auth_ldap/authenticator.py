"""What the devpi hook asks: cache first, then LDAP, turning outcomes into devpi results."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from devpi_auth_ldap.cache import KeyedLocks, SuccessCache
from devpi_auth_ldap.config import LdapConfig
from devpi_auth_ldap.directory import Authenticated, Directory, LdapUnavailable, Refused
from devpi_auth_ldap.logcontext import for_request
from devpi_auth_ldap.metrics import Metrics

log = logging.getLogger("devpi_auth_ldap")


@dataclass(frozen=True)
class Decision:
    """``status`` is "ok", "reject" or "unknown" (let devpi's own users or plugins decide)."""

    status: str
    groups: tuple[str, ...] = ()


UNKNOWN = Decision("unknown")


class Authenticator:
    def __init__(self, config: LdapConfig, directory: Directory | None = None) -> None:
        self.config = config
        self.metrics = directory.metrics if directory else Metrics()
        self.directory = directory or Directory(config, self.metrics)
        self.cache = SuccessCache(config.cache_ttl, group_ttl_seconds=config.group_cache_ttl)
        self._locks = KeyedLocks()

    def close(self) -> None:
        self.directory.close()

    def cached_groups(self, username: str, password: str) -> tuple[str, ...] | None:
        """The groups of a cached successful login with fresh groups, else None (no LDAP,
        no lock wait, no log line: what every download with basic auth asks)."""
        if not password:
            return None
        groups = self.cache.fresh_groups(self.cache.key(username, password))
        if groups is not None:
            self.metrics.count_cache_hit()
        return groups

    def decide(
        self, username: str, password: str, context: Callable[[], str] | str = ""
    ) -> Decision:
        """``context`` (devpi's request, e.g. ``"[req12] POST /+login"``, or a function giving
        it, called only when LDAP is asked) prefixes the log lines."""
        groups = self.cached_groups(username, password)
        if groups is not None:
            return Decision("ok", groups)
        self.metrics.count("requests")
        if not password.strip():
            self.cache.forget_user(username)
            self.metrics.count("refusals")
            return self._refused()
        key = self.cache.key(username, password)
        with for_request(context() if callable(context) else context):
            return self._decide(username, password, key)

    def _decide(self, username: str, password: str, key: tuple[str, bytes]) -> Decision:
        if not self._locks.acquire(key, timeout=self.config.worst_case_seconds):
            self.metrics.count("errors")
            log.error(
                "LDAP authentication of %r failed: an earlier attempt still waits",
                username,
            )
            return UNKNOWN
        try:
            hit = self.cache.get(key)  # another thread may have just filled it
            if hit is not None and hit.groups is not None:
                self.metrics.count("cache_hits")
                return Decision("ok", tuple(hit.groups))
            if hit is not None:
                refreshed = self._refresh_groups(key, username, hit.dn)
                if refreshed is not None:
                    return refreshed
            self.metrics.count("cache_misses")
            return self._ask_ldap(key, username, password)
        finally:
            self._locks.release(key)

    def _refresh_groups(self, key: tuple[str, bytes], username: str, dn: str) -> Decision | None:
        """The login is cached but its groups are older than ``group_cache_ttl``."""
        try:
            groups = self.directory.refresh_groups(dn, username)
        except LdapUnavailable as error:
            return self._unavailable("group lookup", username, error)
        if groups is None:
            return None  # no group service account: bind as the user again
        self.metrics.count("group_refreshes")
        self.cache.set_groups(key, groups)
        return Decision("ok", tuple(groups))

    def _unavailable(self, what: str, username: str, error: LdapUnavailable) -> Decision:
        """No LDAP answer: forget the cached login, count and log the error, answer unknown."""
        self.cache.forget_user(username)
        self.metrics.count("errors")
        log.error("LDAP %s of %r failed: %s", what, username, error)
        return UNKNOWN

    def _ask_ldap(self, key: tuple[str, bytes], username: str, password: str) -> Decision:
        started = time.perf_counter()
        try:
            outcome = self.directory.authenticate(username, password)
        except LdapUnavailable as error:
            return self._unavailable("authentication", username, error)
        finally:
            self.metrics.observe_latency(time.perf_counter() - started)
        if isinstance(outcome, Refused):
            self.cache.forget_user(username)
            self.metrics.count("refusals")
            log.info(
                "LDAP refused %r: %s (%s)",
                username,
                outcome.reason,
                outcome.server or "no server asked",
            )
            if outcome.reason == "unknown user":
                return UNKNOWN
            return self._refused()
        return self._accept(key, username, outcome)

    def _accept(self, key: tuple[str, bytes], username: str, outcome: Authenticated) -> Decision:
        if outcome.username != username:
            self.cache.forget_user(username)
            self.metrics.count("refusals")
            log.warning(
                "LDAP user %r is spelled %r in LDAP (%s); log in as %r so that ACLs match",
                username,
                outcome.username,
                outcome.server,
                outcome.username,
            )
            return self._refused()
        self.metrics.count("successes")
        self.cache.put(key, outcome.groups, outcome.dn)
        log.info(
            "LDAP accepted %r with groups %s (%s)",
            username,
            outcome.groups,
            outcome.server,
        )
        return Decision("ok", tuple(outcome.groups))

    def _refused(self) -> Decision:
        return UNKNOWN if self.config.reject_as_unknown else Decision("reject")
