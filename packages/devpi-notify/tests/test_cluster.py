"""A primary and two replicas (real processes): who sends, stable ids, SIGKILL of the primary.

Both replicas run with the same ``--notify-config`` as the primary. Replica 1 keeps the
default (``send_from: primary``) and must send nothing; replica 2 is told ``send_from: all``
and sends to a receiver of its own, so its event ids can be compared with the primary's.
Uploads go round-robin through all three servers, before the SIGKILL of the primary and after
its restart (the harness starts the cluster with cheap argon2 key derivation, see
``testharness.devpi.CHEAP_ARGON2``; with devpi's defaults a restarted primary answered the
replicas only after their request timeout on a loaded machine).
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from testharness import devpi_http
from testharness.devpi import DevpiServer, notify_webhook_args, start_devpi_server, start_replica
from testharness.process import ServerGroup
from testharness.recorder import Recorded, recording_server

pytestmark = pytest.mark.slow

PASSWORD = "alice-password"
UPLOADS = 50
KILL_AT = 25
WAIT = 60.0


def notify_args(path: Path, url: str, **worker: Any) -> list[str]:
    settings = {"poll_interval": 0.2, "backoff_initial": 0.2, "backoff_max": 1.0, **worker}
    return notify_webhook_args(path, url, **settings)


def ids(requests: list[Recorded]) -> Counter[str]:
    return Counter(json.loads(item.body)["id"] for item in requests)


def arrival_times(requests: list[Recorded]) -> dict[str, list[float]]:
    """Each event id's arrival times at the receiver, in order."""
    found: dict[str, list[float]] = {}
    for item in requests:
        found.setdefault(json.loads(item.body)["id"], []).append(item.at)
    return {event_id: sorted(times) for event_id, times in found.items()}


def delivered_at(serverdir: Path) -> dict[str, float]:
    """When the outbox marked each event id delivered (to the one target ``ci``)."""
    with sqlite3.connect(serverdir / ".devpi-notify-outbox.sqlite3") as conn:
        rows = conn.execute(
            "SELECT event_id, delivered_at FROM deliveries WHERE target='ci'"
        ).fetchall()
    return {event_id: float(at) for event_id, at in rows}


def described(requests: list[Recorded]) -> set[tuple[str, str, str]]:
    found = set()
    for item in requests:
        data = json.loads(item.body)["data"]
        found.add((data["event"], data["project"], data["version"]))
    return found


def pending(serverdir: Path) -> int:
    with sqlite3.connect(serverdir / ".devpi-notify-outbox.sqlite3") as conn:
        query = "SELECT COUNT(*) FROM deliveries WHERE state != 'delivered'"
        return int(conn.execute(query).fetchone()[0])


def wait_delivered(serverdir: Path) -> None:
    deadline = time.monotonic() + WAIT
    while pending(serverdir):
        assert time.monotonic() < deadline, "deliveries still pending"
        time.sleep(0.1)


def upload(server: DevpiServer, version: str) -> None:
    """Upload through ``server`` (a replica forwards the write to the primary); retried."""
    content = devpi_http.sdist_bytes("clusterpkg", version)
    deadline = time.monotonic() + WAIT
    while True:
        try:
            response = devpi_http.upload(
                server.url,
                "alice/dev",
                "clusterpkg",
                version,
                content,
                headers=devpi_http.basic("alice", PASSWORD),
                check=False,
            )
        except OSError:
            response = None
        if response is not None and response.status_code == 200:
            return
        if uploaded(server, version):  # an attempt that timed out went through after all
            return
        assert time.monotonic() < deadline, f"upload of {version} kept failing"
        time.sleep(0.2)


def uploaded(server: DevpiServer, version: str) -> bool:
    try:
        found = devpi_http.request(
            "GET", f"{server.url}/alice/dev/clusterpkg/{version}", check=False, timeout=10
        )
    except OSError:
        return False
    return found.status_code == 200 and bool(found.json()["result"].get("+links"))


def test_primary_sends_each_event_once_across_a_sigkill(
    tmp_path: Path, start_server: ServerGroup
) -> None:
    environ = {"NOTIFY_SECRET": "cluster-secret"}
    with recording_server() as receiver, recording_server() as replica_receiver:
        default = notify_args(tmp_path / "notify.yaml", receiver.url)
        every = notify_args(tmp_path / "all.yaml", replica_receiver.url, send_from="all")
        primary = start_devpi_server(
            tmp_path,
            servers=start_server,
            primary=True,
            secretfile=True,
            args=default,
            env=environ,
        )
        devpi_http.create_user(primary.url, "alice", PASSWORD)
        devpi_http.create_index(primary.url, "alice", PASSWORD, "dev", notify_targets="ci")
        quiet = start_replica(
            primary,
            tmp_path,
            servers=start_server,
            name="replica-1",
            args=default,
            env=environ,
        )
        loud = start_replica(
            primary,
            tmp_path,
            servers=start_server,
            name="replica-2",
            args=every,
            env=environ,
        )
        through = [primary, quiet, loud]
        for number in range(KILL_AT):
            upload(through[number % 3], f"1.{number}")
        for replica in (quiet, loud):
            replica.wait_serial(primary.serial())
        primary.process.kill()  # returns once the process is gone
        restart_began = time.time()  # no request of the restarted primary comes before this
        primary.process.start()  # same port, same server directory
        restarted_at = time.time()  # devpi-server took seconds to answer again
        for number in range(KILL_AT, UPLOADS):
            upload(through[number % 3], f"1.{number}")
        expected = {
            (event, "clusterpkg", f"1.{number}")
            for number in range(UPLOADS)
            for event in ("version_created", "file_uploaded")
        }
        receiver.wait_for(lambda seen: described(seen) >= expected, timeout=WAIT)
        wait_delivered(primary.serverdir)
        replica_receiver.wait_for(lambda seen: described(seen) >= expected, timeout=WAIT)
        wait_delivered(loud.serverdir)

        counts = ids(receiver.snapshot())
        assert described(receiver.snapshot()) == expected
        assert len(counts) == 2 * UPLOADS
        repeated = {event_id: n for event_id, n in counts.items() if n > 1}
        # Only the delivery in flight at the SIGKILL may come twice, with the same id: the
        # killed primary sent it (the receiver may read those bytes a moment after the death,
        # but not seconds later, once the restarted primary answers), had not marked it
        # delivered (the restarted primary did), and the restarted primary sent it again.
        # One target, one worker sending one request at a time: at most one such event.
        arrived = arrival_times(receiver.snapshot())
        marked = delivered_at(primary.serverdir)
        assert set(marked) == set(counts)
        assert len(repeated) <= 1, repeated
        for event_id, times in arrived.items():
            if len(times) == 1:
                continue
            assert len(times) == 2, (event_id, times)
            first, second = times
            assert first < restarted_at, (event_id, times, restarted_at)
            assert second > restart_began, (event_id, times, restart_began)
            assert marked[event_id] > restart_began, (event_id, marked[event_id], restart_began)
        print(f"cluster: {len(counts)} events, {sum(counts.values())} deliveries, {repeated=}")
        assert not (quiet.serverdir / ".devpi-notify-outbox.sqlite3").exists()
        # the replica that sends too (never killed) sends each event once, with the same id
        replica_counts = ids(replica_receiver.snapshot())
        assert described(replica_receiver.snapshot()) == expected
        assert set(replica_counts) == set(counts)
        assert set(replica_counts.values()) == {1}, replica_counts
