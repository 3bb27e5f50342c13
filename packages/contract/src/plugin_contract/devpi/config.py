"""YAML configuration files for devpi-server plugins: one clear error line on bad input."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from plugin_contract.errors import ConfigError

SECRET_WORDS = ("password", "secret", "token", "credential", "passwd", "apikey", "api_key")
REDACTED = "***"


def load_yaml_config(path: str | Path, *, top_key: str | None = None) -> dict[str, Any]:
    """Load a YAML mapping from ``path``; with ``top_key``, unwrap it when present.

    Raises :class:`ConfigError` with the path and the problem on a missing file, a YAML
    syntax error or a document that is not a mapping.
    """
    import yaml  # the plugin-contract[devpi] extra; only plugins that read YAML pay for it

    file = Path(path).expanduser()
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as error:
        raise ConfigError(
            f"cannot read config file {str(file)!r}: {error.strerror or error}"
        ) from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(error, "problem", None) or "invalid YAML"
        raise ConfigError(f"config file {str(file)!r}: {problem}{where}") from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(
            f"config file {str(file)!r} must hold a mapping of settings, not {type(data).__name__}"
        )
    if top_key is not None and top_key in data:
        inner = data[top_key]
        if not isinstance(inner, dict):
            raise ConfigError(f"config file {str(file)!r}: {top_key!r} must hold a mapping")
        return dict(inner)
    return dict(data)


def redacted(value: Any) -> Any:
    """A copy of ``value`` with every secret-looking key's value replaced by ``***``."""
    if isinstance(value, Mapping):
        return {
            key: (REDACTED if _looks_secret(str(key)) and val not in (None, "") else redacted(val))
            for key, val in value.items()
        }
    if isinstance(value, list | tuple):
        return [redacted(item) for item in value]
    return value


def _looks_secret(key: str) -> bool:
    lowered = key.lower()
    if lowered.endswith(("_env", "_file")):
        return False
    return any(word in lowered for word in SECRET_WORDS)
