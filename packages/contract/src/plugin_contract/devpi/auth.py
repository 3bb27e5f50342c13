"""The result of ``devpiserver_auth_request``: ``None`` (not ours), ok with groups, or reject."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal, TypedDict


class AuthResult(TypedDict, total=False):
    """What devpi-server expects back from an auth plugin."""

    status: Literal["ok", "reject", "unknown"]
    groups: list[str]


def auth_ok(groups: Iterable[str] = ()) -> AuthResult:
    """The user is authenticated and belongs to ``groups`` (sorted, without duplicates)."""
    return {"status": "ok", "groups": sorted(set(groups))}


def auth_reject() -> AuthResult:
    """The user is known to this plugin and must not be authenticated by any other."""
    return {"status": "reject"}
