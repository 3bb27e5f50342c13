"""The ``.condarc`` settings shell activation reads, from the one reader
(:mod:`plugin_contract.condarc`): conda's search path and order, ``$CONDARC`` last."""

from __future__ import annotations

from plugin_contract.condarc import SHELL_KEYS, as_bool, load

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import Any

KNOWN_KEYS = SHELL_KEYS
__all__ = ["KNOWN_KEYS", "as_bool", "read_condarc"]


def read_condarc(environ: Mapping[str, str]) -> dict[str, str | list[str]]:
    return _shell_view(load(environ).data)


def _parse(text: str) -> dict[str, str | list[str]]:
    from plugin_contract.condarc import parse_text

    return _shell_view(parse_text(text))


def _shell_view(data: Mapping[str, Any]) -> dict[str, str | list[str]]:
    settings: dict[str, str | list[str]] = {}
    for key in KNOWN_KEYS:
        value = data.get(key)
        if value is None:
            continue
        if isinstance(value, bool):
            settings[key] = "true" if value else "false"
        elif isinstance(value, (list, tuple)):
            settings[key] = [str(item) for item in value]
        else:
            settings[key] = str(value)
    return settings
