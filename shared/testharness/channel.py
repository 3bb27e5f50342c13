"""A real threaded HTTP/1.1 channel server on loopback, with pluggable auth and recording.

``ChannelServer(files, auth_check=...)`` serves a small conda channel (``repodata.json`` and a
package file by default) from memory on 127.0.0.1 with keep-alive connections. Every request
is recorded (method, path, headers) so tests can assert what a server received, e.g. that a
second origin never saw an ``Authorization`` header.

- ``auth_check(headers) -> bool`` (header names title-cased) decides access
  (``basic_auth_check(user, password)`` for HTTP basic, or any callable, e.g.
  ``bearer_check(token)``); failing requests get 401 with
  ``WWW-Authenticate`` (``auth_challenge``).
- ``redirects[path] = location`` answers 302 to ``location`` (before the auth check when
  ``redirect_before_auth``).
- ``delays[path]`` seconds to wait before answering (timeout tests; keep them short).
- ``scripted[path]`` is a list of ``(status, headers)`` answers consumed first (retries).

Use as a context manager or call ``start()`` / ``close()``; every wait is bounded.
``python -m testharness.channel PORT USER PASSWORD`` serves the default channel with basic
auth in its own process (benchmarks use it that way).
"""

from __future__ import annotations

import base64
import hmac
import json
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any

AuthCheck = Callable[[Mapping[str, str]], bool]
CHANNEL_SUBDIR = "noarch"
PACKAGE_NAME = "tiny-1.0-0.tar.bz2"


def basic_auth_check(username: str, password: str) -> AuthCheck:
    """An ``auth_check`` accepting exactly this HTTP basic user and password."""
    expected = "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()

    def check(headers: Mapping[str, str]) -> bool:
        return hmac.compare_digest(headers.get("Authorization", ""), expected)

    return check


def bearer_check(token: str) -> AuthCheck:
    """An ``auth_check`` accepting exactly ``Authorization: Bearer <token>``."""

    def check(headers: Mapping[str, str]) -> bool:
        return hmac.compare_digest(headers.get("Authorization", ""), f"Bearer {token}")

    return check


def channel_files(prefix: str = "/channel") -> dict[str, bytes]:
    """A tiny channel: ``<prefix>/noarch/repodata.json`` and one package file."""
    package = b"BZh9" + b"\x00" * 508
    repodata = {
        "info": {"subdir": CHANNEL_SUBDIR},
        "packages": {
            PACKAGE_NAME: {
                "name": "tiny",
                "version": "1.0",
                "build": "0",
                "build_number": 0,
                "depends": [],
                "size": len(package),
            }
        },
    }
    return {
        f"{prefix}/{CHANNEL_SUBDIR}/repodata.json": json.dumps(repodata).encode(),
        f"{prefix}/{CHANNEL_SUBDIR}/{PACKAGE_NAME}": package,
    }


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str
    headers: dict[str, str]

    @property
    def authorization(self) -> str | None:
        return next((v for k, v in self.headers.items() if k.lower() == "authorization"), None)


@dataclass
class ChannelServer:
    """The server; ``url`` is ``http://host:port`` once started."""

    files: dict[str, bytes] = field(default_factory=channel_files)
    auth_check: AuthCheck | None = None
    host: str = "127.0.0.1"
    bind_port: int = 0
    auth_challenge: str = 'Basic realm="channel"'
    redirects: dict[str, str] = field(default_factory=dict)
    redirect_before_auth: bool = False
    scripted: dict[str, list[tuple[int, dict[str, str]]]] = field(default_factory=dict)
    delays: dict[str, float] = field(default_factory=dict)
    requests: list[RecordedRequest] = field(default_factory=list)
    _server: ThreadingHTTPServer | None = None
    _thread: threading.Thread | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("the channel server is not started")
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> ChannelServer:
        server = _QuietServer((self.host, self.bind_port), _make_handler(self))
        server.daemon_threads = True
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def close(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=10)
        self._server = None

    def __enter__(self) -> ChannelServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def record(self, request: RecordedRequest) -> None:
        with self._lock:
            self.requests.append(request)

    def recorded(self) -> list[RecordedRequest]:
        with self._lock:
            return list(self.requests)

    def authorizations(self) -> list[str]:
        """Every ``Authorization`` value this server received."""
        return [r.authorization for r in self.recorded() if r.authorization is not None]

    def next_scripted(self, path: str) -> tuple[int, dict[str, str]] | None:
        with self._lock:
            queue = self.scripted.get(path)
            return queue.pop(0) if queue else None


class _QuietServer(ThreadingHTTPServer):
    """Clients closing kept-alive connections is normal here, not worth a traceback."""

    def handle_error(self, request: Any, client_address: Any) -> None:
        import sys

        if not isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            super().handle_error(request, client_address)


def _make_handler(channel: ChannelServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        wbufsize = 1 << 16  # one send per response (flushed by handle_one_request)
        disable_nagle_algorithm = True

        def log_message(self, format: str, *args: Any) -> None:
            return None

        def do_HEAD(self) -> None:
            self._answer(send_body=False)

        def do_GET(self) -> None:
            self._answer(send_body=True)

        def _answer(self, *, send_body: bool) -> None:
            headers = {name.title(): value for name, value in self.headers.items()}
            path = self.path.split("?", 1)[0]
            channel.record(RecordedRequest(self.command, path, headers))
            if path in channel.delays:
                time.sleep(channel.delays[path])
            scripted = channel.next_scripted(path)
            if scripted is not None:
                self._send(scripted[0], b"scripted\n", scripted[1], send_body)
                return
            if channel.redirect_before_auth and path in channel.redirects:
                self._send(302, b"", {"Location": channel.redirects[path]}, send_body)
                return
            if channel.auth_check is not None and not channel.auth_check(headers):
                challenge = {"WWW-Authenticate": channel.auth_challenge}
                self._send(401, b"unauthorized\n", challenge, send_body)
                return
            if path in channel.redirects:
                self._send(302, b"", {"Location": channel.redirects[path]}, send_body)
                return
            body = channel.files.get(path)
            if body is None:
                self._send(404, b"not found\n", {}, send_body)
                return
            content_type = "application/json" if path.endswith(".json") else "application/x-tar"
            self._send(200, body, {"Content-Type": content_type}, send_body)

        def _send(
            self, status: int, body: bytes, headers: Mapping[str, str], send_body: bool
        ) -> None:
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if send_body:
                self.wfile.write(body)

    return Handler


def main(argv: list[str] | None = None) -> None:
    import sys

    port, username, password = (argv if argv is not None else sys.argv[1:])[:3]
    server = ChannelServer(auth_check=basic_auth_check(username, password), bind_port=int(port))
    server.start()
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        server.close()


if __name__ == "__main__":
    main()
