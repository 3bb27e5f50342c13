"""Run a program on a pseudo-terminal, its input typed from a file or text, time-bounded.

For shells that only run interactively on a terminal (xonsh). As a program:
``python -m plugin_contract.testing.pty_run INPUT_FILE PROGRAM [ARG...]`` exits with the
program's status and copies its terminal output to standard output.
"""

from __future__ import annotations

import contextlib
import os
import select
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence

TIMEOUT = 60.0


def run_on_pty(
    argv: Sequence[str],
    text: str,
    *,
    env: Mapping[str, str] | None = None,
    cwd: str | None = None,
    timeout: float = TIMEOUT,
) -> tuple[int, str]:
    """``argv``'s exit status and everything it wrote to the terminal."""
    import pty

    master, slave = pty.openpty()
    proc = subprocess.Popen(list(argv), stdin=slave, stdout=slave, stderr=slave, env=env, cwd=cwd)
    os.close(slave)
    os.write(master, text.encode("utf-8"))
    output = bytearray()
    deadline = time.monotonic() + timeout
    while True:
        if time.monotonic() > deadline:
            proc.kill()
            proc.wait()
            os.close(master)
            raise TimeoutError(f"{argv[0]} did not exit within {timeout:.0f} s")
        ready, _, _ = select.select([master], [], [], 0.1)
        if ready:
            try:
                chunk = os.read(master, 65536)
            except OSError:
                chunk = b""
            output += chunk
            if chunk:
                continue
        if proc.poll() is not None:
            break
    os.close(master)
    return proc.wait(), output.decode("utf-8", "replace")


def _own_terminal() -> None:
    """In the child: a new session whose controlling terminal is the pty (job control)."""
    import fcntl
    import termios

    os.setsid()
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


class PtySession:
    """An interactive program on a pseudo-terminal, driven as a person types: send a line,
    wait until the screen shows some text. Every wait is bounded; :meth:`close` kills what
    is left. ``transcript`` is everything the program wrote so far."""

    def __init__(
        self,
        argv: Sequence[str],
        *,
        env: Mapping[str, str] | None = None,
        cwd: str | None = None,
        columns: int = 200,
    ) -> None:
        import fcntl
        import pty
        import struct
        import termios

        self.master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 50, columns, 0, 0))
        self.proc = subprocess.Popen(
            list(argv),
            stdin=slave,
            stdout=slave,
            stderr=slave,
            env=env,
            cwd=cwd,
            preexec_fn=_own_terminal,  # the child only calls setsid and ioctl
        )
        os.close(slave)
        self.output = bytearray()
        self.seen = 0  # what expect() has matched up to

    @property
    def transcript(self) -> str:
        return self.output.decode("utf-8", "replace")

    def send(self, text: str) -> None:
        os.write(self.master, text.encode("utf-8"))

    def _read(self, timeout: float) -> bool:
        ready, _, _ = select.select([self.master], [], [], timeout)
        if not ready:
            return False
        try:
            chunk = os.read(self.master, 65536)
        except OSError:
            chunk = b""
        self.output += chunk
        return bool(chunk)

    def expect(self, text: str, timeout: float = 20.0) -> str:
        """Wait until ``text`` appears after the previous match; the output up to it."""
        wanted = text.encode("utf-8")
        deadline = time.monotonic() + timeout
        while True:
            found = self.output.find(wanted, self.seen)
            if found >= 0:
                before = self.output[self.seen : found]
                self.seen = found + len(wanted)
                return before.decode("utf-8", "replace")
            left = deadline - time.monotonic()
            if left <= 0 or (not self._read(min(left, 0.2)) and self.proc.poll() is not None):
                raise TimeoutError(
                    f"{text!r} did not appear within {timeout:.0f} s; the terminal showed:\n"
                    + self.transcript[-3000:]
                )

    def complete(self, typed: str, settle: float = 0.8) -> str:
        """Type ``typed`` (``\\t`` presses Tab), then read back the line as completed: go to
        its start (Ctrl-A, emacs keys), put ``echo`` in front and run it."""
        self.send(typed)
        time.sleep(settle)  # the shell inserts the completion (it may run conda-shell)
        self.send('\x01echo COMP""LINE:\r')  # the quotes keep the marker out of the echo
        self.expect("COMPLINE:")
        return self.expect("\r\n").strip()

    def wait(self, timeout: float = 20.0) -> int:
        """The exit status, reading the terminal until the program ends."""
        deadline = time.monotonic() + timeout
        while self.proc.poll() is None:
            if time.monotonic() > deadline:
                self.close()
                raise TimeoutError(f"{self.proc.args!r} did not exit within {timeout:.0f} s")
            self._read(0.1)
        while self._read(0.05):
            pass
        return self.proc.wait()

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        with contextlib.suppress(OSError):
            os.close(self.master)

    def __enter__(self) -> PtySession:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def main(argv: Sequence[str]) -> int:
    if len(argv) < 2:
        print("usage: pty_run INPUT_FILE PROGRAM [ARG...]", file=sys.stderr)
        return 2
    with open(argv[0], encoding="utf-8") as handle:  # noqa: PTH123
        text = handle.read()
    status, output = run_on_pty(argv[1:], text, env=os.environ)
    sys.stdout.write(output)
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
