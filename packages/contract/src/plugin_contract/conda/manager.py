"""The plugin manager for the contract's conda hooks."""

from __future__ import annotations

import pluggy

from plugin_contract.conda import hookspecs
from plugin_contract.conda.markers import ENTRY_POINT_GROUP, PROJECT_NAME
from plugin_contract.conda.native import native_conda_hooks
from plugin_contract.plugins import PluginInfo, load_entry_points, verify_hookimpls

__all__ = ["ContractPluginManager", "PluginInfo", "get_plugin_manager"]


class ContractPluginManager(pluggy.PluginManager):
    """A pluggy manager for project ``conda`` with the contract's hookspecs added.

    Implementations of real conda's hooks (``conda_auth_handlers``, ``conda_subcommands``,
    ...) are accepted unchecked, and so is any other ``conda_*`` hook (a conda newer than this
    contract may define it); only a near miss of one of the contract's own hooks is a typo.
    """

    def __init__(self) -> None:
        super().__init__(PROJECT_NAME)
        self.add_hookspecs(hookspecs)
        self.plugin_infos: list[PluginInfo] = []

    def load_entrypoints_checked(self, group: str = ENTRY_POINT_GROUP) -> list[PluginInfo]:
        """Load every plugin of ``group`` and verify its hookimpls against the specs."""
        self.plugin_infos.extend(load_entry_points(self, group))
        self.verify()
        self.plugin_infos = [info for info in self.plugin_infos if self.has_plugin(info.name)]
        return self.plugin_infos

    def verify(self) -> None:
        verify_hookimpls(self, known_elsewhere=native_conda_hooks(), tolerated_prefix="conda_")


def get_plugin_manager(*, load_entrypoints: bool = True) -> ContractPluginManager:
    """Return a new manager, with the installed ``conda`` plugins loaded and verified."""
    manager = ContractPluginManager()
    if load_entrypoints:
        manager.load_entrypoints_checked()
    return manager
