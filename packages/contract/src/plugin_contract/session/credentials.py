"""Credential storage in the system keyring, one JSON record per (session, channel).

Keyring service ``conda-session::<session name>::<channel key>``, user ``credential``; the
value is a JSON object of strings. Tests point ``PYTHON_KEYRING_BACKEND`` at a file backend
(``keyrings.alt.file.PlaintextKeyring``) with an isolated ``HOME``/``XDG_DATA_HOME``.

Every keyring call of every session goes through :func:`keyring_call`: under a thread lock and
a cross-process lock file, so backends that keep everything in one file (``keyrings.alt``)
lose no entry when many processes write at once. A write to such a file is made on a copy
that is fsynced and renamed over the original, so a full disk leaves the old file intact.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from plugin_contract.errors import ConfigError
from plugin_contract.session.errors import CredentialStoreError
from plugin_contract.session.safe_files import describe_os_error, file_lock

SERVICE_PREFIX = "conda-session"
KEYRING_USER = "credential"
WRITE_METHODS = frozenset({"set_password", "delete_password"})
_lock = threading.RLock()


def _backend_file(keyring_module: Any) -> Path | None:
    """The one file a file-backed keyring (``keyrings.alt``) keeps every entry in."""
    get_keyring = getattr(keyring_module, "get_keyring", None)
    backend = get_keyring() if callable(get_keyring) else None
    location = getattr(backend, "file_path", None)
    return Path(location) if isinstance(location, str) and location else None


def _lock_target(keyring_module: Any) -> Path:
    location = _backend_file(keyring_module)
    if location is not None:
        return location
    state = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(state) / "conda-session" / "keyring"


@contextmanager
def keyring_locked(keyring_module: Any) -> Iterator[None]:
    """Hold the keyring's lock: this process's threads and other processes wait."""
    target = _lock_target(keyring_module)
    with _lock:
        try:
            target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            with file_lock(target):
                yield
        except OSError as error:
            raise CredentialStoreError(
                f"cannot use {target.parent}: {describe_os_error(error)}"
            ) from None
        except ConfigError as error:
            raise CredentialStoreError(str(error)) from None


def keyring_call(keyring_module: Any, method: str, *args: str) -> Any:
    """``keyring_module.<method>(*args)`` under :func:`keyring_locked`; writes to a one-file
    backend are atomic. Errors propagate as the backend raised them."""
    with keyring_locked(keyring_module):
        location = _backend_file(keyring_module) if method in WRITE_METHODS else None
        call: Callable[..., Any] = getattr(keyring_module, method)
        if location is None:
            return call(*args)
        return _write_on_copy(keyring_module.get_keyring(), location, call, args)


def _write_on_copy(backend: Any, location: Path, call: Callable[..., Any], args: Any) -> Any:
    fd, name = tempfile.mkstemp(prefix=f".{location.name}.", dir=location.parent)
    os.close(fd)
    temporary = Path(name)
    try:
        temporary.chmod(0o600)
        if location.exists():
            shutil.copyfile(location, temporary)
        backend.file_path = name  # keyrings.alt: an overridable property
        try:
            result = call(*args)
        finally:
            vars(backend).pop("file_path", None)
        with temporary.open("rb") as written:
            os.fsync(written.fileno())
        temporary.replace(location)
        return result
    except OSError as error:
        raise CredentialStoreError(
            f"cannot write the keyring file {location}: {describe_os_error(error)}; "
            "it was left as it was"
        ) from None
    finally:
        temporary.unlink(missing_ok=True)


class CredentialStore:
    """Reads and writes credential records; never logs or shows their values.

    :param keyring_module: the ``keyring`` API to use (tests may pass a stand-in); by
        default the ``keyring`` package, imported on first use.
    """

    def __init__(self, keyring_module: Any = None) -> None:
        self._keyring = keyring_module
        self._undo: list[Callable[[], None]] = []

    def on_rollback(self, undo: Callable[[], None]) -> None:
        """Run ``undo`` if :meth:`rollback` is called (other stores join a login this way)."""
        self._undo.append(undo)

    def rollback(self) -> None:
        """Put back every record this store saved or deleted, newest change first."""
        while self._undo:
            self._undo.pop()()

    def _undo_for(self, service: str) -> Callable[[], None]:
        """What puts back the record of ``service`` as it is now (kept once the write worked)."""
        previous = self._call("get_password", service, KEYRING_USER)

        def undo() -> None:
            if previous is None:
                self._call("delete_password", service, KEYRING_USER)
            else:
                self._call("set_password", service, KEYRING_USER, previous)

        return undo

    def __repr__(self) -> str:
        return "<CredentialStore keyring>"

    @staticmethod
    def service(session_name: str, channel_key: str) -> str:
        return f"{SERVICE_PREFIX}::{session_name}::{channel_key}"

    def load(self, session_name: str, channel_key: str) -> dict[str, str] | None:
        """The stored record, or ``None`` when there is none."""
        raw = self._call("get_password", self.service(session_name, channel_key), KEYRING_USER)
        if raw is None:
            return None
        try:
            record = json.loads(raw)
        except ValueError:
            raise CredentialStoreError(
                f"the keyring entry for {channel_key} ({session_name}) is damaged; run "
                f"`conda-session logout {channel_key}` and log in again"
            ) from None
        if not isinstance(record, dict):
            raise CredentialStoreError(f"the keyring entry for {channel_key} is not a record")
        damaged = sorted(str(k) for k, v in record.items() if not isinstance(v, str))
        if damaged:
            raise CredentialStoreError(
                f"the keyring entry for {channel_key} ({session_name}) is damaged: "
                f"{', '.join(damaged)} is not a string; run `conda-session logout "
                f"{channel_key}` and log in again"
            )
        return {str(k): v for k, v in record.items()}

    def save(self, session_name: str, channel_key: str, record: Mapping[str, str]) -> None:
        value = json.dumps(dict(record), sort_keys=True)
        undo = self._undo_for(self.service(session_name, channel_key))
        self._call("set_password", self.service(session_name, channel_key), KEYRING_USER, value)
        self._undo.append(undo)

    def delete(self, session_name: str, channel_key: str) -> bool:
        """Remove the record; return whether there was one."""
        if self.load(session_name, channel_key) is None:
            return False
        undo = self._undo_for(self.service(session_name, channel_key))
        self._call("delete_password", self.service(session_name, channel_key), KEYRING_USER)
        self._undo.append(undo)
        return True

    def _module(self) -> Any:
        if self._keyring is None:
            try:
                import keyring
            except ImportError:
                raise CredentialStoreError(
                    "the keyring package is not installed; pip install keyring"
                ) from None
            self._keyring = keyring
        return self._keyring

    def _call(self, method: str, *args: str) -> Any:
        module = self._module()
        try:
            return keyring_call(module, method, *args)
        except CredentialStoreError:
            raise
        except Exception as error:
            name = type(error).__name__
            hint = ""
            if name in ("NoKeyringError", "InitError", "KeyringLocked"):
                hint = (
                    "; no usable system keyring: unlock it, or on a headless machine use "
                    "environment variables or a secret file, or pip install keyrings.alt"
                )
            if name == "PasswordDeleteError":
                return None
            raise CredentialStoreError(f"keyring {method} failed ({name}){hint}") from None


_remembered: dict[tuple[str, str], dict[str, str]] = {}


def remember(session_name: str, channel_key: str, record: Mapping[str, str]) -> None:
    """Keep credentials for this process only (e.g. typed at a before-action prompt)."""
    with _lock:
        _remembered[(session_name, channel_key)] = dict(record)


def remembered(session_name: str, channel_key: str) -> dict[str, str] | None:
    """Credentials kept by :func:`remember` in this process, if any."""
    with _lock:
        record = _remembered.get((session_name, channel_key))
        return dict(record) if record is not None else None


def forget_remembered() -> None:
    with _lock:
        _remembered.clear()
