"""The conda side of the contract: markers, hook specifications, hook types, plugin manager.

The hook specifications are in :mod:`plugin_contract.conda.hookspecs`; a plugin marks its
implementations with :data:`hookimpl` and returns the types below from them.
"""

from plugin_contract.conda.manager import ContractPluginManager, PluginInfo, get_plugin_manager
from plugin_contract.conda.markers import ENTRY_POINT_GROUP, PROJECT_NAME, hookimpl, hookspec
from plugin_contract.session.types import CondaBeforeAction, CondaSessionClass
from plugin_contract.shell.types import CondaShellPlugins

__all__ = [
    "ENTRY_POINT_GROUP",
    "PROJECT_NAME",
    "CondaBeforeAction",
    "CondaSessionClass",
    "CondaShellPlugins",
    "ContractPluginManager",
    "PluginInfo",
    "get_plugin_manager",
    "hookimpl",
    "hookspec",
]
