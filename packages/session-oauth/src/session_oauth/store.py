"""Token storage: the system keyring, or a 0600 file in a 0700 directory as a fallback."""

from __future__ import annotations

import contextlib
import logging
import os
import tempfile
import warnings
from pathlib import Path
from typing import Any, Protocol

from plugin_contract.session import CredentialStoreError, FileReadError, read_text
from session_oauth.errors import TokenStorageError
from session_oauth.paths import key_digest, private_dir
from session_oauth.tokens import TokenSet

logger = logging.getLogger(__name__)
SERVICE_PREFIX = "conda-session::oauth"
KEYRING_USER = "tokens"
SECRET_LIMIT = 64 << 10  # a token set is a few KiB
_warned_about: set[Path] = set()  # warn once per process and directory, not per session


class TokenStore(Protocol):
    """Where a channel's token set lives; keys name the channel and client."""

    kind: str

    def load(self, key: str) -> TokenSet | None: ...

    def save(self, key: str, tokens: TokenSet) -> None: ...

    def delete(self, key: str) -> bool: ...


class KeyringTokenStore:
    """One keyring entry per key (service ``conda-session::oauth::<key>``).

    Every call holds the whole keyring's lock (``plugin_contract.session.keyring_call``):
    backends such as ``keyrings.alt`` keep all entries in one file, so a per-key lock alone
    lets concurrent refreshes of different channels overwrite each other's tokens."""

    kind = "keyring"

    def __init__(self, keyring_module: Any) -> None:
        self._keyring = keyring_module

    def __repr__(self) -> str:
        return "<KeyringTokenStore>"

    def load(self, key: str) -> TokenSet | None:
        raw = self._call("get_password", f"{SERVICE_PREFIX}::{key}", KEYRING_USER)
        return _parse(raw, "keyring entry") if raw else None

    def save(self, key: str, tokens: TokenSet) -> None:
        self._call("set_password", f"{SERVICE_PREFIX}::{key}", KEYRING_USER, tokens.to_json())

    def delete(self, key: str) -> bool:
        if self.load(key) is None:
            return False
        with contextlib.suppress(TokenStorageError):
            self._call("delete_password", f"{SERVICE_PREFIX}::{key}", KEYRING_USER)
        return True

    def _call(self, method: str, *args: str) -> Any:
        from plugin_contract.session import keyring_call

        try:
            return keyring_call(self._keyring, method, *args)
        except CredentialStoreError as error:
            raise TokenStorageError(str(error)) from None
        except Exception as error:
            raise TokenStorageError(
                f"the keyring failed to {method.split('_')[0]} the tokens "
                f"({type(error).__name__}); unlock the keyring, or set oauth_token_storage: file"
            ) from None


class FileTokenStore:
    """Token files readable only by their owner, written atomically with ``os.replace``."""

    kind = "file"

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def __repr__(self) -> str:
        return f"<FileTokenStore {self.directory}>"

    def _path(self, key: str) -> Path:
        return self.directory / f"{key_digest(key)}.json"

    def load(self, key: str) -> TokenSet | None:
        path = self._path(key)
        try:  # bounded, regular files only, owner-only (a FIFO or a directory is named)
            text = read_text(path, what="token file", limit=SECRET_LIMIT, private=True)
        except FileReadError as error:
            if error.reason == "missing":
                return None
            if error.reason == "not-utf8":
                message = f"the stored tokens in {path} are damaged; log in again"
                raise TokenStorageError(message) from None
            raise TokenStorageError(str(error)) from None
        return _parse(text, str(path))

    def save(self, key: str, tokens: TokenSet) -> None:
        directory = private_dir(self.directory)
        fd, temporary = tempfile.mkstemp(dir=directory, prefix=".tokens-", suffix=".tmp")
        try:
            os.fchmod(fd, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(tokens.to_json())
                handle.flush()
                os.fsync(handle.fileno())
            Path(temporary).replace(self._path(key))
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                Path(temporary).unlink()
            raise

    def delete(self, key: str) -> bool:
        try:
            self._path(key).unlink()
        except FileNotFoundError:
            return False
        return True


def _parse(raw: str, where: str) -> TokenSet:
    try:
        return TokenSet.from_json(raw)
    except ValueError:
        raise TokenStorageError(f"the stored tokens in {where} are damaged; log in again") from None


def _usable_keyring() -> Any | None:
    """The ``keyring`` module if a real backend is available (not ``fail.Keyring``)."""
    try:
        import keyring
        from keyring.backends import fail
    except ImportError:
        return None
    backend = keyring.get_keyring()
    if isinstance(backend, fail.Keyring) or getattr(backend, "priority", 1) <= 0:
        return None
    return keyring


def open_store(storage: str, state_directory: Path) -> TokenStore:
    """The store for ``oauth_token_storage``: ``keyring``, ``file``, or ``auto`` (keyring,
    else the file fallback with a warning)."""
    file_store = FileTokenStore(state_directory / "tokens")
    if storage == "file":
        return file_store
    keyring_module = _usable_keyring()
    if keyring_module is not None:
        return KeyringTokenStore(keyring_module)
    if storage == "keyring":
        raise TokenStorageError(
            "no usable system keyring and oauth_token_storage is 'keyring': unlock or install "
            "a keyring (e.g. pip install keyrings.alt), or allow the file fallback with "
            "oauth_token_storage: auto"
        )
    if file_store.directory not in _warned_about:
        _warned_about.add(file_store.directory)
        message = (
            f"no usable system keyring; OAuth tokens are kept in {file_store.directory} "
            "(files readable only by you); set oauth_token_storage: keyring to refuse this"
        )
        warnings.warn(message, UserWarning, stacklevel=2)
        logger.warning(message)
    return file_store
