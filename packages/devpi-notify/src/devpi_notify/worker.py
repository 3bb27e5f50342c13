"""The delivery worker: one thread per target in devpi-server's thread pool."""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable
from typing import Any

from devpi_notify.config import Target, WorkerSettings
from devpi_notify.outbox import Outbox
from devpi_notify.senders import DeliveryError, send

log = logging.getLogger("devpi_notify")
PRUNE_EVERY_SECONDS = 3600.0


def backoff_delay(attempts: int, settings: WorkerSettings, rng: random.Random) -> float:
    """Exponential backoff with equal jitter: half fixed, half random."""
    growth = 2.0 ** max(0, attempts - 1)
    ceiling = min(settings.backoff_max, settings.backoff_initial * growth)
    return ceiling / 2 + rng.uniform(0, ceiling / 2)


class DeliveryWorker:
    """Sends the outbox rows of one target; devpi's pool calls ``thread_run``.

    devpi-server's ``ThreadPool.register`` sets ``self.thread`` (a ``MyThread``) and calls
    ``thread_shutdown`` when the server stops.
    """

    thread: Any

    def __init__(
        self,
        target: Target,
        outbox: Outbox,
        settings: WorkerSettings,
        base_url: str,
        sender: Callable[[Target, dict[str, Any], str], object] = send,
    ) -> None:
        self.target = target
        self.outbox = outbox
        self.settings = settings
        self.base_url = base_url
        self.sender = sender
        self.wake = threading.Event()
        self._stopping = threading.Event()
        self._rng = random.Random()  # noqa: S311 - jitter, not cryptography
        self._last_prune = 0.0

    def thread_shutdown(self) -> None:
        self._stopping.set()
        self.wake.set()

    def thread_run(self) -> None:
        log.info("devpi-notify: delivery worker for target %r started", self.target.name)
        while not self._stopping.is_set():
            self.wake.clear()  # before looking: a wake-up during run_once is not lost
            try:
                sent = self.run_once()
            except Exception:
                log.exception("devpi-notify: worker for target %r failed", self.target.name)
                sent = 0
            if sent:
                continue
            self.wake.wait(self._idle_seconds())
        self.outbox.close()

    def _idle_seconds(self) -> float:
        wait = self.settings.poll_interval
        next_at = self.outbox.next_due_at(self.target.name)
        if next_at is not None:
            wait = min(wait, max(0.05, next_at - time.time()))
        return wait

    def run_once(self) -> int:
        """Deliver what is due now; returns how many deliveries were attempted."""
        self._maybe_prune()
        attempted = 0
        for delivery in self.outbox.due(self.target.name):
            if self._stopping.is_set():
                break
            attempted += 1
            self.outbox.mark_attempt(delivery.row_id)
            attempts = delivery.attempts + 1
            try:
                self.sender(self.target, delivery.event, self.base_url)
            except DeliveryError as error:
                self._failed(delivery.row_id, delivery.event_id, attempts, str(error))
            except Exception as error:  # a bug or an odd payload must not stop the worker
                self._failed(delivery.row_id, delivery.event_id, attempts, type(error).__name__)
            else:
                self.outbox.mark_delivered(delivery.row_id)
                log.debug("devpi-notify: delivered %s to %r", delivery.event_id, self.target.name)
        return attempted

    def _failed(self, row_id: int, event_id: str, attempts: int, error: str) -> None:
        if attempts >= self.settings.max_attempts:
            self.outbox.mark_failed(row_id, error, None)
            log.error(
                "devpi-notify: %s to %r is a dead letter after %d attempts: %s",
                event_id,
                self.target.name,
                attempts,
                error,
            )
            return
        delay = backoff_delay(attempts, self.settings, self._rng)
        self.outbox.mark_failed(row_id, error, time.time() + delay)
        log.warning(
            "devpi-notify: %s to %r failed (attempt %d), retry in %.1f s: %s",
            event_id,
            self.target.name,
            attempts,
            delay,
            error,
        )

    def _maybe_prune(self) -> None:
        now = time.time()
        if now - self._last_prune < PRUNE_EVERY_SECONDS:
            return
        self._last_prune = now
        self.outbox.prune(now - self.settings.retention_days * 86400)
