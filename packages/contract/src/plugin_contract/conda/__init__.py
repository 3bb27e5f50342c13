"""The conda side of the contract: markers, hook specifications and the plugin manager."""

from plugin_contract.conda.manager import ContractPluginManager, PluginInfo, get_plugin_manager
from plugin_contract.conda.markers import ENTRY_POINT_GROUP, PROJECT_NAME, hookimpl, hookspec

__all__ = [
    "ENTRY_POINT_GROUP",
    "PROJECT_NAME",
    "ContractPluginManager",
    "PluginInfo",
    "get_plugin_manager",
    "hookimpl",
    "hookspec",
]
