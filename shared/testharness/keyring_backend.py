"""A file-backed keyring for tests, selected with the environment variable
``PYTHON_KEYRING_BACKEND=testharness.keyring_backend.FileKeyring``.

Secrets live in ``$TESTHARNESS_KEYRING_FILE`` (default
``$XDG_DATA_HOME/testharness-keyring.json``), so tests with an isolated ``HOME`` never
touch a real keyring.
Each read appends one line to ``<file>.reads``, so tests can count credential lookups, also
across processes.
"""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path

from keyring.backend import KeyringBackend
from keyring.errors import PasswordDeleteError

_lock = threading.Lock()


def keyring_file() -> Path:
    explicit = os.environ.get("TESTHARNESS_KEYRING_FILE")
    if explicit:
        return Path(explicit)
    data = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(data) / "testharness-keyring.json"


def read_count(path: Path | None = None) -> int:
    """How many ``get_password`` calls the backend has served for this file."""
    reads = Path(f"{path or keyring_file()}.reads")
    return len(reads.read_text().splitlines()) if reads.exists() else 0


class FileKeyring(KeyringBackend):  # type: ignore[misc, unused-ignore]
    """Plain JSON file keyring: for tests only (no encryption)."""

    priority = 1

    def _load(self) -> dict[str, str]:
        path = keyring_file()
        return json.loads(path.read_text()) if path.exists() else {}

    def _save(self, data: dict[str, str]) -> None:
        path = keyring_file()
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(data))

    def get_password(self, service: str, username: str) -> str | None:
        with _lock:
            with Path(f"{keyring_file()}.reads").open("a") as reads:
                reads.write(f"{service}\n")
            return self._load().get(f"{service}\0{username}")

    def set_password(self, service: str, username: str, password: str) -> None:
        with _lock:
            data = self._load()
            data[f"{service}\0{username}"] = password
            self._save(data)

    def delete_password(self, service: str, username: str) -> None:
        with _lock:
            data = self._load()
            if data.pop(f"{service}\0{username}", None) is None:
                raise PasswordDeleteError("not found")
            self._save(data)
