"""The installed shell plugins, found through the cached ``conda`` entry points.

Building the cache imports every ``conda`` plugin module once and calls its
``conda_shell_plugins`` hookimpl. For each :class:`CondaShellPlugins` it records the plugin's
name, summary, executables and where the object lives (``module:attribute``), so activation
later imports just that one light module: no pluggy, no other plugin.
"""

from __future__ import annotations

import sys

from plugin_contract import discovery
from plugin_contract.errors import PluginError
from plugin_contract.shell.types import CondaShellPlugins

CACHE_KEY = "conda-shell-plugins"
ENTRY_POINT_GROUP = "conda"
HOOK = "conda_shell_plugins"


class ShellPluginRow:
    """One installed shell plugin as the cache knows it, loadable on demand."""

    __slots__ = ("distribution", "entry_point", "executables", "locator", "name", "summary")

    def __init__(self, fields: list[str]) -> None:
        self.name, self.summary, executables, self.locator, self.entry_point = fields[:5]
        self.distribution = fields[5] if len(fields) > 5 else "unknown"
        self.executables = tuple(e for e in executables.split(",") if e)

    def load(self) -> CondaShellPlugins:
        module_name, _, attribute = self.locator.partition(":")
        __import__(module_name)
        found: object = sys.modules[module_name]
        for part in attribute.split("."):
            found = getattr(found, part)
        if not isinstance(found, CondaShellPlugins) or found.name != self.name:
            raise LookupError(self.locator)
        return found


def installed_rows() -> list[ShellPluginRow]:
    return [ShellPluginRow(row) for row in discovery.cached_rows(CACHE_KEY, _build_rows)]


def load_plugin(name: str) -> CondaShellPlugins:
    """The installed plugin called ``name``; the caller checked it is in :func:`installed_rows`."""
    for attempt in range(2):
        for row in installed_rows():
            if row.name == name:
                try:
                    return row.load()
                except (ImportError, AttributeError, LookupError):
                    if attempt:
                        raise
        discovery.forget(CACHE_KEY)
    raise PluginError(f"shell plugin {name!r} is not installed")


def _build_rows() -> list[list[str]]:
    """Ask the plugin manager (the one loading path and broken-plugin policy) for the shells."""
    from plugin_contract.conda.manager import get_plugin_manager
    from plugin_contract.plugins import check_claims

    manager = get_plugin_manager()
    infos = {info.name: info for info in manager.plugin_infos}
    rows: list[list[str]] = []
    names: list[tuple[str, str]] = []
    programs: list[tuple[str, str]] = []
    for impl in getattr(manager.hook, HOOK).get_hookimpls():
        point = manager.get_name(impl.plugin) or repr(impl.plugin)
        info = infos.get(point)
        for shell in impl.function() or ():
            if not isinstance(shell, CondaShellPlugins):
                raise PluginError(
                    f"plugin {point!r} yielded {type(shell).__name__} from {HOOK}; "
                    "expected CondaShellPlugins"
                )
            names.append((shell.name, point))
            programs += [(program, point) for program in shell.executables]
            rows.append(
                [
                    shell.name,
                    shell.summary,
                    ",".join(shell.executables),
                    _locate(shell),
                    point,
                    info.distribution if info else "unknown",
                ]
            )
    check_claims(names, "shell")
    check_claims(programs, "shell program")
    return sorted(rows, key=lambda row: row[4])


def _locate(shell: CondaShellPlugins) -> str:
    """``module:attribute`` of ``shell``: a module-level constant of the module that defines
    its ``quote`` function (so activation imports that one module, no plugin manager)."""
    module_name = getattr(shell.quote, "__module__", None) or ""
    for attribute, value in vars(sys.modules.get(module_name) or object()).items():
        if value is shell:
            return f"{module_name}:{attribute}"
    raise PluginError(
        f"shell plugin {shell.name!r} must be a module-level constant of {module_name!r}, the "
        "module defining its quote function, so that conda-shell can load it alone"
    )
