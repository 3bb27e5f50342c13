"""Which ``channel_settings`` entry conda 26.7 picks for a URL (``get_session`` in
``conda/gateways/connection/session.py``), so ``which``/``status`` say what conda will do.

conda walks every entry and the **last** one that matches wins. An entry matches when its
``channel`` equals the URL's canonical channel name exactly (under ``channel_alias`` that is
the short name, ``basic``), or else when the scheme is identical and
``fnmatch(netloc + path, pattern netloc + path)``, where ``netloc`` is the lower-cased host and
port without userinfo and ``*`` crosses ``/``. A URL pattern without ``*`` matches one URL.

:func:`canonical_name` follows ``Channel.from_url(url).canonical_name``
(``conda/models/channel.py``): the ``/t/TOKEN`` part and the first known subdir are removed,
then a package or repodata file name; a URL under ``channel_alias`` (compared by location,
``host[:port]/path``, whatever the scheme) is named by the rest of its path. Not modelled:
``custom_channels``, ``custom_multichannels`` other than ``defaults``, and
``migrated_channel_aliases`` (all empty or default in the condarcs we write). A URL conda
itself cannot parse gives ``None`` here, never an exception.
"""

from __future__ import annotations

import re
from fnmatch import fnmatch
from functools import lru_cache
from urllib.parse import unquote, urlparse

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence
    from typing import Any

# conda/base/constants.py KNOWN_SUBDIRS (26.7.1)
KNOWN_SUBDIRS = (
    "noarch",
    "emscripten-wasm32",
    "wasi-wasm32",
    "freebsd-64",
    "linux-32",
    "linux-64",
    "linux-aarch64",
    "linux-armv6l",
    "linux-armv7l",
    "linux-ppc64",
    "linux-ppc64le",
    "linux-riscv64",
    "linux-s390x",
    "osx-64",
    "osx-arm64",
    "win-32",
    "win-64",
    "win-arm64",
    "zos-z",
)
FILE_EXTENSIONS = (".conda", ".tar.bz2", ".json", ".json.zst")
DEFAULT_CHANNEL_NAMES = ("pkgs/main", "pkgs/r")  # the "defaults" multichannel on unix
_TOKEN = re.compile(r"/t/([a-zA-Z0-9-]*)")
_PLATFORM = re.compile(r"/({})(?:/|$)".format("|".join(KNOWN_SUBDIRS)), re.IGNORECASE)


def _netloc(hostname: str | None, port: int | None) -> str:
    host = (hostname or "").lower()
    return f"{host}:{port}" if port else host


def _location(url: str) -> tuple[str, str, str | None, int | None, str]:
    """(scheme, ``host[:port]/path``, host, port, path) as conda's ``Url`` writes them."""
    parts = urlparse(url if "://" in url else "//" + url)
    path = parts.path
    if path and not path.startswith("/"):
        path = "/" + path
    return (
        parts.scheme.lower(),
        _netloc(parts.hostname, parts.port) + path,
        parts.hostname,
        (parts.port),
        path,
    )


def _tokenized_startswith(test: list[str], prefix: list[str]) -> bool:
    return all(a == b for a, b in zip(test, prefix, strict=False))


def _join(*args: str | None) -> str:
    start = "/" if not args[0] or args[0].startswith("/") else ""
    return start + "/".join(y for y in (x.strip("/") for x in args if x) if y)


def canonical_name(url: str, channel_alias: str) -> str | None:
    """conda's ``Channel.from_url(url).canonical_name``; ``None`` when conda has none."""
    try:
        return _canonical_name(url, channel_alias)
    except ValueError:
        return None


