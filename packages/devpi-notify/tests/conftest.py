"""Fixtures for devpi-notify: a real SMTP server with STARTTLS and AUTH on loopback, and one
real devpi-server with devpi-notify and loopback receivers per xdist worker (``env``)."""

from __future__ import annotations

import contextlib
import json
import sqlite3
import ssl
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml

from testharness import devpi_http
from testharness.devpi import DevpiServer, start_devpi_server
from testharness.ports import free_port
from testharness.recorder import Proxy, Recorded, Recorder, forwarding_proxy, recording_server

SMTP_USER = "notify"
SMTP_PASSWORD = "smtp-password-for-tests"
SECRET = "whsec-test-secret-0123456789"
PASSWORD = "alice-password"
WAIT = 60.0
TOKENS = {
    "GH_TOKEN": "ghp-test-token-0001",
    "GL_TOKEN": "glptt-test-token-0002",
    "JK_TOKEN": "jenkins-api-token-0003",
    "JK_BUILD": "jenkins-build-token-0004",
    "BEARER": "bearer-test-token-0005",
}
BASIC_PASSWORD = "basic-password-0006"
PROXIED_HOST = "receiver.proxied.test"


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


@dataclass
class Env:
    server: DevpiServer
    ci: Recorder
    flaky: Recorder
    slow: Recorder
    chat: Recorder
    smtp: Any
    outbox: Path
    receivers: dict[str, Recorder]  # the trigger, auth and proxy targets, by target name
    proxy: Proxy

    @property
    def url(self) -> str:
        return self.server.url

    def index(self, name: str, **config: Any) -> str:
        devpi_http.create_index(self.url, "alice", PASSWORD, name, **config)
        return f"alice/{name}"

    def index_once(self, name: str, **config: Any) -> str:
        try:
            return self.index(name, **config)
        except devpi_http.DevpiHTTPError as error:
            if error.status != 409:  # already created by another test on this worker
                raise
            return f"alice/{name}"

    def upload(self, index: str, project: str, version: str, kind: str = "sdist") -> bytes:
        if kind == "sdist":
            filename = f"{project}-{version}.tar.gz"
            content = devpi_http.sdist_bytes(project, version)
        else:
            filename = f"{project}-{version}-py3-none-any.whl"
            content = devpi_http.wheel_bytes(project, version)
        response = devpi_http.upload(
            self.url,
            index,
            project,
            version,
            content,
            filename=filename,
            headers=devpi_http.basic("alice", PASSWORD),
        )
        assert response.status_code == 200
        return content

    def rows(self, index: str) -> list[dict[str, Any]]:
        with sqlite3.connect(self.outbox) as conn:
            cursor = conn.execute(
                "SELECT event_id, target, state, attempts, event FROM deliveries ORDER BY id"
            )
            found = []
            for event_id, target, state, attempts, event in cursor:
                data = json.loads(event)
                if data["index"] == index:
                    found.append(
                        {
                            "id": event_id,
                            "target": target,
                            "state": state,
                            "attempts": attempts,
                            "data": data,
                        }
                    )
            return found

    @staticmethod
    def events(requests: list[Recorded], index: str) -> list[dict[str, Any]]:
        found = []
        for item in requests:
            event = json.loads(item.body)
            if event["data"]["index"] == index:
                found.append({**event, "_headers": item.headers, "_body": item.body})
        return found

    def wait_for_event(self, index: str, project: str, version: str, kind: str) -> None:
        def arrived(requests: list[Recorded]) -> bool:
            return any(
                (e["data"]["project"], e["data"]["version"], e["data"]["event"])
                == (project, version, kind)
                for e in self.events(requests, index)
            )

        self.ci.wait_for(arrived, timeout=WAIT)

    def wait_events(
        self, recorder: Recorder, index: str, count: int, kind: str | None = None
    ) -> list[dict[str, Any]]:
        def enough(requests: list[Recorded]) -> bool:
            found = self.events(requests, index)
            if kind is not None:
                found = [e for e in found if e["data"]["event"] == kind]
            return len(found) >= count

        return self.events(recorder.wait_for(enough, timeout=WAIT), index)


