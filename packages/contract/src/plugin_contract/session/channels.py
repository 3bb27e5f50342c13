"""Channel patterns and the anchored test of whether a URL is inside one (credential scope).

Which entry applies to a URL is conda's choice (``SessionConfig.match``, last match wins);
:meth:`ChannelPattern.contains` then keeps credentials inside that entry's channel.

A pattern is ``scheme://host[:port][/path]`` with two optional wildcards, both anchored:

- a leading ``*.`` label in the host (``https://*.example.com/...``) matches one or more whole
  labels in front of ``example.com`` (never ``example.com.evil.test``, never ``evilexample.com``);
- a trailing ``/*`` (or no path at all) makes the path a prefix of whole segments:
  ``https://host/chan`` and ``https://host/chan/*`` both match ``https://host/chan/linux-64/x``
  but never ``https://host/channel-other/...``.

Scheme, host and port are always compared exactly (default ports filled in); userinfo, query
and fragment never take part. Nothing else is a wildcard: ``?``, ``[`` and ``*`` elsewhere are
refused with a clear error rather than guessed at.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import SplitResult, unquote, urlsplit

from plugin_contract.errors import ConfigError
from plugin_contract.session.url_scope import is_loopback_host, path_segments

DEFAULT_PORTS = {"http": 80, "https": 443, "ftp": 21, "s3": 443, "file": 0}
DEFAULT_CHANNEL_ALIAS = "https://conda.anaconda.org"


class ChannelPatternError(ConfigError):
    """A channel pattern in the configuration cannot be understood."""


@dataclass(frozen=True)
class Origin:
    """The (scheme, host, port) triple a browser would call the origin of a URL."""

    scheme: str
    host: str
    port: int

    @classmethod
    def of(cls, url: str) -> Origin:
        try:
            parts = urlsplit(url)
        except ValueError as error:
            raise ConfigError(f"URL cannot be parsed: {_safe(url)}") from error
        scheme = parts.scheme.lower()
        try:
            port = parts.port
        except ValueError as error:
            raise ConfigError(f"URL has an invalid port: {_safe(url)}") from error
        return cls(scheme, (parts.hostname or "").lower(), port or DEFAULT_PORTS.get(scheme, 0))

    @property
    def is_loopback(self) -> bool:
        return is_loopback_host(self.host)

    def __str__(self) -> str:
        default = DEFAULT_PORTS.get(self.scheme)
        port = "" if self.port == default else f":{self.port}"
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{self.scheme}://{host}{port}"


@dataclass(frozen=True)
class ChannelPattern:
    """A parsed channel pattern; :meth:`contains` decides whether a URL is inside it.

    :param text: the pattern as written (userinfo removed), used as the identity of the
        channel in keyring keys, caches and ``status``.
    """

    text: str = field(compare=False)
    scheme: str
    host: str
    port: int
    path_segments: tuple[str, ...]
    any_subdomain: bool = False

    @classmethod
    def parse(cls, text: str, channel_alias: str = DEFAULT_CHANNEL_ALIAS) -> ChannelPattern:
        """Parse ``text``; a bare channel name (``my-org``) lives under ``channel_alias``."""
        raw = str(text).strip()
        if not raw:
            raise ChannelPatternError("an empty channel pattern matches nothing; remove it")
        if "://" not in raw:
            _check_channel_name(raw)
            raw = f"{channel_alias.rstrip('/')}/{raw.strip('/')}"
        try:
            parts = urlsplit(raw)
        except ValueError:
            raise ChannelPatternError(
                f"channel pattern {_safe(raw)!r} is not a valid URL (check the [host] brackets)"
            ) from None
        scheme = parts.scheme.lower()
        if scheme == "*" or not scheme:
            raise ChannelPatternError(
                f"channel pattern {_safe(raw)!r}: the scheme must be written out "
                "(https://...), a wildcard scheme would allow a downgrade to plain HTTP"
            )
        host = (parts.hostname or "").lower()
        any_subdomain = host.startswith("*.")
        if any_subdomain:
            host = host[2:]
        if not host and scheme != "file":
            raise ChannelPatternError(f"channel pattern {_safe(raw)!r} has no host")
        if any(ch in host for ch in "*?[]"):
            raise ChannelPatternError(
                f"channel pattern {_safe(raw)!r}: only a leading '*.' is allowed in the host"
            )
        try:
            port = parts.port or DEFAULT_PORTS.get(scheme, 0)
        except ValueError as error:
            raise ChannelPatternError(f"channel pattern {_safe(raw)!r}: bad port") from error
        segments = _segments(parts.path)
        if path_segments(parts.path) is None or ".." in segments:
            raise ChannelPatternError(
                f"channel pattern {_safe(raw)!r}: '..' is not allowed in a channel path"
            )
        if segments and segments[-1] == "*":
            segments = segments[:-1]
        if any(ch in seg for seg in segments for ch in "*?["):
            raise ChannelPatternError(
                f"channel pattern {_safe(raw)!r}: a wildcard is only allowed as the last "
                "path segment ('/*')"
            )
        if parts.query or parts.fragment:
            raise ChannelPatternError(f"channel pattern {_safe(raw)!r}: no query or fragment")
        return cls(
            text=_without_userinfo(parts, raw),
            scheme=scheme,
            host=host,
            port=port,
            path_segments=segments,
            any_subdomain=any_subdomain,
        )

    @property
    def origin(self) -> Origin | None:
        """The one origin this channel lives on, or ``None`` for a ``*.`` host pattern."""
        if self.any_subdomain:
            return None
        return Origin(self.scheme, self.host, self.port)

    @property
    def is_loopback(self) -> bool:
        origin = self.origin
        return origin is not None and origin.is_loopback

    def contains(self, url: str) -> bool:
        """Whether ``url`` is inside this channel: same scheme, host and port, path under it."""
        try:
            parts = urlsplit(url)
        except ValueError:
            return False
        if parts.scheme.lower() != self.scheme:
            return False
        host = (parts.hostname or "").lower().rstrip(".")
        if self.any_subdomain:
            if not host.endswith("." + self.host) or host == "." + self.host:
                return False
        elif host != self.host:
            return False
        try:
            port = parts.port or DEFAULT_PORTS.get(self.scheme, 0)
        except ValueError:
            return False
        if port != self.port:
            return False
        segments = path_segments(parts.path)
        if segments is None:
            return False
        return segments[: len(self.path_segments)] == self.path_segments

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True)
class ChannelMatch:
    """The configuration entry that applies to a URL, handed to the session class.

    :param pattern: the channel; use :meth:`contains` to scope credentials to it.
    :param session_name: the session name the entry (or the global setting) selects.
    :param settings: the entry's other keys, flat strings (``channel``/``session``/``auth``
        removed), e.g. ``{"username": "ci-bot"}``.
    :param source: the condarc file the entry came from, if any.
    :param written: the entry's ``channel:`` as written (userinfo removed), which is what
        conda matches (``basic``, ``https://host/chan/*``); empty: the pattern's text.
    """

    pattern: ChannelPattern
    session_name: str | None
    settings: Mapping[str, str] = field(default_factory=dict)
    source: Path | None = None
    written: str = ""

    @property
    def key(self) -> str:
        """A stable identity for the channel: keyring entries and caches use it.

        The forms ``basic``, ``ALIAS/basic`` and ``ALIAS/basic/*`` are one channel (equal
        patterns), so they share one key: the pattern's URL without a trailing ``/*``.
        """
        text = self.pattern.text
        return text[:-2] if text.endswith("/*") else text

    @property
    def conda_channel(self) -> str:
        """The ``channel:`` text conda compares with a URL (see ``conda_match``)."""
        return self.written or self.pattern.text

    def contains(self, url: str) -> bool:
        return self.pattern.contains(url)

    def same_origin(self, url: str) -> bool:
        """Whether ``url`` is on the channel's origin (any path)."""
        origin = self.pattern.origin
        if origin is None:
            return self.pattern.contains(url) or _under_any_subdomain(self.pattern, url)
        try:
            return Origin.of(url) == origin
        except ConfigError:
            return False


def safe_url(url: str) -> str:
    """``url`` without userinfo, query or fragment: what may appear in messages and logs."""
    return _safe(url)


def _under_any_subdomain(pattern: ChannelPattern, url: str) -> bool:
    try:
        origin = Origin.of(url)
    except ConfigError:
        return False
    return (
        origin.scheme == pattern.scheme
        and origin.port == pattern.port
        and origin.host.endswith("." + pattern.host)
    )


_NAME_SEGMENT = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.+-]*\Z")


def _check_channel_name(name: str) -> None:
    """A bare channel name (``conda-forge``, ``org/label/dev``): letters, digits, ``_.+-``,
    segments split by ``/``; never ``..``, ``$(...)``, spaces or other shell syntax."""
    segments = name.strip("/").split("/")
    if segments[-1] == "*":
        segments = segments[:-1]
    if not all(_NAME_SEGMENT.match(seg) and seg != ".." for seg in segments):
        raise ChannelPatternError(
            f"{name!r} is not a channel name: use letters, digits and '_.+-' (segments "
            "separated by '/'), or a full URL such as https://host/channel"
        )


def _segments(path: str) -> tuple[str, ...]:
    return tuple(unquote(seg) for seg in path.split("/") if seg and seg != ".")


def _without_userinfo(parts: SplitResult, raw: str) -> str:
    if "@" not in parts.netloc:
        return raw.rstrip("/")
    netloc = parts.netloc.rsplit("@", 1)[1]
    return parts._replace(netloc=netloc).geturl().rstrip("/")


def _safe(url: str) -> str:
    try:
        parts = urlsplit(url)
    except ValueError:
        return "<unparsable URL>"
    netloc = parts.netloc.rsplit("@", 1)[-1]
    return parts._replace(netloc=netloc, query="", fragment="").geturl()
