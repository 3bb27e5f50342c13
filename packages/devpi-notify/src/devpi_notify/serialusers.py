"""Who made each committed serial, recorded by the request that writes it.

devpi's event hooks run after the commit, in its notification thread, and do not say who
made a change. This pyramid tween runs inside devpi's keyfs write transaction (under
``devpi_server.views.tween_keyfs_transaction``): after the view of a write request by an
authenticated user it records ``serial this commit will get -> user`` in the outbox,
before devpi commits, so the row exists when the notification thread builds the events of
that serial. A transaction that commits nothing, or rolls back, drops its row when it
finishes; a row left behind by a crash is replaced by the next commit of that serial.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from devpi_notify.outbox import Outbox

log = logging.getLogger("devpi_notify")
KEYFS_TWEEN = "devpi_server.views.tween_keyfs_transaction"
TWEEN = "devpi_notify.main.serial_user_tween_factory"


def make_tween(handler: Callable[[Any], Any], keyfs: Any, outbox: Outbox) -> Callable[[Any], Any]:
    def record_serial_user(request: Any) -> Any:
        response = handler(request)
        tx = getattr(keyfs, "tx", None)
        username = request.authenticated_userid
        if tx is None or not tx.write or not username:
            return response
        try:
            serial = int(tx.at_serial) + 1  # the write lock is held: the next commit's serial
            outbox.record_serial_user(serial, str(username))
        except Exception:
            log.exception("devpi-notify: could not record who made this change")
            return response

        def forget_unless_committed() -> None:
            if tx.commit_serial != serial:
                outbox.forget_serial_user(serial, str(username))

        tx.on_finished(forget_unless_committed)
        return response

    return record_serial_user
