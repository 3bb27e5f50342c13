"""``conda-session``: log in to channels, inspect which session applies, fetch through it."""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Sequence

EXTRA_HINT = 'pip install "plugin-contract[session]"'
BROKEN_PIPE_EXIT = 141  # 128 + SIGPIPE, what a shell reports for `cmd | head`


def main(argv: Sequence[str] | None = None) -> int:
    tolerate_narrow_encodings()
    try:
        from plugin_contract.session.commands import run
    except ModuleNotFoundError as error:
        # Only the contract is installed, without the session extra (requests, keyring, ...).
        print(f"conda-session: error: {error.name} is missing ({EXTRA_HINT})", file=sys.stderr)
        return 2
    try:
        code = run(sys.argv[1:] if argv is None else list(argv))
        sys.stdout.flush()
    except BrokenPipeError:
        silence_stdout()
        return BROKEN_PIPE_EXIT
    return code


def tolerate_narrow_encodings() -> None:
    """With an ASCII-only stdout (``PYTHONIOENCODING=ascii``, ``LANG=C``), characters it
    cannot show are escaped (``\\xe9``) instead of ending the command with a traceback."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if callable(reconfigure):
            with contextlib.suppress(ValueError, OSError):
                reconfigure(errors="backslashreplace")


def silence_stdout() -> None:
    """After the reader closed the pipe: no second error when Python flushes at exit."""
    with contextlib.suppress(OSError, ValueError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
