"""Shell activation for conda environments: the ``PluginActivator`` and ``conda-shell``.

Modules, each with one job: :mod:`~plugin_contract.shell.types` (the hook's type),
:mod:`~plugin_contract.shell.activator` (what activation changes),
:mod:`~plugin_contract.shell.render` (safe code from a change),
:mod:`~plugin_contract.shell.envs` (names, prefixes, env vars, scripts),
:mod:`~plugin_contract.shell.selection` and :mod:`~plugin_contract.shell.registry` (which plugin),
:mod:`~plugin_contract.shell.spawn` (spawn mode), :mod:`~plugin_contract.shell.cli`.
The public names below are imported lazily (on first use): activation start-up time matters.
"""

from __future__ import annotations

from plugin_contract._lazy import lazy_getattr

TYPE_CHECKING = False  # not `from typing`: typing imports re, off the hot path

if TYPE_CHECKING:
    from plugin_contract.shell.activator import STATE_PREFIX, Change, LevelState, PluginActivator
    from plugin_contract.shell.conda_bridge import shell_subcommands
    from plugin_contract.shell.envs import (
        EnvLocator,
        default_env_name,
        env_vars_of,
        scripts_of,
        valid_name,
    )
    from plugin_contract.shell.errors import EnvironmentNotFound, ShellError
    from plugin_contract.shell.render import render, render_json, render_scripts
    from plugin_contract.shell.types import CondaShellPlugins, SpawnCommand, SpawnRequest

_EXPORTS = {
    "CondaShellPlugins": "plugin_contract.shell.types",
    "SpawnCommand": "plugin_contract.shell.types",
    "SpawnRequest": "plugin_contract.shell.types",
    "Change": "plugin_contract.shell.activator",
    "LevelState": "plugin_contract.shell.activator",
    "PluginActivator": "plugin_contract.shell.activator",
    "STATE_PREFIX": "plugin_contract.shell.activator",
    "EnvironmentNotFound": "plugin_contract.shell.errors",
    "ShellError": "plugin_contract.shell.errors",
    "EnvLocator": "plugin_contract.shell.envs",
    "default_env_name": "plugin_contract.shell.envs",
    "env_vars_of": "plugin_contract.shell.envs",
    "scripts_of": "plugin_contract.shell.envs",
    "valid_name": "plugin_contract.shell.envs",
    "render": "plugin_contract.shell.render",
    "render_json": "plugin_contract.shell.render",
    "render_scripts": "plugin_contract.shell.render",
    "shell_subcommands": "plugin_contract.shell.conda_bridge",
}

__all__ = [
    "STATE_PREFIX",
    "Change",
    "CondaShellPlugins",
    "EnvLocator",
    "EnvironmentNotFound",
    "LevelState",
    "PluginActivator",
    "ShellError",
    "SpawnCommand",
    "SpawnRequest",
    "default_env_name",
    "env_vars_of",
    "render",
    "render_json",
    "render_scripts",
    "scripts_of",
    "shell_subcommands",
    "valid_name",
]

__getattr__ = lazy_getattr(__name__, _EXPORTS)
