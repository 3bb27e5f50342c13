"""Which ``channel_settings`` entry conda 26.7 picks for a URL (``get_session`` in
``conda/gateways/connection/session.py``), so ``which``/``status`` can say what conda will do.

conda walks every entry and the **last** one that matches wins. An entry matches when its
``channel`` equals the URL's canonical channel name (under ``channel_alias`` that is the short
name, ``basic``), or when the scheme is identical and ``fnmatch(netloc + path, pattern)``
(``*`` crosses ``/``). A URL pattern without ``*`` therefore matches one URL only.
"""

from __future__ import annotations

import re
from fnmatch import fnmatch
from urllib.parse import urlsplit

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence
    from typing import Any

_SUBDIR = re.compile(r"^(noarch|[a-z0-9]+-[a-z0-9_]+)$")


def canonical_name(url: str, channel_alias: str) -> str:
    """conda's ``Channel.from_url(url).canonical_name``, for the cases our channels use."""
    parts = urlsplit(url)
    segments = [seg for seg in parts.path.split("/") if seg]
    if segments and "." in segments[-1]:
        segments = segments[:-1]  # repodata.json, repodata_shards.msgpack.zst, a package
    if segments and _SUBDIR.match(segments[-1]):
        segments = segments[:-1]
    base = f"{parts.scheme}://{parts.netloc}"
    alias = urlsplit(channel_alias.rstrip("/"))
    alias_segments = [seg for seg in alias.path.split("/") if seg]
    if (
        (parts.scheme, parts.netloc) == (alias.scheme, alias.netloc)
        and segments[: len(alias_segments)] == alias_segments
        and len(segments) > len(alias_segments)
    ):
        return "/".join(segments[len(alias_segments) :])
    return base + ("/" + "/".join(segments) if segments else "")


def conda_pick(url: str, entries: Sequence[Mapping[str, Any]], channel_alias: str) -> int | None:
    """The index of the entry conda uses for ``url``, or ``None`` (a plain session)."""
    name = canonical_name(url, channel_alias)
    parsed = urlsplit(url)
    chosen: int | None = None
    for index, entry in enumerate(entries):
        channel = str(entry.get("channel", ""))
        if channel == name:
            chosen = index
            continue
        pattern = urlsplit(channel)
        if pattern.scheme != parsed.scheme:
            continue
        if fnmatch(parsed.netloc + parsed.path, pattern.netloc + pattern.path):
            chosen = index
    return chosen


def entry_channel(pattern_text: str, channel_alias: str) -> str:
    """The ``channel:`` value conda 26.7 matches for the channel ``pattern_text`` (a URL).

    Under ``channel_alias`` conda compares entries with the canonical (short) name, so
    ``http://alias/basic`` is written as ``basic``; a URL outside the alias is its own
    canonical name, and a ``*`` pattern is matched by ``fnmatch`` as written.
    """
    text = pattern_text.rstrip("/")
    alias = channel_alias.rstrip("/")
    if "*" in text or not text.startswith(alias + "/"):
        return text
    return text[len(alias) + 1 :].strip("/") or text
