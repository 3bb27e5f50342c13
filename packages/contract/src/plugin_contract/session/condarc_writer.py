"""Add or remove one ``channel_settings`` entry in the user condarc, atomically."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from plugin_contract.errors import ConfigError
from plugin_contract.session.channels import ChannelPattern


def _load(path: Path) -> dict[str, Any]:
    import yaml

    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except OSError as error:
        raise ConfigError(f"cannot read {path}: {error.strerror}") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError:
        raise ConfigError(f"{path}: not valid YAML; fix it before logging in") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: the top level must be a mapping")
    return data


def _save(path: Path, data: Mapping[str, Any]) -> None:
    import yaml

    path.parent.mkdir(parents=True, exist_ok=True)
    mode = path.stat().st_mode & 0o777 if path.exists() else 0o644
    handle, temp = tempfile.mkstemp(prefix=".condarc.", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            yaml.safe_dump(dict(data), out, sort_keys=False, default_flow_style=False)
        Path(temp).chmod(mode)
        Path(temp).replace(path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def _same_channel(item: Any, pattern: ChannelPattern, alias: str) -> bool:
    if not isinstance(item, Mapping) or "channel" not in item:
        return False
    try:
        return ChannelPattern.parse(str(item["channel"]), alias) == pattern
    except ConfigError:
        return False


def upsert_channel_entry(
    path: Path,
    pattern: ChannelPattern,
    entry: Mapping[str, str],
    alias: str,
    channel_text: str | None = None,
) -> Mapping[str, Any]:
    """Replace any entry for ``pattern`` with ``entry``; return the file's previous content.

    ``channel_text`` is what to write as ``channel:`` (default: the pattern as written).
    """
    data = _load(path)
    previous = dict(data)
    settings = [
        item
        for item in list(data.get("channel_settings") or [])
        if not _same_channel(item, pattern, alias)
    ]
    settings.append({"channel": channel_text or pattern.text, **entry})
    data["channel_settings"] = settings
    _save(path, data)
    return previous


def remove_channel_entry(path: Path, pattern: ChannelPattern, alias: str) -> bool:
    """Remove entries for ``pattern`` from ``channel_settings``; return whether any was."""
    data = _load(path)
    before = list(data.get("channel_settings") or [])
    after = [item for item in before if not _same_channel(item, pattern, alias)]
    if len(after) == len(before):
        return False
    if after:
        data["channel_settings"] = after
    else:
        data.pop("channel_settings", None)
    _save(path, data)
    return True


def restore(path: Path, previous: Mapping[str, Any]) -> None:
    """Put back what :func:`upsert_channel_entry` replaced (rollback)."""
    if previous:
        _save(path, previous)
    else:
        path.unlink(missing_ok=True)
