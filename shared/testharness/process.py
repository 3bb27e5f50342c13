"""Start a server process, wait until it is ready, stop it; every wait is bounded."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from testharness.ports import listening_session_ids, port_accepts

LOG_TAIL_CHARS = 4000


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
