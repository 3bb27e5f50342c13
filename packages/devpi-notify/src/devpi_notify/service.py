"""The running plugin inside one devpi-server: turns hook calls into outbox rows."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Mapping, Sequence
from typing import Any

from devpi_notify.config import NotifyConfig
from devpi_notify.events import Change, IndexSubscription, event_payload
from devpi_notify.outbox import Outbox, QueuedEvent
from devpi_notify.worker import DeliveryWorker

log = logging.getLogger("devpi_notify")


class NotifyService:
    def __init__(self, config: NotifyConfig, outbox: Outbox, base_url: str) -> None:
        self.config = config
        self.outbox = outbox
        self.base_url = base_url
        self.workers: dict[str, DeliveryWorker] = {
            name: DeliveryWorker(target, outbox, config.worker, base_url)
            for name, target in config.targets.items()
        }
        self.ignore_upto_serial = -1
        self._warned: set[tuple[str, str]] = set()
        self._lock = threading.Lock()

    def record(self, change: Change, ixconfig: Mapping[str, Any]) -> int:
        return self.record_all([change], ixconfig)

    def record_all(self, changes: Sequence[Change], ixconfig: Mapping[str, Any]) -> int:
        """Append ``changes`` (in order, one transaction) for every target the index opted
        into; returns the rows added (ids already in the outbox add none)."""
        subscription = IndexSubscription.from_ixconfig(ixconfig)
        if not subscription.targets:
            return 0
        rows: list[QueuedEvent] = []
        woken: set[str] = set()
        now = time.time()
        for change in changes:
            if change.serial <= self.ignore_upto_serial:
                continue
            if not subscription.wants(change.event_type, change.project):
                continue
            self._warn_unknown(change.index, subscription)
            targets = [name for name in subscription.targets if name in self.config.targets]
            payload = event_payload(change, self.base_url, now)
            rows += [
                QueuedEvent(
                    event_id=change.event_id,
                    target=name,
                    ordering_key=change.ordering_key,
                    serial=change.serial,
                    event_type=change.event_type,
                    event=payload,
                )
                for name in targets
            ]
            woken.update(targets)
        added = self.outbox.append(rows)
        for name in woken:
            self.workers[name].wake.set()
        return added

    def _warn_unknown(self, index: str, subscription: IndexSubscription) -> None:
        unknown = [name for name in subscription.targets if name not in self.config.targets]
        for name in unknown:
            self._warn_once(
                index,
                f"target:{name}",
                f"index {index} names notify target {name!r}, which --notify-config does not "
                f"define; known targets: {', '.join(sorted(self.config.targets))}",
            )
        for name in subscription.unknown_events():
            message = f"index {index}: unknown notify_events {name!r}"
            self._warn_once(index, f"event:{name}", message)

    def _warn_once(self, index: str, key: str, message: str) -> None:
        with self._lock:
            if (index, key) in self._warned:
                return
            self._warned.add((index, key))
        log.warning("devpi-notify: %s", message)
