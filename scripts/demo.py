"""The tour behind ``nox -s demo``: what the installed distributions give their users.

Runs in the demo session's fresh venv, where every wheel is installed. Each step prints what
it did and how long it took. A missing system component is named with the command that
installs it, and the tour goes on. Every process and temporary folder it starts is cleaned
up, on success, failure and Ctrl-C alike.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType

BIN = Path(sys.executable).parent


class Missing(Exception):
    """A system component the step needs is not installed."""

    def __init__(self, tool: str, install: str) -> None:
        super().__init__(f"{tool} is not installed; install it with: {install}")


@dataclass
class Tour:
    """Runs steps, records results, and owns every process and folder the steps start."""

    workdir: Path
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)
    results: list[tuple[str, str, float]] = field(default_factory=list)

    def need(self, tool: str, install: str) -> str:
        found = shutil.which(tool) or shutil.which(tool, path="/usr/sbin:/sbin")
        if not found:
            raise Missing(tool, install)
        return found

    def run(
        self,
        argv: Sequence[str],
        *,
        env: dict[str, str] | None = None,
        stdin: str | None = None,
        shown: int = 40,
    ) -> subprocess.CompletedProcess[str]:
        print(f"   $ {' '.join(argv)}", flush=True)
        proc = subprocess.run(
            list(argv),
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
            env=env,
            input=stdin,
        )
        for line in (proc.stdout + proc.stderr).rstrip().splitlines()[:shown]:
            print(f"     {line}")
        if proc.returncode != 0:
            raise RuntimeError(f"{argv[0]} exited with {proc.returncode}")
        return proc

    def start(
        self, argv: Sequence[str], log: Path, *, env: dict[str, str] | None = None
    ) -> subprocess.Popen[bytes]:
        with log.open("ab") as handle:
            proc = subprocess.Popen(
                list(argv),
                stdout=handle,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
                env=env,
            )
        self.processes.append(proc)
        return proc

    def step(self, title: str, action: Callable[[Tour], None]) -> None:
        print(f"\n== {title}", flush=True)
        started = time.perf_counter()
        try:
            action(self)
            outcome = "ok"
        except Missing as missing:
            outcome = f"skipped: {missing}"
        except Exception as error:
            outcome = f"FAILED: {error}"
        elapsed = time.perf_counter() - started
        self.results.append((title, outcome, elapsed))
        print(f"-- {outcome} ({elapsed:.2f} s)", flush=True)

    def cleanup(self) -> None:
        for proc in reversed(self.processes):
            if proc.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGTERM)
                try:
                    proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    with contextlib.suppress(ProcessLookupError):
                        os.killpg(proc.pid, signal.SIGKILL)
                    proc.wait(timeout=10)
        shutil.rmtree(self.workdir, ignore_errors=True)


@contextlib.contextmanager
def tour() -> Iterator[Tour]:
    workdir = Path(tempfile.mkdtemp(prefix="plugins-demo-"))
    current = Tour(workdir)

    def interrupted(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupted)
    try:
        yield current
    finally:
        current.cleanup()
        signal.signal(signal.SIGTERM, previous)


def show_plugins(t: Tour) -> None:
    t.run([str(BIN / "plugin-contract"), "plugins"])


STEPS: list[tuple[str, Callable[[Tour], None]]] = [
    ("installed plugins, their hooks and versions", show_plugins),
]


def main() -> int:
    try:
        with tour() as t:
            for title, action in STEPS:
                t.step(title, action)
    except KeyboardInterrupt:
        print("\ninterrupted: every process and temporary folder was cleaned up")
        return 130
    print("\nsummary:")
    for title, outcome, elapsed in t.results:
        print(f"  {elapsed:6.2f} s  {outcome.split(':')[0]:<8} {title}")
    return 1 if any(outcome.startswith("FAILED") for _, outcome, _ in t.results) else 0


if __name__ == "__main__":
    sys.exit(main())
