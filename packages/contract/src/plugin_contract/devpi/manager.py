"""Load devpi-server plugins the way devpi-server does, with the contract's checks."""

from __future__ import annotations

from types import ModuleType

import pluggy

from plugin_contract.devpi.markers import ENTRY_POINT_GROUP, PROJECT_NAME
from plugin_contract.plugins import PluginInfo, load_entry_points, verify_hookimpls


def load_devpi_plugins() -> tuple[pluggy.PluginManager, list[PluginInfo]]:
    """Load the ``devpi_server`` entry points against devpi-server's own hookspecs.

    Without devpi-server installed there are no specs to check against: the plugins are
    loaded and listed, and hookimpl checking is left to the host.
    """
    manager = pluggy.PluginManager(PROJECT_NAME)
    hookspecs: ModuleType | None
    try:
        from devpi_server import hookspecs
    except ImportError:
        hookspecs = None
    if hookspecs is not None:
        manager.add_hookspecs(hookspecs)
    infos = load_entry_points(manager, ENTRY_POINT_GROUP)
    if hookspecs is not None:
        verify_hookimpls(manager)
    return manager, [info for info in infos if manager.has_plugin(info.name)]
