"""The events of one project version at one devpi transaction serial, in their defined order.

devpi-server calls a hook per changed key: ``devpiserver_on_changed_versiondata`` for the
version's metadata (which also changes when a file link is added or removed) and
``devpiserver_on_upload`` / ``devpiserver_on_remove_file`` per file, in no fixed order.
Every hook derives the same complete, ordered list from the metadata before and after the
serial; the outbox appends it in one transaction and ignores ids it holds already, so the
rows are in the defined order whichever hook ran first, and one event per change results.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from devpi_notify.events import Change, uploader_from_logs

FILE_RELS = ("releasefile", "doczip")
EVENT_ORDER = (
    "version_created",
    "version_changed",
    "file_uploaded",
    "file_pushed",
    "docs_uploaded",
    "file_removed",
    "version_deleted",
)


def metadata_changed(old: Mapping[str, Any], new: Mapping[str, Any]) -> bool:
    """Did the version's own metadata change? Links (``+elinks``) are files, not metadata."""
    return _own_metadata(old) != _own_metadata(new)


def _own_metadata(metadata: Mapping[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in metadata.items() if not str(key).startswith("+")}


def link_paths(metadata: Mapping[str, Any]) -> list[str]:
    return [
        str(link["entrypath"])
        for link in metadata.get("+elinks", ())
        if link.get("rel") in FILE_RELS and link.get("entrypath")
    ]


def version_event_type(old: Mapping[str, Any], new: Mapping[str, Any]) -> str | None:
    if not old and new:
        return "version_created"
    if old and not new:
        return "version_deleted"
    if old and new and metadata_changed(old, new):
        return "version_changed"
    return None


def ordered(changes: Sequence[Change]) -> list[Change]:
    return sorted(changes, key=lambda change: EVENT_ORDER.index(change.event_type))


def no_serial_user(serial: int) -> str | None:
    return None


def changes_at_serial(
    stage: Any,
    project: str,
    version: str,
    serial_user: Callable[[int], str | None] = no_serial_user,
) -> list[Change]:
    """All events of ``project`` ``version`` at the serial of the current read transaction.

    A version event's uploader is that of the files added in the serial, else
    ``serial_user(serial)``: who made the serial, as the writing request recorded it."""
    tx = stage.keyfs.tx
    serial = int(tx.at_serial)
    key = stage.key_projversion(project, version)
    new = _value_at(tx, key, serial)
    old = _value_at(tx, key, serial - 1) if serial > 0 else {}
    old_paths = set(link_paths(old))
    new_paths = set(link_paths(new))
    file_changes = [
        change
        for change in (
            _added_file_change(stage, project, version, path, serial)
            for path in link_paths(new)
            if path not in old_paths
        )
        if change is not None
    ]
    file_changes += [
        removed_file_change(stage.name, serial, path, serial_user(serial))
        for path in link_paths(old)
        if path not in new_paths
    ]
    event_type = version_event_type(old, new)
    if event_type is not None:
        uploader = next((c.uploader for c in file_changes if c.uploader), None)
        if uploader is None:
            uploader = serial_user(serial)
        file_changes.append(
            Change(
                event_type=event_type,
                index=stage.name,
                serial=serial,
                path=f"{project}/{version}",
                project=project,
                version=version,
                uploader=uploader,
            )
        )
    return ordered(file_changes)


def _value_at(tx: Any, key: Any, serial: int) -> Mapping[str, Any]:
    try:
        value = tx.get_value_at(key, serial)
    except KeyError:
        return {}
    return value if isinstance(value, Mapping) else {}


def _added_file_change(
    stage: Any, project: str, version: str, entrypath: str, serial: int
) -> Change | None:
    links = stage.get_linkstore_perstage(project, version).get_links(entrypath=entrypath)
    if len(links) != 1:
        return None
    link = links[0]
    entry = link.entry
    if not entry.file_exists():
        return None  # a history replay of a file deleted since
    uploader, pusher, source = uploader_from_logs(link.get_logs())
    if link.rel == "doczip":
        event_type = "docs_uploaded"
    elif pusher is not None:
        event_type = "file_pushed"
    else:
        event_type = "file_uploaded"
    return Change(
        event_type=event_type,
        index=stage.name,
        serial=serial,
        path=str(link.relpath),
        project=project,
        version=version,
        filename=link.basename,
        sha256=link.hashes.get("sha256"),
        size=_size(entry),
        uploader=uploader or pusher,
        pushed_by=pusher,
        source_index=source,
    )


def removed_file_change(
    index: str, serial: int, relpath: str, remover: str | None = None
) -> Change:
    """``remover``: who made the serial that removed the file, if the writing request
    recorded it (the ``uploader`` field of a ``file_removed`` event)."""
    filename = relpath.rsplit("/", 1)[-1]
    project, version = _split_filename(filename)
    return Change(
        event_type="file_removed",
        index=index,
        serial=serial,
        path=relpath,
        project=project,
        version=version,
        filename=filename,
        uploader=remover,
    )


def _size(entry: Any) -> int | None:
    try:
        size = entry.file_size()
    except Exception:
        return None
    return None if size is None else int(size)


def _split_filename(filename: str) -> tuple[str | None, str | None]:
    from devpi_common.metadata import splitbasename
    from devpi_common.validation import normalize_name

    try:
        name, version, _ = splitbasename(filename, checkarch=False)  # type: ignore[no-untyped-call]
    except Exception:
        return None, None
    return str(normalize_name(name)), str(version)  # type: ignore[no-untyped-call]
