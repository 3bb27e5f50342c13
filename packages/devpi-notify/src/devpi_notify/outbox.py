"""The durable outbox: one sqlite row per (event, target), deduplicated by event id.

The file lives in the devpi server directory. WAL mode lets the event hook append while a
delivery worker or the ``devpi-notify`` CLI reads; every append is its own transaction.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

OUTBOX_FILENAME = ".devpi-notify-outbox.sqlite3"
PENDING, DELIVERED, DEAD = "pending", "delivered", "dead"
REQUEUE = "UPDATE deliveries SET state='pending', attempts=0, next_attempt_at=?, delivered_at=NULL"

SCHEMA = """
CREATE TABLE IF NOT EXISTS deliveries (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id TEXT NOT NULL,
    target TEXT NOT NULL,
    ordering_key TEXT NOT NULL,
    serial INTEGER NOT NULL,
    event_type TEXT NOT NULL,
    event TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'delivered', 'dead')),
    attempts INTEGER NOT NULL DEFAULT 0,
    created_at REAL NOT NULL,
    next_attempt_at REAL NOT NULL,
    delivered_at REAL,
    last_error TEXT,
    UNIQUE (event_id, target)
);
CREATE INDEX IF NOT EXISTS deliveries_queue ON deliveries (target, state, ordering_key, id);
CREATE INDEX IF NOT EXISTS deliveries_serial ON deliveries (serial);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS serial_users (
    serial INTEGER PRIMARY KEY,
    username TEXT NOT NULL,
    recorded_at REAL NOT NULL
);
"""


@dataclass(frozen=True)
class QueuedEvent:
    """One event for one target, as the hook appends it."""

    event_id: str
    target: str
    ordering_key: str
    serial: int
    event_type: str
    event: dict[str, Any]


@dataclass(frozen=True)
class Delivery:
    row_id: int
    event_id: str
    target: str
    attempts: int
    event: dict[str, Any]


@dataclass(frozen=True)
class Stats:
    pending: int
    delivered: int
    dead: int
    delivered_total: int
    failed_attempts_total: int
    oldest_pending_age: float
    per_target: dict[str, dict[str, int]]


def outbox_path(serverdir: str | Path) -> Path:
    return Path(serverdir) / OUTBOX_FILENAME


class Outbox:
    """Thread-safe access: each thread gets its own sqlite connection."""

    def __init__(self, path: str | Path, *, create: bool = True) -> None:
        self.path = Path(path)
        if not create and not self.path.exists():
            raise FileNotFoundError(str(self.path))
        self._local = threading.local()
        self._connection().executescript(SCHEMA)

    def _connection(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.path, timeout=30, isolation_level=None)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=FULL")
            conn.execute("PRAGMA busy_timeout=30000")
            self._local.conn = conn
        return conn

    def close(self) -> None:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        conn = self._connection()
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    # -- watermark: serials at or below it were seen before (or before installation)

    def get_meta(self, key: str) -> str | None:
        row = self._connection().execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def set_meta(self, key: str, value: str) -> None:
        with self._transaction() as conn:
            conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))

    def ignore_upto_serial(self) -> int:
        value = self.get_meta("ignore_upto_serial")
        return -1 if value is None else int(value)

    def init_watermark(self, current_serial: int) -> int:
        """On the first start, ignore history: serials up to ``current_serial`` never notify."""
        with self._transaction() as conn:
            conn.execute(
                "INSERT OR IGNORE INTO meta (key, value) VALUES ('ignore_upto_serial', ?)",
                (str(current_serial),),
            )
        return self.ignore_upto_serial()

    # -- the hook side

    def append(self, events: Sequence[QueuedEvent], now: float | None = None) -> int:
        """Insert events in one transaction; duplicates (same id and target) are ignored."""
        if not events:
            return 0
        now = time.time() if now is None else now
        added = 0
        with self._transaction() as conn:
            for item in events:
                cursor = conn.execute(
                    "INSERT OR IGNORE INTO deliveries (event_id, target, ordering_key, serial,"
                    " event_type, event, created_at, next_attempt_at)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        item.event_id,
                        item.target,
                        item.ordering_key,
                        item.serial,
                        item.event_type,
                        json.dumps(item.event, sort_keys=True),
                        now,
                        now,
                    ),
                )
                added += cursor.rowcount
        return added

    # -- who made a serial: written by the request that commits it (see serialusers.py)

    def record_serial_user(self, serial: int, username: str, now: float | None = None) -> None:
        """Replace any row of ``serial``: a rolled-back commit's row is overwritten."""
        now = time.time() if now is None else now
        with self._transaction() as conn:
            conn.execute(
                "INSERT OR REPLACE INTO serial_users (serial, username, recorded_at)"
                " VALUES (?, ?, ?)",
                (serial, username, now),
            )

    def forget_serial_user(self, serial: int, username: str) -> None:
        with self._transaction() as conn:
            conn.execute(
                "DELETE FROM serial_users WHERE serial=? AND username=?", (serial, username)
            )

    def serial_user(self, serial: int) -> str | None:
        row = (
            self._connection()
            .execute("SELECT username FROM serial_users WHERE serial=?", (serial,))
            .fetchone()
        )
        return None if row is None else str(row[0])

    # -- the worker side

    def due(self, target: str, now: float | None = None, limit: int = 50) -> list[Delivery]:
        """Pending deliveries whose time has come, at most one per project (the oldest)."""
        now = time.time() if now is None else now
        rows = (
            self._connection()
            .execute(
                "SELECT d.id, d.event_id, d.target, d.attempts, d.event FROM deliveries d"
                " WHERE d.target=? AND d.state='pending' AND d.next_attempt_at<=?"
                " AND NOT EXISTS (SELECT 1 FROM deliveries e WHERE e.target=d.target"
                "  AND e.state='pending' AND e.ordering_key=d.ordering_key AND e.id<d.id)"
                " ORDER BY d.id LIMIT ?",
                (target, now, limit),
            )
            .fetchall()
        )
        return [Delivery(row[0], row[1], row[2], row[3], json.loads(row[4])) for row in rows]

    def next_due_at(self, target: str) -> float | None:
        row = (
            self._connection()
            .execute(
                "SELECT MIN(next_attempt_at) FROM deliveries WHERE target=? AND state='pending'",
                (target,),
            )
            .fetchone()
        )
        return None if row is None or row[0] is None else float(row[0])

    def mark_attempt(self, row_id: int) -> None:
        """Count the attempt before sending: a crash mid-send still counts it."""
        with self._transaction() as conn:
            conn.execute("UPDATE deliveries SET attempts=attempts+1 WHERE id=?", (row_id,))

    def mark_delivered(self, row_id: int, now: float | None = None) -> None:
        now = time.time() if now is None else now
        with self._transaction() as conn:
            conn.execute(
                "UPDATE deliveries SET state='delivered', delivered_at=?, last_error=NULL"
                " WHERE id=?",
                (now, row_id),
            )
            _bump(conn, "delivered_total")

    def mark_failed(self, row_id: int, error: str, retry_at: float | None) -> None:
        """Record a failed attempt; ``retry_at`` None moves the delivery to the dead letters."""
        with self._transaction() as conn:
            if retry_at is None:
                conn.execute(
                    "UPDATE deliveries SET state='dead', last_error=? WHERE id=?",
                    (error, row_id),
                )
            else:
                conn.execute(
                    "UPDATE deliveries SET next_attempt_at=?, last_error=? WHERE id=?",
                    (retry_at, error, row_id),
                )
            _bump(conn, "failed_attempts_total")

    def prune(self, older_than: float) -> int:
        """Forget finished deliveries; their serials join the ignored range (no replays).
        Serial users recorded before ``older_than`` go too."""
        with self._transaction() as conn:
            conn.execute("DELETE FROM serial_users WHERE recorded_at<?", (older_than,))
            row = conn.execute(
                "SELECT MAX(serial) FROM deliveries WHERE state!='pending' AND created_at<?",
                (older_than,),
            ).fetchone()
            if row is None or row[0] is None:
                return 0
            conn.execute(
                "UPDATE meta SET value=MAX(CAST(value AS INTEGER), ?)"
                " WHERE key='ignore_upto_serial'",
                (int(row[0]),),
            )
            cursor = conn.execute(
                "DELETE FROM deliveries WHERE state!='pending' AND created_at<?", (older_than,)
            )
            return cursor.rowcount

    # -- status and operator actions

    def stats(self, now: float | None = None) -> Stats:
        now = time.time() if now is None else now
        conn = self._connection()
        per_target: dict[str, dict[str, int]] = {}
        totals = {PENDING: 0, DELIVERED: 0, DEAD: 0}
        for target, state, count in conn.execute(
            "SELECT target, state, COUNT(*) FROM deliveries GROUP BY target, state"
        ):
            per_target.setdefault(target, {PENDING: 0, DELIVERED: 0, DEAD: 0})[state] = count
            totals[state] += count
        oldest = conn.execute(
            "SELECT MIN(created_at) FROM deliveries WHERE state='pending'"
        ).fetchone()[0]
        return Stats(
            pending=totals[PENDING],
            delivered=totals[DELIVERED],
            dead=totals[DEAD],
            delivered_total=int(self.get_meta("delivered_total") or 0),
            failed_attempts_total=int(self.get_meta("failed_attempts_total") or 0),
            oldest_pending_age=0.0 if oldest is None else max(0.0, now - float(oldest)),
            per_target=per_target,
        )

    def rows(
        self, state: str | None = None, limit: int = 100, *, failed_only: bool = False
    ) -> list[dict[str, Any]]:
        """The newest deliveries (in ``state``; with ``failed_only``, only those whose last
        attempt failed: the retrying ones among the pending)."""
        query = (
            "SELECT id, event_id, target, serial, event_type, state, attempts, created_at,"
            " delivered_at, last_error FROM deliveries"
        )
        conditions = []
        params: tuple[Any, ...] = ()
        if state is not None:
            conditions.append("state=?")
            params = (state,)
        if failed_only:
            conditions.append("last_error IS NOT NULL")
        if conditions:
            query += " WHERE " + " AND ".join(conditions)
        query += " ORDER BY id DESC LIMIT ?"
        names = (
            "id",
            "event_id",
            "target",
            "serial",
            "event_type",
            "state",
            "attempts",
            "created_at",
            "delivered_at",
            "last_error",
        )
        cursor = self._connection().execute(query, (*params, limit))
        return [dict(zip(names, row, strict=True)) for row in cursor]

    def requeue(
        self,
        *,
        states: Sequence[str],
        event_id: str | None = None,
        target: str | None = None,
        since_serial: int | None = None,
        now: float | None = None,
    ) -> int:
        """Put matching deliveries back in the queue with a fresh attempt budget."""
        now = time.time() if now is None else now
        clauses = [f"state IN ({', '.join('?' for _ in states)})"]
        params: list[Any] = list(states)
        if event_id is not None:
            clauses.append("event_id=?")
            params.append(event_id)
        if target is not None:
            clauses.append("target=?")
            params.append(target)
        if since_serial is not None:
            clauses.append("serial>=?")
            params.append(since_serial)
        where = " AND ".join(clauses)
        query = f"{REQUEUE} WHERE {where}"
        with self._transaction() as conn:
            cursor = conn.execute(query, (now, *params))
            return cursor.rowcount


def _bump(conn: sqlite3.Connection, key: str) -> None:
    conn.execute(
        "INSERT INTO meta (key, value) VALUES (?, '1')"
        " ON CONFLICT(key) DO UPDATE SET value=CAST(value AS INTEGER)+1",
        (key,),
    )
