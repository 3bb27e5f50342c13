"""``worker.announce_history``: the history devpi's notification thread will not replay.

devpi-import runs the event hooks during the import (unless ``--no-events``), before any
server with ``--notify-config`` ran, and advances devpi's ``.event_serial``: the server's
notification thread then never calls a hook for those serials. On the first start with
``announce_history: true`` the serials up to ``.event_serial`` are walked here, the way the
notification thread dispatches ``devpiserver_on_changed_versiondata`` (one call per changed
version key, in a read transaction at that serial); later serials are left to the thread.
The outbox's ids make a serial seen twice a no-op.
"""

from __future__ import annotations

import logging
from typing import Any

from devpi_notify.service import NotifyService
from devpi_notify.versionevents import changes_at_serial

log = logging.getLogger("devpi_notify")
DONE_KEY = "history_announced"
VERSION_KEY = "PROJVERSION"


def announce_history(xom: Any, service: NotifyService) -> int:
    """Record the events of every serial devpi already ran hooks for; once per outbox."""
    outbox = service.outbox
    if outbox.get_meta(DONE_KEY) is not None or service.ignore_upto_serial != -1:
        return 0
    keyfs = xom.keyfs
    upto = min(keyfs.notifier.read_event_serial(), keyfs.get_current_serial())
    added = 0
    for serial in range(upto + 1):
        added += _announce_serial(xom, service, serial)
    outbox.set_meta(DONE_KEY, str(upto))
    if upto >= 0:
        log.info("devpi-notify: announced %d event(s) of serials 0..%d (history)", added, upto)
    return added


def _announce_serial(xom: Any, service: NotifyService, serial: int) -> int:
    keyfs = xom.keyfs
    with keyfs.get_connection() as conn:
        changes = conn.get_changes(serial)
    added = 0
    for relpath, (keyname, back_serial, value) in changes.items():
        if keyname != VERSION_KEY:
            continue
        key = keyfs.get_key_instance(keyname, relpath)
        with keyfs.read_transaction(at_serial=serial) as tx:
            old = _old_value(tx, key, back_serial)
            source = value or old
            if not source:
                continue
            stage = xom.model.getstage(key.params["user"], key.params["index"])
            if stage is None:
                continue
            project, version = source["name"], source["version"]
            changes_of_version = changes_at_serial(
                stage, project, version, service.outbox.serial_user
            )
            added += service.record_all(changes_of_version, stage.ixconfig)
    return added


def _old_value(tx: Any, key: Any, back_serial: int) -> Any:
    if back_serial == -1:
        return {}
    try:
        return tx.get_value_at(key, back_serial)
    except KeyError:
        return {}
