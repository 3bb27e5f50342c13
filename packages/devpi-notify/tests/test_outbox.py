"""The outbox, the worker's retry policy and the CLI, on a real sqlite file."""

from __future__ import annotations

import json
import random
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from devpi_notify.cli import main
from devpi_notify.config import Target, WorkerSettings
from devpi_notify.events import Change, IndexSubscription, event_payload
from devpi_notify.outbox import Outbox, QueuedEvent, outbox_path
from devpi_notify.senders import DeliveryError, sign
from devpi_notify.worker import DeliveryWorker, backoff_delay


def queued(serial: int, project: str = "pkg", target: str = "ci") -> QueuedEvent:
    change = Change("file_uploaded", "alice/dev", serial, f"alice/dev/+f/{serial}", project, "1")
    payload = event_payload(change, "https://devpi.example", 0.0)
    return QueuedEvent(
        change.event_id, target, change.ordering_key, serial, "file_uploaded", payload
    )


@pytest.fixture
def outbox(tmp_path: Path) -> Outbox:
    return Outbox(outbox_path(tmp_path))


def test_the_same_event_is_stored_once(outbox: Outbox) -> None:
    assert outbox.append([queued(5)]) == 1
    assert outbox.append([queued(5)]) == 0  # devpi replayed the serial
    assert outbox.append([queued(5, target="chat")]) == 1
    assert outbox.stats().pending == 2


def test_event_ids_follow_what_changed() -> None:
    base = Change("file_uploaded", "alice/dev", 5, "alice/dev/+f/a/b.whl")
    assert base.event_id == Change("file_uploaded", "alice/dev", 5, "alice/dev/+f/a/b.whl").event_id
    assert base.event_id != Change("file_uploaded", "alice/dev", 6, "alice/dev/+f/a/b.whl").event_id
    assert (
        base.event_id != Change("file_uploaded", "alice/prod", 5, "alice/dev/+f/a/b.whl").event_id
    )
    assert base.event_id != Change("file_removed", "alice/dev", 5, "alice/dev/+f/a/b.whl").event_id


def test_one_project_is_delivered_in_order(outbox: Outbox) -> None:
    outbox.append([queued(1, "a"), queued(2, "a"), queued(3, "b")])
    due = outbox.due("ci", now=1e12)
    assert [d.event["serial"] for d in due] == [1, 3]
    outbox.mark_failed(due[0].row_id, "HTTP 500", retry_at=1e12 + 60)
    assert [d.event["serial"] for d in outbox.due("ci", now=1e12)] == [3]  # 2 waits behind 1
    outbox.mark_delivered(due[0].row_id)
    assert [d.event["serial"] for d in outbox.due("ci", now=1e12)] == [2, 3]


def test_watermark_ignores_history_and_pruned_serials(outbox: Outbox) -> None:
    assert outbox.init_watermark(10) == 10
    assert outbox.init_watermark(50) == 10  # only the first start sets it
    outbox.append([queued(20)], now=100.0)
    (row,) = outbox.due("ci", now=1e12)
    outbox.mark_delivered(row.row_id)
    assert outbox.prune(older_than=200.0) == 1
    assert outbox.ignore_upto_serial() == 20


def test_serial_users_are_replaced_forgotten_and_pruned(outbox: Outbox) -> None:
    outbox.record_serial_user(7, "alice", now=100.0)  # a commit that then failed
    outbox.record_serial_user(7, "bob", now=200.0)  # the next write of serial 7
    assert outbox.serial_user(7) == "bob"
    outbox.forget_serial_user(7, "alice")  # only the failed request's own row goes
    assert outbox.serial_user(7) == "bob"
    outbox.record_serial_user(8, "alice", now=300.0)
    outbox.forget_serial_user(8, "alice")
    assert outbox.serial_user(8) is None
    outbox.record_serial_user(9, "carol", now=400.0)
    outbox.prune(older_than=300.0)
    assert (outbox.serial_user(7), outbox.serial_user(9)) == (None, "carol")


