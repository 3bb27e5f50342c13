"""Fixtures for devpi-notify: a real SMTP server with STARTTLS and AUTH on loopback."""

from __future__ import annotations

import ssl
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from testharness.ports import free_port

SMTP_USER = "notify"
SMTP_PASSWORD = "smtp-password-for-tests"


@dataclass
class SmtpServer:
    host: str
    port: int
    ca_file: Path
    messages: list[dict[str, Any]] = field(default_factory=list)
    changed: threading.Condition = field(default_factory=threading.Condition)


class _Handler:
    def __init__(self, server: SmtpServer) -> None:
        self.server = server

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self.server.changed:
            self.server.messages.append(
                {
                    "content": envelope.content.decode("utf-8", "replace"),
                    "rcpt": list(envelope.rcpt_tos),
                    "authenticated": bool(session.authenticated),
                    "tls": session.ssl is not None,
                }
            )
            self.server.changed.notify_all()
        return "250 OK"


@pytest.fixture(scope="session")
def smtp_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SmtpServer]:
    import trustme
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult, LoginPassword

    folder = tmp_path_factory.mktemp("smtp")
    authority = trustme.CA()
    certificate = authority.issue_cert("127.0.0.1")
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    certificate.configure_cert(context)
    ca_file = folder / "ca.pem"
    authority.cert_pem.write_to_path(str(ca_file))

    def authenticator(
        server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any
    ) -> Any:
        ok = (
            isinstance(auth_data, LoginPassword)
            and auth_data.login == SMTP_USER.encode()
            and auth_data.password == SMTP_PASSWORD.encode()
        )
        return AuthResult(success=ok)

    smtp = SmtpServer("127.0.0.1", free_port(), ca_file)
    controller = Controller(
        _Handler(smtp),
        hostname=smtp.host,
        port=smtp.port,
        tls_context=context,
        require_starttls=True,
        authenticator=authenticator,
        auth_require_tls=True,
        ready_timeout=10,
    )
    controller.start()
    try:
        yield smtp
    finally:
        controller.stop()
