# os.path on purpose: importing pathlib costs start-up time on the activation hot path.
# ruff: noqa: PTH103, PTH105, PTH108, PTH111, PTH116, PTH118, PTH120, PTH123
# try/except, not contextlib.suppress: contextlib is not loaded at start-up under `python -S`.
# ruff: noqa: SIM105
"""Entry points without scanning every installed distribution on each call.

``importlib.metadata`` reads the metadata of every distribution to list one group. Hot paths
(shell activation) instead read a small cache file keyed by a fingerprint of the import path:
every ``sys.path`` folder with its modification time. Installing, upgrading or removing a
distribution adds or removes a ``*.dist-info`` folder, which changes its folder's time, so the
cache rebuilds itself. The cache lives in ``$PLUGIN_CONTRACT_CACHE_DIR`` or
``$XDG_CACHE_HOME/plugin-contract`` (default ``~/.cache/plugin-contract``); when it cannot be
written, discovery still works, only slower.

Rows are lists of strings; the cache stores them one per line, fields tab-separated, with
backslash escapes for tab, newline and backslash.
"""

from __future__ import annotations

import os
import sys

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable

FORMAT = "plugin-contract-cache-1"


def cache_dir() -> str:
    configured = os.environ.get("PLUGIN_CONTRACT_CACHE_DIR")
    if configured:
        return configured
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "plugin-contract")


def fingerprint() -> str:
    """The interpreter, and each import-path folder with its modification time."""
    parts = [FORMAT, sys.executable, sys.prefix]
    for entry in sys.path:
        try:
            parts.append(f"{entry}@{os.stat(entry or '.').st_mtime_ns}")
        except OSError:
            parts.append(f"{entry}@-")
    return "\x1f".join(parts)


def cached_rows(key: str, build: Callable[[], list[list[str]]]) -> list[list[str]]:
    """Rows for ``key`` from the cache when the fingerprint matches, else ``build()`` them."""
    mark = fingerprint()
    path = os.path.join(cache_dir(), f"{key}-{_digest(mark)}.tsv")
    rows = _read(path, mark)
    if rows is not None:
        return rows
    rows = build()
    _write(path, mark, rows)
    return rows


def forget(key: str) -> None:
    """Drop the cache of ``key`` (used when a cached location no longer imports)."""
    path = os.path.join(cache_dir(), f"{key}-{_digest(fingerprint())}.tsv")
    try:
        os.unlink(path)
    except OSError:
        pass


def _digest(text: str) -> str:
    value = 0xCBF29CE484222325
    for byte in text.encode("utf-8", "surrogateescape"):
        value = ((value ^ byte) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return f"{value:016x}"


def _read(path: str, mark: str) -> list[list[str]] | None:
    try:
        with open(path, encoding="utf-8", errors="surrogateescape") as handle:
            lines = handle.read().split("\n")
    except OSError:
        return None
    if not lines or lines[0] != _escape(mark):
        return None
    return [[_unescape(field) for field in line.split("\t")] for line in lines[1:] if line]


def _write(path: str, mark: str, rows: list[list[str]]) -> None:
    text = "\n".join([_escape(mark), *("\t".join(_escape(f) for f in row) for row in rows)])
    temporary = f"{path}.{os.getpid()}.tmp"
    try:
        os.makedirs(os.path.dirname(path), mode=0o700, exist_ok=True)
        with open(temporary, "w", encoding="utf-8", errors="surrogateescape") as handle:
            handle.write(text + "\n")
        os.replace(temporary, path)
    except OSError:
        try:
            os.unlink(temporary)
        except OSError:
            pass


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")


def _unescape(text: str) -> str:
    out: list[str] = []
    chars = iter(text)
    for char in chars:
        if char == "\\":
            following = next(chars, "")
            out.append({"t": "\t", "n": "\n"}.get(following, following))
        else:
            out.append(char)
    return "".join(out)


def entry_point_rows(group: str) -> list[list[str]]:
    """``[name, value, distribution, version]`` for each entry point of ``group``, cached."""

    def build() -> list[list[str]]:
        from plugin_contract.plugins import group_entry_points

        rows = []
        for point in group_entry_points(group):
            dist = point.dist
            rows.append(
                [
                    point.name,
                    point.value,
                    (dist.metadata["Name"] or dist.name) if dist else "unknown",
                    dist.version if dist else "unknown",
                ]
            )
        return rows

    return cached_rows(f"entry-points-{group}", build)
