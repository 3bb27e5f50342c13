"""Start a server process, wait until it is ready, stop it; every wait is bounded."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TypeVar

from testharness.ports import LOOPBACK, port_accepts

LOG_TAIL_CHARS = 4000
PORT_ATTEMPTS = 3
T = TypeVar("T")


class ServerStartError(RuntimeError):
    """The server did not become ready in time or exited early; carries its log tail."""


class ServerProcess:
    """A process whose output goes to a log file, with bounded start and stop.

    ``ready`` is either a TCP port on 127.0.0.1 that must accept connections or a callable
    returning True once the server answers.
    """

    def __init__(
        self,
        name: str,
        argv: Sequence[str],
        log_path: Path,
        *,
        env: Mapping[str, str] | None = None,
        cwd: Path | None = None,
        ready: int | Callable[[], bool] | None = None,
        start_timeout: float = 60.0,
        stop_timeout: float = 10.0,
    ) -> None:
        self.name = name
        self.argv = list(argv)
        self.log_path = log_path
        self.env = dict(env) if env is not None else None
        self.cwd = cwd
        self.ready = ready
        self.start_timeout = start_timeout
        self.stop_timeout = stop_timeout
        self.popen: subprocess.Popen[bytes] | None = None

    def __repr__(self) -> str:
        state = "running" if self.running else "stopped"
        return f"<ServerProcess {self.name} {state} log={self.log_path}>"

    @property
    def pid(self) -> int:
        if self.popen is None:
            raise RuntimeError(f"{self.name} was never started")
        return self.popen.pid

    @property
    def running(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def start(self) -> ServerProcess:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("ab") as log:
            self.popen = subprocess.Popen(
                self.argv,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                env=self.env,
                cwd=self.cwd,
                start_new_session=True,
            )
        self.wait_ready()
        return self

    def wait_ready(self, timeout: float | None = None) -> None:
        deadline = time.monotonic() + (self.start_timeout if timeout is None else timeout)
        while time.monotonic() < deadline:
            if self.popen is not None and self.popen.poll() is not None:
                raise ServerStartError(
                    f"{self.name} exited with code {self.popen.returncode} before it was ready"
                    f"\n--- log tail ---\n{self.log_tail()}"
                )
            if self._is_ready():
                return
            time.sleep(0.05)
        self.stop()
        raise ServerStartError(
            f"{self.name} was not ready within {self.start_timeout:.0f} s"
            f"\n--- log tail ---\n{self.log_tail()}"
        )

    def _is_ready(self) -> bool:
        if self.ready is None:
            return True
        if isinstance(self.ready, int):
            return self._listens_on(self.ready)
        try:
            return bool(self.ready())
        except Exception:
            return False

    def _listens_on(self, port: int) -> bool:
        """The port accepts, and the listener is this process's (its session), not another's."""
        if not port_accepts(port):
            return False
        sessions = listening_session_ids(port)
        return sessions is None or (self.popen is not None and self.popen.pid in sessions)

    def send_signal(self, sig: int) -> None:
        if self.running and self.popen is not None:
            os.killpg(self.popen.pid, sig)

    def stop(self) -> int | None:
        """Stop the process group: SIGTERM, then SIGKILL after ``stop_timeout``."""
        if self.popen is None:
            return None
        if self.popen.poll() is None:
            self._signal_group(signal.SIGCONT)
            self._signal_group(signal.SIGTERM)
            try:
                self.popen.wait(timeout=self.stop_timeout)
            except subprocess.TimeoutExpired:
                self._signal_group(signal.SIGKILL)
                self.popen.wait(timeout=self.stop_timeout)
        return self.popen.returncode

    def kill(self) -> None:
        """SIGKILL the process group at once (crash tests)."""
        if self.popen is not None and self.popen.poll() is None:
            self._signal_group(signal.SIGKILL)
            self.popen.wait(timeout=self.stop_timeout)

    def _signal_group(self, sig: int) -> None:
        if self.popen is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.popen.pid, sig)

    def log_tail(self, chars: int = LOG_TAIL_CHARS) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return "(no log written)"
        return text[-chars:]


class ServerGroup:
    """Servers started together, logging under ``folder/logs``, stopped together (reverse)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.started: list[ServerProcess] = []

    def __call__(
        self,
        name: str,
        argv: Sequence[str],
        *,
        env: Mapping[str, str] | None = None,
        cwd: Path | None = None,
        ready: int | Callable[[], bool] | None = None,
        start_timeout: float = 60.0,
    ) -> ServerProcess:
        server = ServerProcess(
            name,
            argv,
            self.folder / "logs" / f"{name}.log",
            env=env,
            cwd=cwd,
            ready=ready,
            start_timeout=start_timeout,
        )
        self.started.append(server)
        return server.start()

    def stop_all(self) -> None:
        for server in reversed(self.started):
            server.stop()


def start_on_fresh_ports(
    build: Callable[[], tuple[ServerProcess, T]], taken: str, attempts: int = PORT_ATTEMPTS
) -> tuple[ServerProcess, T]:
    """Start the process ``build()`` makes on ports it picks with ``free_port()``.

    Another process may take a free port before the server binds it; when the start fails
    and the error (its log tail) holds ``taken``, ``build()`` is called again for new ports.
    """
    for attempt in range(attempts):
        process, chosen = build()
        try:
            process.start()
        except ServerStartError as error:
            if taken not in str(error) or attempt == attempts - 1:
                raise
            continue
        return process, chosen
    raise AssertionError("unreachable")  # pragma: no cover


def _stat_fields(stat_file: Path) -> list[str]:
    """The fields of a /proc ``stat`` file after ``(comm)``: state, ppid, pgrp, session, …"""
    return stat_file.read_text().rsplit(")", 1)[1].split()


def thread_states(pid: int) -> list[str]:
    """The state letter of each thread of ``pid`` (``T``: stopped); raises OSError if gone."""
    return [_stat_fields(task / "stat")[0] for task in Path(f"/proc/{pid}/task").iterdir()]


def listening_session_ids(port: int, host: str = LOOPBACK) -> set[int] | None:
    """Session ids of the processes listening on ``host:port``; None where /proc cannot say.

    A port that accepts connections may belong to another process that took it between
    ``free_port()`` and the server's bind; its session tells whose listener it is.
    """
    proc = Path("/proc")
    try:
        table = (proc / "net" / "tcp").read_text()
    except OSError:
        return None
    local = f"{socket.inet_aton(host)[::-1].hex().upper()}:{port:04X}"
    inodes = {
        f"socket:[{fields[9]}]"
        for fields in (line.split() for line in table.splitlines()[1:])
        if len(fields) > 9 and fields[1] == local and fields[3] == "0A"  # 0A: LISTEN
    }
    sessions: set[int] = set()
    if not inodes:
        return sessions
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if any(str(fd.readlink()) in inodes for fd in (entry / "fd").iterdir()):
                sessions.add(int(_stat_fields(entry / "stat")[3]))  # session
        except OSError:
            continue  # gone, or not ours to read
    return sessions
