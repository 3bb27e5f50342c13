"""Credential storage in the system keyring, one JSON record per (session, channel).

Keyring service ``conda-session::<session name>::<channel key>``, user ``credential``; the
value is a JSON object of strings. Tests point ``PYTHON_KEYRING_BACKEND`` at a file backend
(``keyrings.alt.file.PlaintextKeyring``) with an isolated ``HOME``/``XDG_DATA_HOME``.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Mapping
from typing import Any

from plugin_contract.session.errors import CredentialStoreError

SERVICE_PREFIX = "conda-session"
KEYRING_USER = "credential"
_lock = threading.Lock()


class CredentialStore:
    """Reads and writes credential records; never logs or shows their values.

    :param keyring_module: the ``keyring`` API to use (tests may pass a stand-in); by
        default the ``keyring`` package, imported on first use.
    """

    def __init__(self, keyring_module: Any = None) -> None:
        self._keyring = keyring_module

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
        self._call("set_password", self.service(session_name, channel_key), KEYRING_USER, value)

    def delete(self, session_name: str, channel_key: str) -> bool:
        """Remove the record; return whether there was one."""
        if self.load(session_name, channel_key) is None:
            return False
        self._call("delete_password", self.service(session_name, channel_key), KEYRING_USER)
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
        with _lock:
            try:
                return getattr(module, method)(*args)
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
