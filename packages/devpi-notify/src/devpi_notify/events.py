"""What changed on the server, as an event: its id, its payload, and who wants it."""

from __future__ import annotations

import fnmatch
import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any
from urllib.parse import quote

from devpi_notify.config import EVENT_TYPES

SCHEMA_VERSION = 1


@dataclass(frozen=True)
class Change:
    """One change seen by a devpi-server event hook at transaction ``serial``."""

    event_type: str
    index: str
    serial: int
    path: str
    project: str | None = None
    version: str | None = None
    filename: str | None = None
    sha256: str | None = None
    size: int | None = None
    uploader: str | None = None
    pushed_by: str | None = None
    source_index: str | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)

    @property
    def event_id(self) -> str:
        """Same serial, index, type and path → same id: devpi's replays deduplicate."""
        material = f"{self.serial}\x00{self.index}\x00{self.event_type}\x00{self.path}"
        return hashlib.sha256(material.encode("utf-8")).hexdigest()[:32]

    @property
    def ordering_key(self) -> str:
        return f"{self.index}/{self.project or ''}"


def event_payload(change: Change, base_url: str, now: float) -> dict[str, Any]:
    """The JSON document sent to targets (CloudEvents ``data`` for webhooks)."""
    base = base_url.rstrip("/")
    urls: dict[str, str] = {"index": f"{base}/{change.index}"}
    if change.project:
        urls["project"] = f"{urls['index']}/{quote(change.project)}"
        if change.version:
            urls["version"] = f"{urls['project']}/{quote(change.version)}"
    if change.filename and change.event_type != "file_removed":
        urls["file"] = f"{base}/{quote(change.path)}"
    payload: dict[str, Any] = {
        "schema": SCHEMA_VERSION,
        "id": change.event_id,
        "event": change.event_type,
        "time": datetime.fromtimestamp(now, tz=timezone.utc).isoformat().replace("+00:00", "Z"),
        "index": change.index,
        "project": change.project,
        "version": change.version,
        "serial": change.serial,
        "uploader": change.uploader,
        "urls": urls,
    }
    if change.filename:
        payload["file"] = {
            "name": change.filename,
            "sha256": change.sha256,
            "size": change.size,
            "path": change.path,
        }
    if change.pushed_by or change.source_index:
        payload["push"] = {"by": change.pushed_by, "from": change.source_index}
    return payload


@dataclass(frozen=True)
class IndexSubscription:
    """An index's opt-in (``notify_targets``) and its optional filters."""

    targets: tuple[str, ...]
    events: tuple[str, ...] = ()
    projects: tuple[str, ...] = ()

    @classmethod
    def from_ixconfig(cls, ixconfig: Mapping[str, Any]) -> IndexSubscription:
        return cls(
            targets=_names(ixconfig.get("notify_targets")),
            events=_names(ixconfig.get("notify_events")),
            projects=_names(ixconfig.get("notify_projects")),
        )

    def wants(self, event_type: str, project: str | None) -> bool:
        if not self.targets:
            return False
        if self.events and event_type not in self.events:
            return False
        if self.projects and project is not None:
            return any(fnmatch.fnmatchcase(project, pattern) for pattern in self.projects)
        return True

    def unknown_events(self) -> list[str]:
        return [name for name in self.events if name not in EVENT_TYPES]


def _names(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        value = value.split(",")
    if not isinstance(value, Iterable):
        return ()
    return tuple(str(item).strip() for item in value if str(item).strip())


def uploader_from_logs(
    logs: Iterable[Mapping[str, Any]],
) -> tuple[str | None, str | None, str | None]:
    """(uploader, pusher, source index) from a link's log entries."""
    uploader = pusher = source = None
    for entry in logs:
        what = entry.get("what")
        if what == "upload" and uploader is None:
            uploader = _who(entry)
        elif what == "push":
            pusher = _who(entry)
            source = entry.get("src")
    return uploader, pusher, source


def _who(entry: Mapping[str, Any]) -> str | None:
    who = entry.get("who")
    return None if who is None else str(who)
