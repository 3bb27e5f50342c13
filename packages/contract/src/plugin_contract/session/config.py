"""Network configuration read from the condarc search path, the way conda reads it.

Files are read in conda's order, later ones overriding earlier scalars; channel entries from
every file are collected (later files' entries are listed later, so on equal specificity
they win). Two per-channel forms are accepted, both flat string maps a real conda accepts:

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

import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from plugin_contract.errors import ConfigError
from plugin_contract.session.channels import (
    DEFAULT_CHANNEL_ALIAS,
    ChannelMatch,
    ChannelPattern,
    best_match,
)

SESSION_KEYS = ("network_session_class", "session", "auth")
RESERVED_KEYS = frozenset({"channel", *SESSION_KEYS})
TRUE_WORDS = frozenset({"1", "true", "yes", "on"})
FALSE_WORDS = frozenset({"0", "false", "no", "off"})


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
        alias = str(merged.get("channel_alias") or DEFAULT_CHANNEL_ALIAS)
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
            connect_timeout=_number(merged.get("remote_connect_timeout_secs", 9.15), "timeout"),
            read_timeout=_number(merged.get("remote_read_timeout_secs", 60.0), "timeout"),
            max_retries=int(_number(merged.get("remote_max_retries", 3), "remote_max_retries")),
            backoff_factor=_number(merged.get("remote_backoff_factor", 1.0), "backoff"),
            channel_alias=alias,
            user_agent=_opt_str(merged.get("user_agent")),
            files=tuple(read),
            environ=env,
        )

    def match(self, url: str) -> ChannelMatch | None:
        """The most specific channel entry containing ``url``, or ``None``."""
        return best_match(url, list(self.channels))

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
        raise ConfigError(f"{path}: a channel entry must be a name or a mapping, got {item!r}")
    if "channel" in item:
        pattern_text = item["channel"]
        raw_settings = item
    elif len(item) == 1:
        pattern_text, raw_settings = next(iter(item.items()))
        raw_settings = raw_settings or {}
        if not isinstance(raw_settings, Mapping):
            raise ConfigError(f"{path}: settings of channel {pattern_text!r} must be a mapping")
    else:
        raise ConfigError(
            f"{path}: a channel_settings entry needs a 'channel' key (got keys {sorted(item)})"
        )
    settings = _string_map(raw_settings, f"{path}: channel {pattern_text!r}")
    session_name = next((settings[k] for k in SESSION_KEYS if settings.get(k)), None)
    pattern = ChannelPattern.parse(str(pattern_text), alias)
    return ChannelMatch(
        pattern=pattern,
        session_name=_name(session_name),
        settings={k: v for k, v in settings.items() if k not in RESERVED_KEYS},
        source=path,
    )


def _read_yaml(path: Path) -> dict[str, Any] | None:
    try:
        text = path.read_text(encoding="utf-8")
    except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
        return None
    except OSError as error:
        raise ConfigError(f"cannot read {path}: {error.strerror}") from error
    import yaml

    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark is not None else ""
        raise ConfigError(f"{path}{where}: not valid YAML; fix or remove the file") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: the top level must be a mapping")
    return data


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
    word = str(value).strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ConfigError(f"{key}: expected true or false, got {value!r}")


def _ssl_verify(value: Any) -> bool | str:
    if isinstance(value, bool):
        return value
    word = str(value).strip()
    if word.lower() in TRUE_WORDS:
        return True
    if word.lower() in FALSE_WORDS:
        return False
    if word.lower() == "truststore":
        return "truststore"
    return word


def _number(value: Any, key: str) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        raise ConfigError(f"{key}: expected a number, got {value!r}") from None


def setting_is_true(settings: Mapping[str, str], key: str) -> bool:
    """Whether a flat string setting (``"true"``, ``"yes"``, ``"1"``) is on."""
    return settings.get(key, "").strip().lower() in TRUE_WORDS
