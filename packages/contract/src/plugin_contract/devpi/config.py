"""YAML configuration files for devpi-server plugins: one clear error line on bad input."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from plugin_contract.errors import ConfigError
from plugin_contract.redaction import redact_nested

REDACTED = "***"


def load_yaml_config(path: str | Path, *, top_key: str | None = None) -> dict[str, Any]:
    """Load a YAML mapping from ``path``; with ``top_key``, unwrap it when present.

    Read through :func:`plugin_contract.files.read_text` (a regular file, at most 1 MiB: a
    FIFO or device is refused, never waited on) and :mod:`plugin_contract.safe_yaml` (depth,
    alias and duplicate-key limits). Raises :class:`ConfigError` with the path and the problem.
    """
    from plugin_contract import safe_yaml
    from plugin_contract.files import read_text

    file = Path(path).expanduser()
    where = f"config file {str(file)!r}"
    text = read_text(file, what="config file")
    data = safe_yaml.load(text, where)
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(f"{where} must hold a mapping of settings, not {type(data).__name__}")
    if top_key is not None and top_key in data:
        inner = data[top_key]
        if not isinstance(inner, dict):
            raise ConfigError(f"{where}: {top_key!r} must hold a mapping")
        return dict(inner)
    return dict(data)


def redacted(value: Any) -> Any:
    """A copy of ``value`` with every secret-looking key's value replaced by ``***``
    (the one policy: :func:`plugin_contract.redaction.redact_nested`)."""
    return redact_nested(value, REDACTED)
