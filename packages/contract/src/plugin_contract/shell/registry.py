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
    from plugin_contract.plugins import group_entry_points

    rows: list[list[str]] = []
    seen: dict[str, str] = {}
    for point in group_entry_points(ENTRY_POINT_GROUP):
        try:
            plugin = point.load()
        except Exception as error:  # a broken unrelated plugin must not break every shell
            print(
                f"conda-shell: warning: skipping plugin {point.name!r}: "
                f"{type(error).__name__}: {error}",
                file=sys.stderr,
            )
            continue
        hook = getattr(plugin, HOOK, None)
        if hook is None or not callable(hook):
            continue
        dist = point.dist
        dist_name = (dist.metadata["Name"] or dist.name) if dist else "unknown"
        for shell in hook() or ():
            if not isinstance(shell, CondaShellPlugins):
                raise PluginError(
                    f"plugin {point.name!r} yielded {type(shell).__name__} from {HOOK}; "
                    "expected CondaShellPlugins"
                )
            if shell.name in seen:
                raise PluginError(
                    f"shell plugin name {shell.name!r} is registered by both "
                    f"{seen[shell.name]!r} and {point.name!r}; uninstall one"
                )
            seen[shell.name] = point.name
            rows.append(
                [
                    shell.name,
                    shell.summary,
                    ",".join(shell.executables),
                    _locate(shell, point.value.partition(":")[0]),
                    point.name,
                    dist_name,
                ]
            )
    return rows


def _locate(shell: CondaShellPlugins, plugin_module: str) -> str:
    """``module:attribute`` where ``shell`` is a module-level constant of the plugin's package.

    The module defining the plugin's functions comes first, then any other module of the
    package, the hookimpl module (which imports the plugin manager) last.
    """
    package = plugin_module.split(".")[0]
    defining = getattr(shell.quote, "__module__", None) or ""
    candidates = sorted(
        name
        for name, module in sys.modules.items()
        if module is not None and (name == package or name.startswith(package + "."))
    )
    candidates.sort(key=lambda name: (name != defining, name == plugin_module))
    for module_name in candidates:
        for attribute, value in vars(sys.modules[module_name]).items():
            if value is shell:
                return f"{module_name}:{attribute}"
    raise PluginError(
        f"shell plugin {shell.name!r} must be a module-level constant of package {package!r} "
        "so that conda-shell can load it without the plugin manager"
    )