@pytest.fixture(scope="session")  # one server per xdist worker, however tests are spread
def env(tmp_path_factory: pytest.TempPathFactory, smtp_server: Any) -> Iterator[Env]:
    work = tmp_path_factory.mktemp("notify")
    names = ("gh", "gl", "jk", "bearer", "basic", "proxied")
    with (
        recording_server() as ci,
        recording_server() as flaky,
        recording_server() as slow,
        recording_server() as chat,
        contextlib.ExitStack() as stack,
    ):
        receivers = {name: stack.enter_context(recording_server()) for name in names}
        receivers["gh"].default_status = 204
        receivers["gl"].default_status = 201
        receivers["gl"].answer_body = b'{"id": 1, "status": "created"}'
        receivers["jk"].default_status = 201
        proxy = stack.enter_context(forwarding_proxy(receivers["proxied"].url))
        password_file = work / "basic-password"
        password_file.write_text(BASIC_PASSWORD + "\n")
        config = {
            "worker": {"poll_interval": 0.2, "backoff_initial": 0.2, "backoff_max": 1.0},
            "targets": {
                "ci": {"type": "webhook", "url": ci.url, "secret_env": "NOTIFY_SECRET"},
                "flaky": {"type": "webhook", "url": flaky.url, "secret_env": "NOTIFY_SECRET"},
                "slow": {
                    "type": "webhook",
                    "url": slow.url,
                    "secret_env": "NOTIFY_SECRET",
                    "timeout": 30,
                },
                "chat": {"type": "slack", "url_env": "SLACK_URL"},
                "mail": {
                    "type": "email",
                    "host": smtp_server.host,
                    "port": smtp_server.port,
                    "username": "notify",
                    "password_env": "SMTP_PASSWORD",
                    "ca_file": str(smtp_server.ca_file),
                    "from": "devpi@example.org",
                    "to": ["ops@example.org"],
                },
                "gh": {
                    "type": "github_dispatch",
                    "api_url": receivers["gh"].base_url,
                    "repository": "acme/app",
                    "event_type": "devpi-upload",
                    "token_env": "GH_TOKEN",
                },
                "gl": {
                    "type": "gitlab_trigger",
                    "url": receivers["gl"].base_url,
                    "project": "acme/app",
                    "ref": "main",
                    "token_env": "GL_TOKEN",
                },
                "jk": {
                    "type": "jenkins",
                    "url": receivers["jk"].base_url,
                    "job": "release/app",
                    "username": "ci-bot",
                    "token_env": "JK_TOKEN",
                    "build_token_env": "JK_BUILD",
                },
                "bearer": {
                    "type": "webhook",
                    "url": receivers["bearer"].url,
                    "unsigned": True,
                    "headers": {"X-Team": "devpi"},
                    "auth": {"type": "bearer", "token_env": "BEARER"},
                },
                "basic": {
                    "type": "webhook",
                    "url": receivers["basic"].url,
                    "secret_env": "NOTIFY_SECRET",
                    "auth": {
                        "type": "basic",
                        "username": "hook",
                        "password_file": str(password_file),
                    },
                },
                "proxied": {
                    "type": "webhook",
                    "url": f"http://{PROXIED_HOST}/hook",
                    "allow_http": True,
                    "secret_env": "NOTIFY_SECRET",
                },
            },
        }
        config_path = work / "notify.yaml"
        config_path.write_text(yaml.safe_dump(config))
        server = start_devpi_server(
            work,
            args=["--notify-config", str(config_path)],
            env={
                "NOTIFY_SECRET": SECRET,
                "SMTP_PASSWORD": "smtp-password-for-tests",
                "SLACK_URL": chat.url,
                **TOKENS,
                # 127.0.0.1 goes direct; only the PROXIED_HOST target uses the proxy
                **dict.fromkeys(("HTTP_PROXY", "http_proxy"), proxy.url),
                **dict.fromkeys(("NO_PROXY", "no_proxy"), "127.0.0.1,localhost"),
            },
        )
        try:
            devpi_http.create_user(server.url, "alice", PASSWORD)
            yield Env(
                server,
                ci,
                flaky,
                slow,
                chat,
                smtp_server,
                server.serverdir / ".devpi-notify-outbox.sqlite3",
                receivers,
                proxy,
            )
        finally:
            server.process.stop()
