"""Cross-process locks, bounded reads and atomic writes for config and credential files.

Every read-modify-write of the condarc and of a credential store runs under :func:`file_lock`
(a ``filelock`` lock file beside the real file). Writes go to a temporary file in the same
directory, are fsynced and renamed over the target; a symlink is followed, so it stays a
symlink. Failures are one line naming the file and the cause, e.g. ``(ENOSPC)``.
"""

from __future__ import annotations

import errno
import os
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from plugin_contract.errors import ConfigError

LOCK_TIMEOUT = 30.0
MAX_FILE_BYTES = 1 << 20


def real_path(path: Path) -> Path:
    """Where writes to ``path`` must go: its symlink target (followed all the way)."""
    return Path(os.path.realpath(path.expanduser()))


def describe_os_error(error: OSError) -> str:
    """``No space left on device (ENOSPC)``: the cause, with its errno name."""
    name = errno.errorcode.get(error.errno or 0, "")
    reason = error.strerror or type(error).__name__
    return f"{reason} ({name})" if name else reason


@contextmanager
def file_lock(path: Path, timeout: float = LOCK_TIMEOUT) -> Iterator[None]:
    """Hold ``<path>.lock`` (beside the real file) across threads and processes."""
    from filelock import FileLock, Timeout

    target = real_path(path)
    lock_path = target.with_name(f"{target.name}.lock")
    try:
        lock_path.parent.mkdir(parents=True, exist_ok=True)
        lock = FileLock(str(lock_path), timeout=timeout, mode=0o600)
        lock.acquire()
    except Timeout:
        raise ConfigError(
            f"{lock_path} is held by another process for more than {timeout:.0f} s; "
            "try again when it has finished"
        ) from None
    except OSError as error:
        raise ConfigError(f"cannot lock {lock_path}: {describe_os_error(error)}") from None
    try:
        yield
    finally:
        lock.release()


def read_bounded(path: Path, limit: int = MAX_FILE_BYTES) -> bytes | None:
    """The bytes of a regular file (``None`` when missing); a FIFO, device or a file larger
    than ``limit`` is refused without blocking."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        return None
    except OSError as error:
        raise ConfigError(f"cannot read {path}: {describe_os_error(error)}") from None
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
            raise ConfigError(f"{path} is not a regular file; replace it with one")
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise ConfigError(f"{path} is larger than {limit // 1024} KiB; refusing to read it")
    return data


def write_atomically(path: Path, data: bytes, *, default_mode: int = 0o644) -> None:
    """Replace the real file behind ``path`` with ``data``: temp file, fsync, rename.

    The file keeps its permission bits (a new one gets ``default_mode``); on failure the old
    content is untouched and the error names the file and the cause."""
    target = real_path(path)
    temporary: str | None = None
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            mode = stat.S_IMODE(target.stat().st_mode)
        except FileNotFoundError:
            mode = default_mode
        fd, temporary = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
        with os.fdopen(fd, "wb") as handle:
            os.fchmod(handle.fileno(), mode)
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        Path(temporary).replace(target)
        temporary = None
        _fsync_directory(target.parent)
    except OSError as error:
        raise ConfigError(
            f"cannot write {target}: {describe_os_error(error)}; it was left as it was"
        ) from None
    finally:
        if temporary is not None:
            Path(temporary).unlink(missing_ok=True)


def _fsync_directory(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
