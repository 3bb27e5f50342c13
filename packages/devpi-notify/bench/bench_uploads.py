"""Upload latency with devpi-notify (receiver healthy; receiver hanging) vs without it.

Three devpi-server processes run side by side in the same run: the baseline starts with the
devpi-notify entry point blocked (``devpi_server_without_notify.py``), the two others with
``--notify-config``. Uploads are interleaved round-robin so machine noise hits all three
alike; the medians are compared. Then the hanging receiver is released and the backlog's
drain rate is the delivery throughput.
"""

from __future__ import annotations

import json
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import yaml

from testharness import devpi_http
from testharness.devpi import start_devpi_server
from testharness.ports import free_port, wait_for_port

UPLOADS = 100
WARMUP = 5
TARGET_RATIO = 1.05
PASSWORD = "bench-password"  # noqa: S105 - a throwaway benchmark account
BASELINE_LAUNCHER = Path(__file__).with_name("devpi_server_without_notify.py")


RECEIVER = """
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

class Ok(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass

ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Ok).serve_forever()
"""


@contextmanager
def healthy_receiver(port: int) -> Iterator[None]:
    """A webhook receiver answering 200, in its own process (no GIL shared with the timer)."""
    process = subprocess.Popen([sys.executable, "-c", RECEIVER, str(port)])
    try:
        wait_for_port(port, timeout=30)
        yield
    finally:
        process.terminate()
        process.wait(10)


@contextmanager
def hanging_receiver(port: int) -> Iterator[socket.socket]:
    """A socket that accepts connections (in the kernel) and never answers."""
    listener = socket.create_server(("127.0.0.1", port), backlog=64)
    try:
        yield listener
    finally:
        listener.close()


def prepare(server_url: str, notify: bool) -> dict[str, str]:
    devpi_http.create_user(server_url, "bench", PASSWORD)
    extra = {"notify_targets": "hook"} if notify else {}
    devpi_http.create_index(server_url, "bench", PASSWORD, "dev", **extra)
    return devpi_http.token_headers(server_url, "bench", PASSWORD)


def timed_upload(server_url: str, number: int, auth: dict[str, str]) -> float:
    name = f"pkg{number}"
    content = devpi_http.sdist_bytes(name, "1.0")
    started = time.perf_counter()
    response = devpi_http.upload(server_url, "bench/dev", name, "1.0", content, headers=auth)
    elapsed = time.perf_counter() - started
    assert response.status_code == 200, response.status_code
    return elapsed


def outbox_counts(serverdir: Path) -> tuple[int, int]:
    with sqlite3.connect(serverdir / ".devpi-notify-outbox.sqlite3") as conn:
        total, delivered = conn.execute(
            "SELECT COUNT(*), SUM(state='delivered') FROM deliveries"
        ).fetchone()
    return int(total), int(delivered or 0)


def result(name: str, value: float, unit: str, target: str, ok: bool | None, detail: str) -> None:
    row = {"name": name, "value": round(value, 4), "unit": unit, "target": target, "detail": detail}
    if ok is not None:
        row["ok"] = ok
    print(json.dumps(row), flush=True)


def main() -> int:
    healthy_port, hanging_port = free_port(), free_port()
    with (
        tempfile.TemporaryDirectory(prefix="bench-notify-") as tmp,
        healthy_receiver(healthy_port),
        hanging_receiver(hanging_port) as hanging,
    ):
        work = Path(tmp)
        configs = {}
        for label, port in (("healthy", healthy_port), ("hanging", hanging_port)):
            path = work / f"{label}.yaml"
            path.write_text(
                yaml.safe_dump(
                    {
                        "worker": {
                            "poll_interval": 0.5,
                            "backoff_initial": 0.05,
                            "backoff_max": 0.2,
                        },
                        "targets": {
                            "hook": {
                                "type": "webhook",
                                "url": f"http://127.0.0.1:{port}/hook",
                                "secret_env": "BENCH_SECRET",
                                "timeout": 300,
                            }
                        },
                    }
                )
            )
            configs[label] = path
        env = {"BENCH_SECRET": "bench-secret"}
        servers = {
            "baseline": start_devpi_server(
                work / "baseline",
                command=[sys.executable, str(BASELINE_LAUNCHER)],
                name="baseline",
            ),
            "healthy": start_devpi_server(
                work / "healthy",
                args=["--notify-config", str(configs["healthy"])],
                env=env,
                name="healthy",
            ),
            "hanging": start_devpi_server(
                work / "hanging",
                args=["--notify-config", str(configs["hanging"])],
                env=env,
                name="hanging",
            ),
        }
        try:
            baseline_log = servers["baseline"].process.log_tail(100_000)
            assert "Found plugin devpi-notify" not in baseline_log, "baseline loaded the plugin"
            auth = {
                label: prepare(server.url, notify=label != "baseline")
                for label, server in servers.items()
            }
            latencies: dict[str, list[float]] = {label: [] for label in servers}
            order = list(servers)
            for number in range(WARMUP + UPLOADS):
                for label in order:
                    elapsed = timed_upload(servers[label].url, number, auth[label])
                    if number >= WARMUP:
                        latencies[label].append(elapsed)
                order = order[1:] + order[:1]
            medians = {label: statistics.median(values) for label, values in latencies.items()}
            for label in ("healthy", "hanging"):
                ratio = medians[label] / medians["baseline"]
                result(
                    f"upload latency, receiver {label}",
                    ratio,
                    "x baseline",
                    f"<= {TARGET_RATIO}",
                    ratio <= TARGET_RATIO,
                    f"median {medians[label] * 1000:.1f} ms vs "
                    f"{medians['baseline'] * 1000:.1f} ms without devpi-notify, "
                    f"{UPLOADS} interleaved uploads each",
                )

            serverdir = servers["hanging"].serverdir
            expected = 2 * (WARMUP + UPLOADS)  # version_created + file_uploaded per upload
            deadline = time.monotonic() + 120
            while outbox_counts(serverdir)[0] < expected and time.monotonic() < deadline:
                time.sleep(0.1)
            total, _ = outbox_counts(serverdir)
            started = time.perf_counter()
            hanging.close()  # the receiver recovers: a healthy one takes over its port
            with healthy_receiver(hanging_port):
                while outbox_counts(serverdir)[1] < total and time.monotonic() < deadline:
                    time.sleep(0.02)
                elapsed = time.perf_counter() - started
            _, delivered = outbox_counts(serverdir)
            result(
                "delivery throughput (backlog drain)",
                delivered / elapsed,
                "events/s",
                "",
                None,
                f"{delivered} of {total} queued events delivered in {elapsed:.2f} s after the "
                "receiver recovered",
            )
        finally:
            for server in servers.values():
                server.process.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
