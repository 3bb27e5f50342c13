"""Run a program on a pseudo-terminal, its input typed from a file or text, time-bounded.

For shells that only run interactively on a terminal (xonsh). As a program:
``python -m plugin_contract.testing.pty_run INPUT_FILE PROGRAM [ARG...]`` exits with the
program's status and copies its terminal output to standard output.
"""

from __future__ import annotations

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
