"""SIGKILL mid-delivery, restart, and devpi's history replay: each event delivered once.

The only allowed duplicate is the delivery that was in flight at the kill, with the same id.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections import Counter
from pathlib import Path

import pytest

from testharness import devpi_http
from testharness.devpi import notify_webhook_args, start_devpi_server
from testharness.recorder import Recorded, recording_server

pytestmark = pytest.mark.slow

PASSWORD = "alice-password"
WAIT = 60.0


def ids_of(requests: list[Recorded]) -> list[str]:
    return [json.loads(item.body)["id"] for item in requests]


def outbox_count(serverdir: Path) -> int:
    path = serverdir / ".devpi-notify-outbox.sqlite3"
    with sqlite3.connect(path) as conn:
        return int(conn.execute("SELECT COUNT(*) FROM deliveries").fetchone()[0])


def wait_until_all_delivered(serverdir: Path) -> None:
    """The receiver records a request before the worker commits it as delivered: stopping
    the server in between is a legitimate at-least-once redelivery, not what we test here."""
    path = serverdir / ".devpi-notify-outbox.sqlite3"
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        with sqlite3.connect(path) as conn:
            query = "SELECT COUNT(*) FROM deliveries WHERE state != 'delivered'"
            if int(conn.execute(query).fetchone()[0]) == 0:
                return
        time.sleep(0.05)
    raise AssertionError("deliveries still pending after the receiver saw them")


def test_sigkill_mid_delivery_then_history_replay(tmp_path: Path) -> None:
    with recording_server() as receiver:
        args = notify_webhook_args(
            tmp_path / "notify.yaml",
            receiver.url,
            key_variable="NS",
            poll_interval=0.2,
            backoff_initial=0.2,
            backoff_max=1,
        )
        environ = {"NS": "crash-test-secret"}
        server = start_devpi_server(tmp_path, args=args, env=environ)
        serverdir = server.serverdir
        try:
            devpi_http.create_user(server.url, "alice", PASSWORD)
            devpi_http.create_index(
                server.url,
                "alice",
                PASSWORD,
                "dev",
                notify_targets="ci",
                notify_events="file_uploaded",
            )
            receiver.hang()
            for version in ("1.0", "1.1", "1.2"):
                content = devpi_http.sdist_bytes("crashpkg", version)
                filename = f"crashpkg-{version}.tar.gz"
                devpi_http.upload(
                    server.url,
                    "alice/dev",
                    "crashpkg",
                    version,
                    content,
                    filename=filename,
                    headers=devpi_http.basic("alice", PASSWORD),
                )
            receiver.wait_for(lambda seen: len(seen) >= 1, timeout=WAIT)
            deadline_rows = 3
            # every event is in the outbox before the kill
            for _ in range(600):
                if outbox_count(serverdir) >= deadline_rows:
                    break
                receiver.released.wait(0.1)
            assert outbox_count(serverdir) == deadline_rows
            in_flight = ids_of(receiver.snapshot())
            assert len(in_flight) == 1
            server.process.kill()
        finally:
            server.process.stop()
        receiver.release()

        server = start_devpi_server(tmp_path, args=args, env=environ, name="devpi-server-2")
        try:
            seen = receiver.wait_for(lambda seen: len(set(ids_of(seen))) >= 3, timeout=WAIT)
            counts = Counter(ids_of(seen))
            assert counts[in_flight[0]] == 2
            assert all(count == 1 for event_id, count in counts.items() if event_id != in_flight[0])
            wait_until_all_delivered(serverdir)
        finally:
            server.process.stop()

        # devpi replays every serial after an .event_serial reset: nothing is sent twice
        (serverdir / ".event_serial").write_text("0")
        server = start_devpi_server(tmp_path, args=args, env=environ, name="devpi-server-3")
        try:
            content = devpi_http.sdist_bytes("crashpkg", "2.0")
            devpi_http.upload(
                server.url,
                "alice/dev",
                "crashpkg",
                "2.0",
                content,
                headers=devpi_http.basic("alice", PASSWORD),
            )
            receiver.wait_for(lambda seen: len(set(ids_of(seen))) >= 4, timeout=WAIT)
            wait_until_all_delivered(serverdir)
            counts = Counter(ids_of(receiver.snapshot()))
            assert sum(counts.values()) == 5  # 4 events + the one in flight at the kill
            assert outbox_count(serverdir) == 4
        finally:
            server.process.stop()
