"""Log lines name the devpi request they belong to (``[req12] POST /+login: ...``).

The hook sets the request's tag for the duration of one authentication; a filter on the
``devpi_auth_ldap`` logger prefixes every record logged meanwhile in that thread.
"""

from __future__ import annotations

import contextlib
import contextvars
import logging
from collections.abc import Iterator

log = logging.getLogger("devpi_auth_ldap")
_request: contextvars.ContextVar[str] = contextvars.ContextVar(
    "devpi_auth_ldap_request", default=""
)


class _RequestPrefix(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        context = _request.get()
        if context and not getattr(record, "devpi_auth_ldap_request", ""):
            record.msg = f"{context}: {record.msg}"
            record.devpi_auth_ldap_request = context
        return True


log.addFilter(_RequestPrefix())


@contextlib.contextmanager
def for_request(context: str) -> Iterator[None]:
    token = _request.set(context)
    try:
        yield
    finally:
        _request.reset(token)
