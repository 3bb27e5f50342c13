"""Shell activation for conda environments: the ``PluginActivator`` and ``conda-shell``.

Modules, each with one job: :mod:`~plugin_contract.shell.types` (the hook's type),
:mod:`~plugin_contract.shell.activator` (what activation changes),
:mod:`~plugin_contract.shell.render` (safe code from a change),
:mod:`~plugin_contract.shell.envs` (names, prefixes, env vars, scripts),
:mod:`~plugin_contract.shell.selection` and :mod:`~plugin_contract.shell.registry` (which plugin),
:mod:`~plugin_contract.shell.spawn` (spawn mode), :mod:`~plugin_contract.shell.cli`.
Nothing is imported here: activation start-up time matters.
"""
