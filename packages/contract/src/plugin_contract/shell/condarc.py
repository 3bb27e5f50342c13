# os.path on purpose: importing pathlib costs start-up time on the activation hot path.
# ruff: noqa: PTH111, PTH118, PTH123
"""The few ``.condarc`` settings shell activation reads, without importing a YAML library.

Only top-level ``key: scalar`` and ``key:`` followed by ``- item`` lines are understood; that
covers ``shell_plugin``, ``changeps1``, ``envs_dirs`` and ``root_prefix``. Files are read in
conda's order and later files win; ``$CONDARC`` is read last.
"""

from __future__ import annotations

import os

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping

KNOWN_KEYS = (
    "shell_plugin",
    "changeps1",
    "envs_dirs",
    "root_prefix",
    "auto_stack",
    "env_prompt",
    "envvars_force_uppercase",
)


def condarc_paths(environ: Mapping[str, str]) -> list[str]:
    home = environ.get("HOME") or os.path.expanduser("~")
    xdg = environ.get("XDG_CONFIG_HOME") or os.path.join(home, ".config")
    paths = [
        "/etc/conda/.condarc",
        "/etc/conda/condarc",
        os.path.join(xdg, "conda", ".condarc"),
        os.path.join(xdg, "conda", "condarc"),
        os.path.join(home, ".conda", ".condarc"),
        os.path.join(home, ".conda", "condarc"),
        os.path.join(home, ".condarc"),
    ]
    if environ.get("CONDARC"):
        paths.append(environ["CONDARC"])
    return paths


def read_condarc(environ: Mapping[str, str]) -> dict[str, str | list[str]]:
    settings: dict[str, str | list[str]] = {}
    for path in condarc_paths(environ):
        try:
            with open(path, encoding="utf-8") as handle:
                text = handle.read()
        except (OSError, UnicodeDecodeError):
            continue
        settings.update(_parse(text))
    return settings


def _parse(text: str) -> dict[str, str | list[str]]:
    found: dict[str, str | list[str]] = {}
    current_list: list[str] | None = None
    for raw in text.splitlines():
        line = raw.split(" #", 1)[0].rstrip()
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if line[0] in " \t-":
            item = line.strip()
            if current_list is not None and item.startswith("-"):
                current_list.append(_scalar(item[1:]))
            continue
        current_list = None
        key, colon, value = line.partition(":")
        key = key.strip()
        if not colon or key not in KNOWN_KEYS:
            continue
        if value.strip():
            found[key] = _scalar(value)
        else:
            current_list = []
            found[key] = current_list
    return found


def _scalar(value: str) -> str:
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        return value[1:-1]
    return value


def as_bool(value: str | list[str] | None, default: bool) -> bool:
    if not isinstance(value, str) or not value:
        return default
    return value.strip().lower() not in {"false", "no", "off", "0"}
