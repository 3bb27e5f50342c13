"""A threaded HTTP server on loopback that records every request it receives.

Behaviour is scripted per request: answer a status, or hang until released. Used as a
webhook receiver in devpi-notify tests and benchmarks.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass(frozen=True)
class Recorded:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    at: float


@dataclass
class Recorder:
    """What the server received, and how it answers the next requests."""

    url: str = ""
    requests: list[Recorded] = field(default_factory=list)
    statuses: list[int] = field(default_factory=list)  # consumed first, then default_status
    default_status: int = 200
    answer_body: bytes = b"ok"
    hanging: threading.Event = field(default_factory=threading.Event)  # set = hang
    released: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)
    changed: threading.Condition = field(default_factory=threading.Condition)

    @property
    def base_url(self) -> str:
        """``url`` without its ``/hook`` path: the root of the receiving service."""
        return self.url.rsplit("/", 1)[0]

    def hang(self) -> None:
        self.released.clear()
        self.hanging.set()

    def release(self) -> None:
        self.hanging.clear()
        self.released.set()

    def snapshot(self) -> list[Recorded]:
        with self.lock:
            return list(self.requests)

    def wait_for(
        self, predicate: Callable[[list[Recorded]], bool], timeout: float = 30.0
    ) -> list[Recorded]:
        """Wait until ``predicate(requests)`` holds; raise ``TimeoutError`` after ``timeout``."""
        deadline = time.monotonic() + timeout
        with self.changed:
            while True:
                seen = self.snapshot()
                if predicate(seen):
                    return seen
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError(f"receiver condition not met; got {len(seen)} request(s)")
                self.changed.wait(min(remaining, 0.2))

    def _answer(self) -> int:
        with self.lock:
            return self.statuses.pop(0) if self.statuses else self.default_status


def _read_request(handler: BaseHTTPRequestHandler) -> Recorded:
    length = int(handler.headers.get("Content-Length") or 0)
    body = handler.rfile.read(length)
    return Recorded(handler.command, handler.path, dict(handler.headers.items()), body, time.time())


def _handler(recorder: Recorder) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:
            item = _read_request(self)
            with recorder.lock:
                recorder.requests.append(item)
            with recorder.changed:
                recorder.changed.notify_all()
            if recorder.hanging.is_set():
                recorder.released.wait(120)
            status = recorder._answer()
            payload = recorder.answer_body if status < 400 else b"error"
            try:
                self.send_response(status)
                self.send_header("Content-Length", str(len(payload)))
                self.send_header("Connection", "close")
                self.end_headers()
                self.wfile.write(payload)
            except OSError:
                pass  # the client went away while we hung

        def log_message(self, format: str, *args: object) -> None:
            pass

    return Handler


@contextmanager
def _serving(handler: type[BaseHTTPRequestHandler], name: str) -> Iterator[str]:
    """Serve ``handler`` on 127.0.0.1 (a free port) in a thread; the base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, name=name, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(10)


@contextmanager
def recording_server() -> Iterator[Recorder]:
    """Run a recorder on 127.0.0.1 (a free port) for the duration of the block."""
    recorder = Recorder()
    with _serving(_handler(recorder), "recorder") as base_url:
        recorder.url = base_url + "/hook"
        try:
            yield recorder
        finally:
            recorder.release()  # before the shutdown, which waits for hanging requests


@dataclass
class Proxy:
    """A forwarding HTTP proxy on loopback: what it forwarded, and where to."""

    url: str = ""
    upstream: tuple[str, int] = ("127.0.0.1", 0)
    forwarded: list[Recorded] = field(default_factory=list)  # path = the absolute-form target
    lock: threading.Lock = field(default_factory=threading.Lock)


def _proxy_handler(proxy: Proxy) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:
            import http.client
            from urllib.parse import urlsplit

            item = _read_request(self)
            with proxy.lock:
                proxy.forwarded.append(item)
            parts = urlsplit(self.path)  # a proxy receives absolute-form targets
            target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
            headers = {
                name: value
                for name, value in self.headers.items()
                if name.lower() not in ("proxy-connection", "proxy-authorization", "connection")
            }
            upstream = http.client.HTTPConnection(*proxy.upstream, timeout=30)
            try:
                upstream.request(self.command, target, item.body, headers)
                answer = upstream.getresponse()
                payload = answer.read()
                status = answer.status
            finally:
                upstream.close()
            self.send_response(status)
            self.send_header("Content-Length", str(len(payload)))
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format: str, *args: object) -> None:
            pass

    return Handler


@contextmanager
def forwarding_proxy(upstream_url: str) -> Iterator[Proxy]:
    """A plain-HTTP forwarding proxy on 127.0.0.1 sending every request to ``upstream_url``'s
    host and port, whatever host the client asked for (so the client's host may not resolve:
    a request that arrives proved it went through the proxy)."""
    from urllib.parse import urlsplit

    parts = urlsplit(upstream_url)
    proxy = Proxy(upstream=(parts.hostname or "127.0.0.1", parts.port or 80))
    with _serving(_proxy_handler(proxy), "proxy") as url:
        proxy.url = url
        yield proxy