def test_backoff_grows_with_jitter_and_is_capped() -> None:
    settings = WorkerSettings(backoff_initial=2, backoff_max=60)
    rng = random.Random(1)
    delays = [backoff_delay(n, settings, rng) for n in range(1, 10)]
    assert 1 <= delays[0] <= 2
    assert 4 <= delays[2] <= 8
    assert all(30 <= d <= 60 for d in delays[6:])


def test_worker_retries_then_dead_letters(outbox: Outbox) -> None:
    outbox.append([queued(1)])
    calls: list[str] = []

    def failing(target: Target, payload: dict[str, Any], base_url: str) -> None:
        calls.append(payload["id"])
        raise DeliveryError("webhook target ci: HTTP 503")

    settings = WorkerSettings(max_attempts=2, backoff_initial=0.01, backoff_max=0.01)
    worker = DeliveryWorker(Target("ci", "webhook"), outbox, settings, "https://d", failing)
    assert worker.run_once() == 1
    assert outbox.stats().pending == 1
    time.sleep(0.05)  # past the 0.01 s backoff
    assert worker.run_once() == 1
    stats = outbox.stats()
    assert (stats.pending, stats.dead, stats.failed_attempts_total) == (0, 1, 2)
    assert len(set(calls)) == 1
    (dead,) = outbox.rows("dead")
    assert dead["last_error"] == "webhook target ci: HTTP 503"


def test_signature_format() -> None:
    header = sign("key", 1700000000, b'{"a":1}')
    assert header.startswith("t=1700000000,v1=")
    assert len(header.split("v1=")[1]) == 64


def test_subscription_filters() -> None:
    sub = IndexSubscription.from_ixconfig(
        {"notify_targets": ["ci"], "notify_events": "file_uploaded", "notify_projects": ["acme-*"]}
    )
    assert sub.wants("file_uploaded", "acme-tools")
    assert not sub.wants("file_uploaded", "other")
    assert not sub.wants("version_created", "acme-tools")
    assert not IndexSubscription.from_ixconfig({}).wants("file_uploaded", "x")


def test_cli_status_retry_replay(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    outbox = Outbox(outbox_path(tmp_path))
    outbox.append([queued(1, "a"), queued(2, "b"), queued(3, "c"), queued(4, "d")])
    first, second, third, _ = outbox.due("ci", now=1e12)
    outbox.mark_failed(first.row_id, "webhook target ci: HTTP 500", None)
    outbox.mark_delivered(second.row_id)
    outbox.mark_failed(third.row_id, "webhook target ci: TLS verification failed", 1e12)

    assert main(["status", "--serverdir", str(tmp_path), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert (report["stats"]["dead"], report["stats"]["delivered"]) == (1, 1)
    assert report["dead_letters"][0]["event_id"] == first.event_id
    # the retrying list holds the pending delivery that failed, not the untried one
    assert [row["event_id"] for row in report["retrying"]] == [third.event_id]

    assert main(["status", "--serverdir", str(tmp_path)]) == 0
    text = capsys.readouterr().out
    assert "dead letters:" in text
    retrying = text.split("retrying:\n", 1)[1].split("dead letters:", 1)[0]
    assert "TLS verification failed" in retrying
    assert "HTTP 500" not in retrying

    assert main(["retry", "--serverdir", str(tmp_path)]) == 0
    assert "requeued 1 dead letter" in capsys.readouterr().out
    assert main(["replay", "--serverdir", str(tmp_path), "--id", second.event_id]) == 0
    assert outbox.stats().pending == 4

    assert main(["replay", "--serverdir", str(tmp_path)]) == 2
    assert "replay needs --id" in capsys.readouterr().err


def test_cli_errors_are_one_line(tmp_path: Path) -> None:
    cli = Path(sys.executable).parent / "devpi-notify"
    proc = subprocess.run(
        [str(cli), "status", "--serverdir", str(tmp_path / "nope")],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 2
    assert proc.stderr.startswith("devpi-notify: error: --serverdir")
    assert proc.stderr.count("\n") == 1
    proc = subprocess.run(
        [str(cli), "status", "--serverdir", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 2
    assert "no outbox in" in proc.stderr
