"""Refuse index settings naming unknown targets or events, before devpi stores them.

A pyramid tween: ``PUT`` and ``PATCH`` on ``/<user>/<index>`` whose JSON body sets
``notify_targets`` or ``notify_events`` are checked against ``--notify-config``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from devpi_notify.config import EVENT_TYPES

CHECKED_KEYS = {"notify_targets": "target", "notify_events": "event"}


def requested_values(body: Any) -> dict[str, list[str]]:
    """The names an index request sets or adds, per checked key."""
    found: dict[str, list[str]] = {}
    if isinstance(body, Mapping):
        if body.get("type") == "indexconfig" and isinstance(body.get("result"), Mapping):
            body = body["result"]
        for key in CHECKED_KEYS:
            if key in body:
                found.setdefault(key, []).extend(_split(body[key]))
    elif isinstance(body, list):
        for item in body:
            if not isinstance(item, str):
                continue
            key, _, value = item.partition("=")
            if key.endswith("-"):
                continue
            key = key.rstrip("+")
            if key in CHECKED_KEYS:
                found.setdefault(key, []).extend(_split(value))
    return found


def _split(value: Any) -> list[str]:
    if isinstance(value, str):
        items: Iterable[Any] = value.split(",")
    elif isinstance(value, list | tuple):
        items = value
    else:
        return []
    return [str(item).strip() for item in items if str(item).strip()]


def problem(body: Any, targets: Iterable[str]) -> str | None:
    known = {"notify_targets": sorted(targets), "notify_events": list(EVENT_TYPES)}
    for key, names in requested_values(body).items():
        unknown = [name for name in names if name not in known[key]]
        if unknown:
            kind = CHECKED_KEYS[key]
            return (
                f"devpi-notify: unknown {kind}(s) {', '.join(unknown)} in {key}; "
                f"known: {', '.join(known[key]) or '(none)'}"
            )
    return None


def is_index_path(path: str) -> bool:
    parts = [part for part in path.split("/") if part]
    return len(parts) == 2 and not any(part.startswith("+") for part in parts)


def make_tween(handler: Callable[[Any], Any], targets: Iterable[str]) -> Callable[[Any], Any]:
    names = sorted(targets)

    def check_index_config(request: Any) -> Any:
        if request.method in ("PUT", "PATCH") and is_index_path(request.path):
            try:
                body = json.loads(request.body or b"null")
            except ValueError:
                return handler(request)  # devpi answers malformed JSON itself
            message = problem(body, names)
            if message is not None:
                from pyramid.response import Response

                return Response(
                    body=json.dumps({"message": message}).encode(),
                    status=400,
                    content_type="application/json",
                )
        return handler(request)

    return check_index_config
