# os.path on purpose: this module is imported on the shell activation hot path.
"""THE bounded, regular-file-only reader every configuration, secret and token read uses.

A FIFO, a device, a socket or a directory is refused before a single byte is read (the file
is opened non-blocking, so opening a FIFO never waits for a writer), and no read takes more
than ``limit`` bytes: ``/dev/zero`` or a FIFO as a condarc, a token file or a secret file
gives one line, never a hang or a memory blow-up.

Imports only ``os`` and ``stat``.
"""

from __future__ import annotations

import os
import stat

from plugin_contract.errors import ConfigError

__all__ = [
    "CONFIG_LIMIT",
    "SECRET_LIMIT",
    "FileReadError",
    "read_bytes",
    "read_secret_file",
    "read_text",
]

CONFIG_LIMIT = 1 << 20  # 1 MiB: a condarc or plugin config file is a few KiB
SECRET_LIMIT = 64 << 10  # a password, client secret or token set
_KINDS = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


class FileReadError(ConfigError):
    """A file cannot be read: not a regular file, too large, unreadable, or not UTF-8.

    :param reason: ``"missing"``, ``"not-regular"``, ``"too-large"``, ``"unreadable"``,
        ``"not-private"`` or ``"not-utf8"``.
    """

    def __init__(self, message: str, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


def kind_of(mode: int) -> str:
    """``"a FIFO (named pipe)"``, ``"a directory"``... for a mode that is not a regular file."""
    for test, name in _KINDS:
        if test(mode):
            return name
    return "not a regular file"


def read_bytes(
    path: str | os.PathLike[str],
    *,
    what: str = "file",
    limit: int = CONFIG_LIMIT,
    private: bool = False,
) -> bytes:
    """The bytes of the regular file ``path``, at most ``limit`` of them.

    :param what: names the file in messages (``"condarc"``, ``"password_file"``).
    :param private: refuse a file that its group or other users can read (token files).
    :raises FileReadError: with one readable line naming ``what``, the path and the cause.
    """
    name = os.fspath(path)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(name, flags)
    except FileNotFoundError:
        raise FileReadError(f"cannot read {what} {name} (it does not exist)", "missing") from None
    except OSError as error:
        reason = "not-regular" if isinstance(error, IsADirectoryError) else "unreadable"
        raise FileReadError(f"cannot read {what} {name}: {_cause(error)}", reason) from None
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise FileReadError(
                f"{what} {name} is {kind_of(mode)}, not a regular file; point it at a file",
                "not-regular",
            )
        if private and mode & 0o077:
            raise FileReadError(
                f"{what} {name} is readable by other users (mode {stat.S_IMODE(mode):o}); "
                "delete it and log in again",
                "not-private",
            )
        chunks: list[bytes] = []
        size = 0
        while size <= limit:
            chunk = os.read(fd, min(1 << 16, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    except OSError as error:
        raise FileReadError(f"cannot read {what} {name}: {_cause(error)}", "unreadable") from None
    finally:
        os.close(fd)
    if size > limit:
        raise FileReadError(
            f"{what} {name} is larger than {limit // 1024} KiB; this is not a {what}",
            "too-large",
        )
    return b"".join(chunks)


def read_text(
    path: str | os.PathLike[str],
    *,
    what: str = "file",
    limit: int = CONFIG_LIMIT,
    private: bool = False,
) -> str:
    """:func:`read_bytes` decoded as UTF-8 (a UTF-8 BOM is dropped; UTF-16 is named)."""
    data = read_bytes(path, what=what, limit=limit, private=private)
    return decode_utf8(data, what, os.fspath(path))


def decode_utf8(data: bytes, what: str, name: str) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise FileReadError(f"{what} {name} is UTF-16 text; save it as UTF-8", "not-utf8")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise FileReadError(
            f"{what} {name} is not UTF-8 text (byte {error.start}); save it as UTF-8",
            "not-utf8",
        ) from None


def read_secret_file(path: str | os.PathLike[str], *, what: str) -> str:
    """A secret from a file (Docker/Kubernetes secrets): UTF-8, trailing newline dropped,
    not empty. Used for every ``*_file`` secret setting."""
    value = read_text(path, what=what, limit=SECRET_LIMIT).rstrip("\r\n")
    if not value:
        raise FileReadError(f"{what} {os.fspath(path)} is empty", "empty")
    return value


def _cause(error: OSError) -> str:
    return error.strerror or type(error).__name__