def _canonical_name(url: str, channel_alias: str) -> str | None:
    cleaned = url
    token = _TOKEN.search(cleaned)
    if token is not None:
        cleaned = cleaned.replace("/t/" + token.group(1), "", 1)
    cleaned = cleaned.rstrip("/")
    platform = _PLATFORM.search(cleaned)
    if platform is not None:
        cleaned = cleaned.replace("/" + platform.group(1), "", 1)
    cleaned = cleaned.rstrip("/")
    if cleaned.endswith(FILE_EXTENSIONS) and "/" in cleaned:
        cleaned = cleaned.rsplit("/", 1)[0]
    scheme, _, host, port, path = _location(cleaned)
    path = path.rstrip("/")
    test_url = _netloc(host, port) + path
    alias_location = _location(channel_alias.rstrip("/"))[1].rstrip("/")
    name: str | None
    if not path:
        location, name = _netloc(host, port), None
    elif alias_location and _tokenized_startswith(test_url.split("/"), alias_location.split("/")):
        location = alias_location
        name = test_url.replace(alias_location, "", 1).strip("/") or None
    elif host is None:
        if port is not None:
            return None
        location, name = test_url.rsplit("/", 1)
        location, scheme = location or "/", "file"
    else:
        segments = path.strip("/").split("/")
        bump = "/conda" if segments[0] == "conda" else ""
        location = _netloc(host, port) + bump
        name = ("/".join(segments[1:]) if bump else path).strip("/") or None
    if name:
        name = unquote(name)
    if name in DEFAULT_CHANNEL_NAMES:
        return "defaults"
    if name and any(
        _tokenized_startswith(name.split("/"), known.split("/")) for known in DEFAULT_CHANNEL_NAMES
    ):
        return name
    if location == alias_location:
        return name or ""
    return f"{scheme or 'https'}://{_join(location, name)}"


def entry_matches(url: str, channel_name: str, pattern: str) -> bool:
    """Whether one entry's ``channel`` matches ``url`` (canonical name ``channel_name``)."""
    if pattern == channel_name:
        return True
    url_parts = _match_parts(url)
    pattern_parts = _match_parts(pattern)
    if url_parts is None or pattern_parts is None or url_parts[0] != pattern_parts[0]:
        return False
    return fnmatch(url_parts[1], pattern_parts[1])


@lru_cache(maxsize=4096)
def _match_parts(url: str) -> tuple[str, str] | None:
    """(scheme, ``netloc + path``) as conda's ``urlparse`` gives them; ``None`` if unparsable."""
    try:
        parts = urlparse(url)
        return parts.scheme.lower(), _netloc(parts.hostname, parts.port) + parts.path
    except ValueError:
        return None


def conda_pick(url: str, entries: Sequence[Mapping[str, Any]], channel_alias: str) -> int | None:
    """The index of the entry conda uses for ``url``, or ``None`` (a plain session)."""
    name = canonical_name(url, channel_alias)
    if name is None:
        return None
    chosen: int | None = None
    for index, entry in enumerate(entries):
        channel = entry.get("channel", "")
        if isinstance(channel, str) and entry_matches(url, name, channel):
            chosen = index
    return chosen


def conda_auth(url: str, entries: Sequence[Mapping[str, Any]], channel_alias: str) -> str | None:
    """The ``auth`` handler name conda uses for ``url`` (``None``: a plain session)."""
    index = conda_pick(url, entries, channel_alias)
    if index is None:
        return None
    auth = entries[index].get("auth", "")
    return auth.strip() or None if isinstance(auth, str) else None


def entry_channel(pattern_text: str) -> str:
    """The ``channel:`` value that makes conda 26.7 use the entry for every URL of the
    channel ``pattern_text`` (a URL): the channel's URL followed by ``/*``.

    The canonical name (``basic`` under ``channel_alias``) or the bare URL would match
    repodata and packages but not the shard probe: conda has no ``.msgpack.zst`` file
    extension, so ``ALIAS/basic/noarch/repodata_shards.msgpack.zst`` is named
    ``basic/repodata_shards.msgpack.zst``. ``fnmatch`` of ``ALIAS/basic/*`` matches all of
    them. A pattern that already has a ``*`` is kept as written.
    """
    text = pattern_text.rstrip("/")
    if "*" in text:
        return text
    return f"{text}/*"
