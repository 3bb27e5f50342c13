"""Network configuration read from the condarc search path, the way conda reads it.

Files are read in conda's order, later ones overriding earlier scalars; channel entries from
every file are collected in file order. As in conda, the **last** entry matching a URL wins
(``conda_match.conda_pick``: the canonical channel name exactly, or a URL pattern by
fnmatch). Two per-channel forms are accepted, both flat string maps a real conda accepts:

.. code-block:: yaml

    network_session_class: basic-auth        # global default (optional)
    channels:
      - https://repo.example.com/private:    # the old design form: conda crashes, we warn
          network_session_class: basic-auth
          username: ci-bot
    channel_settings:                        # conda's form; "auth" is accepted for "session"
      - channel: https://*.example.org/*
        session: basic-auth
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from plugin_contract.condarc import bool_word
from plugin_contract.errors import ConfigError
from plugin_contract.redaction import strip_userinfo
from plugin_contract.session.channels import (
    DEFAULT_CHANNEL_ALIAS,
    ChannelMatch,
    ChannelPattern,
    safe_url,
)

SESSION_KEYS = ("network_session_class", "session", "auth")
RESERVED_KEYS = frozenset({"channel", *SESSION_KEYS})
MAX_RETRIES = 100


def condarc_search_path(environ: Mapping[str, str] | None = None) -> list[Path]:
    """conda's search path (existing files), lowest priority first; ``$CONDARC`` comes last.

    The one reader, :func:`plugin_contract.condarc.search_path`, decides the order.
    """
    from plugin_contract.condarc import search_path

    return [Path(path) for path in search_path(environ)]


def user_condarc(environ: Mapping[str, str] | None = None) -> Path:
    """The file ``conda-session login`` writes: ``$CONDARC`` if set, else ``~/.condarc``."""
    env = os.environ if environ is None else environ
    if env.get("CONDARC"):
        return Path(env["CONDARC"]).expanduser()
    return Path(env.get("HOME") or Path.home()) / ".condarc"


@dataclass(frozen=True)
class SessionConfig:
    """Everything a session needs from configuration; build it with :meth:`load`.

    :param network_session_class: the global session name, ``None`` for the default.
    :param channels: every per-channel entry, in file order.
    :param ssl_verify: ``True``/``False``, a CA bundle path, or ``"truststore"``.
    :param proxy_servers: scheme (or ``scheme://host``) -> proxy URL, plus optional ``no_proxy``.
    """

    network_session_class: str | None = None
    channels: tuple[ChannelMatch, ...] = ()
    ssl_verify: bool | str = True
    proxy_servers: Mapping[str, str] = field(default_factory=dict)
    client_ssl_cert: str | None = None
    client_ssl_cert_key: str | None = None
    offline: bool = False
    connect_timeout: float = 9.15
    read_timeout: float = 60.0
    max_retries: int = 3
    backoff_factor: float = 1.0
    max_retry_after: float = 60.0
    channel_alias: str = DEFAULT_CHANNEL_ALIAS
    user_agent: str | None = None
    files: tuple[Path, ...] = ()
    environ: Mapping[str, str] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def load(
        cls,
        environ: Mapping[str, str] | None = None,
        paths: Sequence[Path] | None = None,
    ) -> SessionConfig:
        """Read the condarc files (``paths`` or the search path) and ``CONDA_*`` overrides."""
        env = dict(os.environ if environ is None else environ)
        merged: dict[str, Any] = {}
        entries: list[tuple[Any, Path]] = []
        read: list[Path] = []
        for path in condarc_search_path(env) if paths is None else paths:
            data = _read_yaml(path)
            if data is None:
                continue
            read.append(path)
            for key in ("channels", "channel_settings"):
                for item in _as_list(data.get(key), path, key):
                    if key == "channels" and isinstance(item, Mapping):
                        _warn_design_form(path)
                    entries.append((item, path))
            merged.update({k: v for k, v in data.items() if k not in ("channels",)})
        for name in ("network_session_class", "offline", "ssl_verify"):
            env_value = env.get(f"CONDA_{name.upper()}")
            if env_value:
                merged[name] = env_value
        alias = _channel_alias(merged.get("channel_alias"))
        channels = tuple(
            match for item, path in entries if (match := _entry(item, path, alias)) is not None
        )
        return cls(
            network_session_class=_name(merged.get("network_session_class")),
            channels=channels,
            ssl_verify=_ssl_verify(merged.get("ssl_verify", True)),
            proxy_servers=_string_map(merged.get("proxy_servers"), "proxy_servers"),
            client_ssl_cert=_opt_str(merged.get("client_ssl_cert")),
            client_ssl_cert_key=_opt_str(merged.get("client_ssl_cert_key")),
            offline=_bool(merged.get("offline", False), "offline"),
            connect_timeout=_timeout(merged, "remote_connect_timeout_secs", 9.15),
            read_timeout=_timeout(merged, "remote_read_timeout_secs", 60.0),
            max_retries=_count(merged, "remote_max_retries", 3),
            backoff_factor=_non_negative(merged, "remote_backoff_factor", 1.0),
            channel_alias=alias,
            user_agent=_opt_str(merged.get("user_agent")),
            files=tuple(read),
            environ=env,
        )

    def match(self, url: str) -> ChannelMatch | None:
        """The entry conda 26.7 picks for ``url`` (the last match), or ``None``.

        ``None`` as well when conda's pick does not contain ``url`` by our anchored rule
        (:meth:`ChannelMatch.contains`): credentials never leave the matched channel.
        """
        from plugin_contract.conda_match import conda_pick

        entries = [{"channel": entry.conda_channel} for entry in self.channels]
        index = conda_pick(url, entries, self.channel_alias)
        if index is None:
            return None
        chosen = self.channels[index]
        return chosen if chosen.contains(url) else None

    def session_name_for(self, match: ChannelMatch | None) -> str | None:
        """The entry's session name, else the global one, else ``None`` (the default)."""
        if match is not None and match.session_name:
            return match.session_name
        return self.network_session_class

    def with_changes(self, **changes: Any) -> SessionConfig:
        return replace(self, **changes)


_WARNED: set[Path] = set()


def _warn_design_form(path: Path) -> None:
    """One stderr line per file: conda 26.7 crashes on ``channels: - URL: {...}``."""
    if path in _WARNED:
        return
    _WARNED.add(path)
    import sys

    sys.stderr.write(
        f"conda-session: warning: {path}: 'channels: - URL: {{...}}' makes conda crash; "
        "write it as a channel_settings entry (channel: URL/*, auth: NAME)\n"
    )


def _entry(item: Any, path: Path, alias: str) -> ChannelMatch | None:
    if isinstance(item, str):
        return None  # a plain channel name in `channels:` carries no settings
    if not isinstance(item, Mapping):
        kind = type(item).__name__
        raise ConfigError(f"{path}: a channel entry must be a name or a mapping, not a {kind}")
    if "channel" in item:
        pattern_text = item["channel"]
        raw_settings = item
    elif len(item) == 1:
        pattern_text, raw_settings = next(iter(item.items()))
        raw_settings = raw_settings or {}
        if not isinstance(raw_settings, Mapping):
            raise ConfigError(
                f"{path}: settings of channel {_shown(pattern_text)} must be a mapping"
            )
    else:
        keys = ", ".join(sorted(str(key) for key in item))
        raise ConfigError(
            f"{path}: a channel_settings entry needs a 'channel' key (got keys {keys})"
        )
    if not isinstance(pattern_text, str) or not pattern_text.strip():
        kind = "empty" if pattern_text in (None, "") else f"a {type(pattern_text).__name__}"
        raise ConfigError(
            f"{path}: 'channel' of a channel_settings entry is {kind}; write a channel name "
            "or URL (channel: https://host/path/*)"
        )
    settings = _string_map(raw_settings, f"{path}: channel {_shown(pattern_text)}")
    session_name = next((settings[k] for k in SESSION_KEYS if settings.get(k)), None)
    pattern = ChannelPattern.parse(pattern_text, alias)
    return ChannelMatch(
        pattern=pattern,
        session_name=_name(session_name),
        settings={k: v for k, v in settings.items() if k not in RESERVED_KEYS},
        source=path,
        written=strip_userinfo(pattern_text.strip()),
    )


def _shown(channel: object) -> str:
    """A channel as it may appear in a message: userinfo removed (never a password)."""
    return repr(safe_url(channel)) if isinstance(channel, str) else type(channel).__name__


def _read_yaml(path: Path) -> dict[str, Any] | None:
    """One condarc file through the one reader (bounded, regular files only); ``None`` when
    the file does not exist."""
    from plugin_contract.condarc import parse_file

    if not path.exists() and not path.is_symlink():
        return None
    return parse_file(str(path))


def _channel_alias(value: Any) -> str:
    from plugin_contract.condarc import checked_channel_alias

    return checked_channel_alias(value)


def _as_list(value: Any, path: Path, key: str) -> Iterable[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise ConfigError(f"{path}: {key} must be a list")
    return value


def _string_map(value: Any, where: str) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise ConfigError(f"{where}: expected a mapping of strings")
    result: dict[str, str] = {}
    for key, item in value.items():
        if isinstance(item, (Mapping, list)):
            raise ConfigError(f"{where}: {key!r} must be a plain value, not a nested structure")
        if item is None:
            continue
        result[str(key)] = str(item).lower() if isinstance(item, bool) else str(item)
    return result


def _name(value: Any) -> str | None:
    if value is None or str(value).strip() == "":
        return None
    return str(value).strip().lower()


def _opt_str(value: Any) -> str | None:
    return None if value in (None, "") else str(value)


def _bool(value: Any, key: str) -> bool:
    if isinstance(value, bool):
        return value
    meaning = bool_word(str(value))
    if meaning is None:
        raise ConfigError(f"{key}: expected true or false, got {value!r}")
    return meaning


def _ssl_verify(value: Any) -> bool | str:
    if isinstance(value, bool):
        return value
    word = str(value).strip()
    meaning = bool_word(word)
    if meaning is not None:
        return meaning
    if word.lower() == "truststore":
        return "truststore"
    return word


def _number(value: Any, key: str) -> float:
    """A finite number (``inf`` and ``nan`` would fail only later, at fetch time)."""
    if isinstance(value, bool):
        raise ConfigError(f"{key}: expected a number, got {value!r}")
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError):
        raise ConfigError(f"{key}: expected a number, got {_brief(value)}") from None
    if not math.isfinite(number):
        raise ConfigError(f"{key}: expected a finite number, got {value!r}")
    return number


def _timeout(merged: Mapping[str, Any], key: str, default: float) -> float:
    seconds = _number(merged.get(key, default), key)
    if seconds <= 0:
        raise ConfigError(f"{key}: a timeout must be more than 0 seconds, got {seconds:g}")
    return seconds


def _non_negative(merged: Mapping[str, Any], key: str, default: float) -> float:
    number = _number(merged.get(key, default), key)
    if number < 0:
        raise ConfigError(f"{key}: must be 0 or more, got {number:g}")
    return number


def _count(merged: Mapping[str, Any], key: str, default: int) -> int:
    number = _non_negative(merged, key, default)
    if number != int(number) or number > MAX_RETRIES:
        raise ConfigError(f"{key}: expected a whole number from 0 to {MAX_RETRIES}, got {number:g}")
    return int(number)


def _brief(value: Any) -> str:
    text = repr(value) if isinstance(value, (str, int, float)) else f"a {type(value).__name__}"
    return text if len(text) <= 40 else text[:37] + "..."


def setting_is_true(settings: Mapping[str, str], key: str) -> bool:
    """Whether a flat string setting (``"true"``, ``"yes"``, ``"1"``) is on."""
    return bool_word(settings.get(key, "")) is True
