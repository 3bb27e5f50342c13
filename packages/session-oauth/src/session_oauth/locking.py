"""One refresh at a time per token: a thread lock plus a cross-process ``fcntl`` file lock."""

from __future__ import annotations

import fcntl
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from session_oauth.errors import OAuthError
from session_oauth.paths import key_digest, private_dir

LOCK_TIMEOUT = 60.0
_thread_locks: dict[str, threading.Lock] = {}
_registry_lock = threading.Lock()


def _thread_lock(key: str) -> threading.Lock:
    with _registry_lock:
        return _thread_locks.setdefault(key, threading.Lock())


@contextmanager
def refresh_lock(directory: Path, key: str, timeout: float = LOCK_TIMEOUT) -> Iterator[None]:
    """Hold the token's lock across threads of this process and across processes.

    Waits at most ``timeout`` seconds for each of the two locks.
    """
    lock = _thread_lock(key)
    if not lock.acquire(timeout=timeout):
        raise OAuthError(f"another thread kept the token lock for more than {timeout:.0f} s")
    try:
        path = private_dir(directory / "locks") / f"{key_digest(key)}.lock"
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            _flock(fd, path, timeout)
            try:
                yield
            finally:
                fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)
    finally:
        lock.release()


def _flock(fd: int, path: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    delay = 0.005
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if time.monotonic() >= deadline:
                raise OAuthError(
                    f"another process kept the token lock {path} for more than {timeout:.0f} s"
                ) from None
            time.sleep(delay)
            delay = min(delay * 2, 0.05)
