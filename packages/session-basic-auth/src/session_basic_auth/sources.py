"""Where basic-auth credentials come from, in this order (first found wins):

1. environment variables ``<PREFIX>_USERNAME`` / ``<PREFIX>_PASSWORD`` (for CI), where
   ``<PREFIX>`` is the channel setting ``env_prefix`` or ``CONDA_BASIC_AUTH_<CHANNEL>``
   (``<CHANNEL>``: host, non-default port and path, upper-cased, other characters ``_``);
2. a secret file named by the channel setting ``password_file`` (Docker/Kubernetes secrets);
3. the keyring entry written by ``conda-session login``;
4. ``~/.netrc`` (or ``$NETRC``), for channels on a single host;
5. a prompt, only through the before-action in an interactive run (kept in memory).

The username for 1 and 2 comes from ``<PREFIX>_USERNAME`` or the channel setting ``username``.
"""

from __future__ import annotations

import netrc
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from plugin_contract.devpi import Secret
from plugin_contract.session import (
    ChannelMatch,
    CredentialsError,
    CredentialStore,
    CredentialStoreError,
    FileReadError,
    read_secret_file,
    remembered,
)

SESSION_NAME = "basic-auth"
ENV_ROOT = "CONDA_BASIC_AUTH"


@dataclass(frozen=True)
class FoundCredentials:
    """A username, the password (never shown) and where they came from."""

    username: str
    password: Secret
    source: str

    def __repr__(self) -> str:
        return f"FoundCredentials(username={self.username!r}, source={self.source!r})"


def env_prefix(channel: ChannelMatch) -> str:
    """The environment variable prefix for ``channel`` (setting ``env_prefix`` wins)."""
    explicit = channel.settings.get("env_prefix")
    if explicit:
        return explicit.strip().upper()
    pattern = channel.pattern
    default_port = {"http": 80, "https": 443}.get(pattern.scheme)
    parts = [pattern.host]
    if pattern.port != default_port:
        parts.append(str(pattern.port))
    parts.extend(pattern.path_segments)
    ident = re.sub(r"[^A-Za-z0-9]+", "_", "_".join(parts)).strip("_").upper()
    return f"{ENV_ROOT}_{ident}"


def describe_sources(channel: ChannelMatch) -> str:
    prefix = env_prefix(channel)
    return (
        f"environment ({prefix}_PASSWORD), secret file (setting password_file), the keyring "
        f"(conda-session login {channel.key} --session {SESSION_NAME}), ~/.netrc"
    )


def find_credentials(
    channel: ChannelMatch,
    environ: Mapping[str, str],
    store: CredentialStore,
) -> FoundCredentials | None:
    """The first credentials found in the documented order, or ``None``.

    An inline ``password`` in the channel entry is an error (secrets do not belong in the
    condarc); credentials that cannot go into an HTTP header (a username with ``:`` or a
    control character, a password that is not UTF-8 text) are refused with one line."""
    if "password" in channel.settings:
        raise CredentialsError(
            f"channel {channel.key}: an inline 'password' in the condarc is not used and "
            "must not be there; remove it and use password_file (a secret file), the "
            f"environment variable {env_prefix(channel)}_PASSWORD, or the keyring "
            f"(conda-session login {channel.key} --session {SESSION_NAME})"
        )
    found = _find_credentials(channel, environ, store)
    if found is not None:
        _check_usable(found, channel)
    return found


def _check_usable(found: FoundCredentials, channel: ChannelMatch) -> None:
    if ":" in found.username or any(ord(ch) < 32 or ord(ch) == 127 for ch in found.username):
        raise CredentialsError(
            f"the username from {found.source} for {channel.key} contains ':' or a control "
            "character; fix it"
        )
    for what, text in (("username", found.username), ("password", found.password.reveal())):
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            raise CredentialsError(
                f"the {what} from {found.source} for {channel.key} is not valid UTF-8 text; "
                "set it again"
            ) from None


def _find_credentials(
    channel: ChannelMatch,
    environ: Mapping[str, str],
    store: CredentialStore,
) -> FoundCredentials | None:
    settings = channel.settings
    prefix = env_prefix(channel)
    env_username = environ.get(f"{prefix}_USERNAME") or settings.get("username")
    env_password = environ.get(f"{prefix}_PASSWORD")
    if env_password:
        return FoundCredentials(
            _need_username(env_username, channel, f"{prefix}_PASSWORD"),
            Secret(env_password, f"env:{prefix}_PASSWORD"),
            f"environment variable {prefix}_PASSWORD",
        )
    password_file = settings.get("password_file")
    if password_file:
        password = _read_secret_file(Path(password_file).expanduser(), channel)
        return FoundCredentials(
            _need_username(env_username, channel, "password_file"),
            Secret(password, f"file:{password_file}"),
            f"secret file {password_file}",
        )
    keyring_error: CredentialStoreError | None = None
    try:
        record = store.load(SESSION_NAME, channel.key)
    except CredentialStoreError as error:
        # No usable keyring (headless CI): ~/.netrc still applies, as it does in plain conda.
        record, keyring_error = None, error
    if record and record.get("password"):
        return FoundCredentials(
            record.get("username", ""), Secret(record["password"], "keyring"), "keyring"
        )
    from_netrc = _netrc_credentials(channel, environ)
    if from_netrc is not None:
        return from_netrc
    if keyring_error is not None and remembered(SESSION_NAME, channel.key) is None:
        raise keyring_error
    kept = remembered(SESSION_NAME, channel.key)
    if kept and kept.get("password"):
        return FoundCredentials(
            kept.get("username", ""), Secret(kept["password"], "prompt"), "prompt"
        )
    return None


def _need_username(username: str | None, channel: ChannelMatch, source: str) -> str:
    if not username:
        raise CredentialsError(
            f"{source} is set for {channel.key} but no username: set "
            f"{env_prefix(channel)}_USERNAME or the channel setting username"
        )
    return username


def _read_secret_file(path: Path, channel: ChannelMatch) -> str:
    try:
        return read_secret_file(path, what="password_file")
    except FileReadError as error:
        hint = "; create it or remove the setting" if error.reason == "missing" else ""
        raise CredentialsError(f"{error} (channel {channel.key}){hint}") from None


def _netrc_credentials(
    channel: ChannelMatch, environ: Mapping[str, str]
) -> FoundCredentials | None:
    origin = channel.pattern.origin
    if origin is None:
        return None
    home = environ.get("HOME")
    path = Path(environ["NETRC"]) if environ.get("NETRC") else Path(home or Path.home()) / ".netrc"
    if not path.is_file():
        return None
    try:
        entry = netrc.netrc(str(path)).authenticators(origin.host)
    except (netrc.NetrcParseError, OSError):
        raise CredentialsError(f"{path} cannot be parsed; fix or remove it") from None
    if not entry or not entry[2]:
        return None
    return FoundCredentials(entry[0] or "", Secret(entry[2], f"file:{path}"), str(path))
