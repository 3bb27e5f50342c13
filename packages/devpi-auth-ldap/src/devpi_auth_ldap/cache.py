"""Successful authentications, remembered for a short TTL; their groups for their own TTL.

The key is the username plus an HMAC of the password with a random per-process salt, so
the cache never holds a password or an unsalted hash of one. ``get`` answers a :class:`Hit`
whose ``groups`` are None once the group TTL passed (the caller looks the groups up again).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass

MAX_ENTRIES = 10_000


@dataclass(frozen=True)
class Hit:
    dn: str
    groups: list[str] | None  # None: the group TTL passed, look them up again


@dataclass
class _Entry:
    expires: float
    groups_expire: float
    dn: str
    groups: tuple[str, ...]


class SuccessCache:
    def __init__(
        self,
        ttl_seconds: float,
        max_entries: int = MAX_ENTRIES,
        group_ttl_seconds: float | None = None,
    ) -> None:
        self.ttl = ttl_seconds
        self.group_ttl = ttl_seconds if group_ttl_seconds is None else group_ttl_seconds
        self.max_entries = max_entries
        self._salt = secrets.token_bytes(32)
        self._entries: OrderedDict[tuple[str, bytes], _Entry] = OrderedDict()
        self._lock = threading.Lock()

    def key(self, username: str, password: str) -> tuple[str, bytes]:
        return username, hmac.digest(self._salt, password.encode("utf-8"), hashlib.sha256)

    def fresh_groups(self, key: tuple[str, bytes]) -> tuple[str, ...] | None:
        """The hot path: the groups of a cached login whose groups are fresh, else None.

        No lock: one dict lookup and reads of an entry that ``put`` replaces whole and
        ``set_groups`` updates groups before their expiry, so a reader never sees fresh
        expiries with stale groups. Expired entries are left for ``get`` to drop.
        """
        entry = self._entries.get(key)
        if entry is None:
            return None
        now = time.monotonic()
        if entry.expires <= now or entry.groups_expire <= now:
            return None
        return entry.groups

    def get(self, key: tuple[str, bytes]) -> Hit | None:
        if self.ttl <= 0:
            return None
        now = time.monotonic()
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            if entry.expires <= now:
                del self._entries[key]
                return None
            fresh = entry.groups_expire > now
            return Hit(entry.dn, list(entry.groups) if fresh else None)

    def put(self, key: tuple[str, bytes], groups: list[str], dn: str = "") -> None:
        if self.ttl <= 0:
            return
        now = time.monotonic()
        with self._lock:
            self._entries[key] = _Entry(now + self.ttl, now + self.group_ttl, dn, tuple(groups))
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)

    def set_groups(self, key: tuple[str, bytes], groups: list[str]) -> None:
        """Groups looked up again: fresh for another group TTL (the login keeps its TTL)."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None:
                entry.groups = tuple(groups)
                entry.groups_expire = time.monotonic() + self.group_ttl

    def forget_user(self, username: str) -> None:
        """Drop every entry of ``username`` (any failure for them invalidates the cache)."""
        with self._lock:
            for key in [k for k in self._entries if k[0] == username]:
                del self._entries[key]


class KeyedLocks:
    """One lock per key, so concurrent requests with the same credentials bind only once."""

    def __init__(self) -> None:
        self._locks: dict[tuple[str, bytes], tuple[threading.Lock, int]] = {}
        self._guard = threading.Lock()

    def acquire(self, key: tuple[str, bytes], timeout: float) -> bool:
        """Wait at most ``timeout`` seconds; on False the caller must not call release."""
        with self._guard:
            lock, users = self._locks.get(key, (threading.Lock(), 0))
            self._locks[key] = (lock, users + 1)
        if lock.acquire(timeout=timeout):
            return True
        self._leave(key)
        return False

    def release(self, key: tuple[str, bytes]) -> None:
        lock = self._leave(key)
        lock.release()

    def _leave(self, key: tuple[str, bytes]) -> threading.Lock:
        with self._guard:
            lock, users = self._locks[key]
            if users <= 1:
                del self._locks[key]
            else:
                self._locks[key] = (lock, users - 1)
        return lock
