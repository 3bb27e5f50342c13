"""A threaded HTTP server on loopback that records every request it receives.

Behaviour is scripted per request: answer a status, or hang until released. Used as a
webhook receiver in devpi-notify tests and benchmarks; served over TLS when given a server
``ssl.SSLContext``. ``forwarding_proxy`` is a loopback HTTP proxy that forwards plain-HTTP
requests and tunnels ``CONNECT`` (HTTPS) to the hosts it is told about.
"""

from __future__ import annotations

import contextlib
import selectors
import socket
import ssl
import sys
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
    tls_errors: list[str] = field(default_factory=list)  # failed handshakes, by exception type

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


class _LoopbackServer(ThreadingHTTPServer):
    daemon_threads = True
    on_error: Callable[[BaseException], None] | None = None

    def handle_error(self, request: object, client_address: object) -> None:
        error = sys.exc_info()[1]
        if self.on_error is not None and error is not None:
            self.on_error(error)  # e.g. a TLS handshake the client refused: expected, quiet
        else:
            super().handle_error(request, client_address)  # type: ignore[arg-type]


@contextmanager
def _serving(
    handler: type[BaseHTTPRequestHandler],
    name: str,
    tls: ssl.SSLContext | None = None,
    on_error: Callable[[BaseException], None] | None = None,
) -> Iterator[str]:
    """Serve ``handler`` on 127.0.0.1 (a free port) in a thread; the base URL. With ``tls``
    the handshake runs in the request's thread, so a stalled client blocks no one else."""
    server = _LoopbackServer(("127.0.0.1", 0), handler)
    server.on_error = on_error
    scheme = "http"
    if tls is not None:
        server.socket = tls.wrap_socket(
            server.socket, server_side=True, do_handshake_on_connect=False
        )
        scheme = "https"
    thread = threading.Thread(target=server.serve_forever, name=name, daemon=True)
    thread.start()
    try:
        yield f"{scheme}://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(10)


@contextmanager
def recording_server(tls: ssl.SSLContext | None = None) -> Iterator[Recorder]:
    """Run a recorder on 127.0.0.1 (a free port) for the duration of the block; over HTTPS
    with ``tls`` (a server context holding the certificate). Failed handshakes are counted
    in ``tls_errors``, not printed."""
    recorder = Recorder()

    def record_error(error: BaseException) -> None:
        with recorder.lock:
            recorder.tls_errors.append(type(error).__name__)

    handler = _handler(recorder)
    if tls is not None:
        handler.timeout = 30  # bounds a stalled handshake or request
    with _serving(handler, "recorder", tls, record_error if tls else None) as base_url:
        recorder.url = base_url + "/hook"
        try:
            yield recorder
        finally:
            recorder.release()  # before the shutdown, which waits for hanging requests


TUNNEL_IDLE_TIMEOUT = 30.0
TUNNEL_MAX_SECONDS = 120.0
TUNNEL_RECORDED_BYTES = 65536


@dataclass
class Tunnel:
    """One ``CONNECT``: the ``host:port`` asked for, its answer, and the first bytes the
    client sent through the tunnel (a TLS handshake for HTTPS, never the plain request)."""

    target: str
    status: int
    client_bytes: bytearray = field(default_factory=bytearray)


@dataclass
class Proxy:
    """A forwarding HTTP proxy on loopback: what it forwarded, and where to."""

    url: str = ""
    upstream: tuple[str, int] = ("127.0.0.1", 0)
    forwarded: list[Recorded] = field(default_factory=list)  # path = the absolute-form target
    lock: threading.Lock = field(default_factory=threading.Lock)
    routes: dict[str, tuple[str, int]] = field(default_factory=dict)  # CONNECT host:port -> addr
    tunnels: list[Tunnel] = field(default_factory=list)

    def route(self, target: str, address: tuple[str, int]) -> None:
        """Tunnel ``CONNECT target`` (``host:port``, the host need not resolve) to ``address``."""
        with self.lock:
            self.routes[target.lower()] = address

    def tunnel_targets(self) -> list[str]:
        with self.lock:
            return [tunnel.target for tunnel in self.tunnels]


def _relay(client: socket.socket, upstream: socket.socket, tunnel: Tunnel) -> None:
    """Copy bytes both ways until either side closes, nothing moves for
    ``TUNNEL_IDLE_TIMEOUT`` or the tunnel is ``TUNNEL_MAX_SECONDS`` old."""
    deadline = time.monotonic() + TUNNEL_MAX_SECONDS
    with selectors.DefaultSelector() as selector:
        selector.register(client, selectors.EVENT_READ, upstream)
        selector.register(upstream, selectors.EVENT_READ, client)
        while time.monotonic() < deadline:
            ready = selector.select(timeout=min(TUNNEL_IDLE_TIMEOUT, deadline - time.monotonic()))
            if not ready:
                return
            for key, _ in ready:
                source: socket.socket = key.fileobj  # type: ignore[assignment]
                data = source.recv(65536)
                if not data:
                    return
                key.data.sendall(data)
                room = TUNNEL_RECORDED_BYTES - len(tunnel.client_bytes)
                if source is client and room > 0:
                    tunnel.client_bytes += data[:room]


def _proxy_handler(proxy: Proxy) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        timeout = TUNNEL_IDLE_TIMEOUT  # bounds reading a request and every send

        def do_CONNECT(self) -> None:
            target = self.path.lower()
            with proxy.lock:
                address = proxy.routes.get(target)
                tunnel = Tunnel(self.path, 200 if address else 502)
                proxy.tunnels.append(tunnel)
            self.close_connection = True
            if address is None:
                self.send_error(502, "no route to that host")
                return
            try:
                upstream = socket.create_connection(address, timeout=TUNNEL_IDLE_TIMEOUT)
            except OSError:
                tunnel.status = 502
                self.send_error(502, "upstream unreachable")
                return
            with upstream:
                self.send_response(200, "Connection established")
                self.end_headers()
                with contextlib.suppress(OSError):  # either side reset: the tunnel ends
                    _relay(self.connection, upstream, tunnel)

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
def forwarding_proxy(upstream_url: str = "http://127.0.0.1:9") -> Iterator[Proxy]:
    """A forwarding proxy on 127.0.0.1 sending every plain-HTTP request to ``upstream_url``'s
    host and port, whatever host the client asked for (so the client's host may not resolve:
    a request that arrives proved it went through the proxy). ``CONNECT host:port`` is
    tunnelled to the address given with :meth:`Proxy.route` (502 for any other target)."""
    from urllib.parse import urlsplit

    parts = urlsplit(upstream_url)
    proxy = Proxy(upstream=(parts.hostname or "127.0.0.1", parts.port or 80))
    with _serving(_proxy_handler(proxy), "proxy") as url:
        proxy.url = url
        yield proxy
