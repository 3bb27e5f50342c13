"""The URL facts every session's credential scoping relies on, decided one way.

- :func:`is_loopback_host`: a literal loopback address (``ipaddress``) or ``localhost``
  exactly; never a name that merely starts with ``127.``;
- :func:`path_segments`: the path as a server sees it, percent-encoded separators and dot
  segments (``..%2F``, ``..%5C``, ``%2e%2e``) decoded before it is split;
- :func:`is_followable_redirect`: a redirect may only lead to ``http``/``https``.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import unquote

REDIRECT_SCHEMES = frozenset({"http", "https"})
_DECODE_ROUNDS = 4


def is_loopback_host(host: str | None) -> bool:
    """Whether ``host`` is ``localhost`` or a literal loopback IP address."""
    if not host:
        return False
    name = host.strip("[]").lower()
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name.split("%", 1)[0]).is_loopback
    except ValueError:
        return False


def decoded_path(path: str) -> str:
    """``path`` percent-decoded until stable (bounded), with ``\\`` read as ``/``."""
    for _ in range(_DECODE_ROUNDS):
        decoded = unquote(path)
        if decoded == path:
            break
        path = decoded
    return path.replace("\\", "/")


def path_segments(path: str) -> tuple[str, ...] | None:
    """The path's segments as a server resolves them, or ``None`` if it climbs (``..``)."""
    segments = tuple(seg for seg in decoded_path(path).split("/") if seg and seg != ".")
    if ".." in segments:
        return None
    return segments


def is_followable_redirect(url: str) -> bool:
    """A remote response may only redirect to ``http://`` or ``https://``."""
    scheme, sep, _ = url.partition(":")
    return bool(sep) and scheme.lower() in REDIRECT_SCHEMES
