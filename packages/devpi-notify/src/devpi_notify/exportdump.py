"""Remove devpi-notify's index keys from a ``devpi-export`` dump: the uninstall path.

devpi-import keeps unknown index keys (``_keep_unknown``), and devpi-server alone then refuses
a full-config update of such an index with HTTP 400. A dump without the keys imports into a
server without devpi-notify as if the plugin had never been there.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

INDEX_KEY_PREFIX = "notify_"


class DumpError(Exception):
    pass


def strip_index_keys(dump_dir: str | Path) -> int:
    """Drop every ``notify_*`` key of every index in ``dump_dir``; returns how many."""
    path = Path(dump_dir).expanduser() / "dataindex.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        indexes = data["indexes"]
    except FileNotFoundError:
        raise DumpError(f"{str(path)!r} not found: is this a devpi-export directory?") from None
    except (ValueError, KeyError, TypeError):
        raise DumpError(f"{str(path)!r} is not a devpi-export index file") from None
    removed = 0
    for entry in indexes.values():
        config = entry.get("indexconfig", {})
        for key in [key for key in config if str(key).startswith(INDEX_KEY_PREFIX)]:
            del config[key]
            removed += 1
    if removed:
        _write_atomically(path, json.dumps(data, indent=2))
    return removed


def _write_atomically(path: Path, text: str) -> None:
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".dataindex-")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        Path(temporary).replace(path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
