"""Thread-safe counters exposed through ``devpiserver_metrics`` (devpi-server's /+status)."""

from __future__ import annotations

import threading

PREFIX = "devpi_auth_ldap_"
COUNTERS = (
    "requests",
    "cache_hits",
    "cache_misses",
    "user_binds",
    "service_binds",
    "searches",
    "successes",
    "refusals",
    "errors",
    "server_failures",
    "local_users_skipped",
    "stale_connections",
    "idle_connections_closed",
    "group_refreshes",
)


class Metrics:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts = dict.fromkeys(COUNTERS, 0)
        self._latency_seconds = 0.0

    def count(self, name: str, amount: int = 1) -> None:
        with self._lock:
            self._counts[name] += amount

    def count_cache_hit(self) -> None:
        """One request answered from the cache (the hot path: one lock, not two)."""
        with self._lock:
            self._counts["requests"] += 1
            self._counts["cache_hits"] += 1

    def observe_latency(self, seconds: float) -> None:
        with self._lock:
            self._latency_seconds += seconds

    def get(self, name: str) -> int:
        with self._lock:
            return self._counts[name]

    def as_devpi_metrics(self) -> list[tuple[str, str, float]]:
        """``(name, "counter", value)`` rows in devpi-server's metrics format."""
        with self._lock:
            counts = self._counts.items()
            rows = [(f"{PREFIX}{name}_total", "counter", float(v)) for name, v in counts]
            rows.append((f"{PREFIX}ldap_latency_seconds_total", "counter", self._latency_seconds))
        return rows
