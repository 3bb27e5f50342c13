"""Hook specifications the contract adds to conda's plugin system.

Real conda has no hooks for session classes or shells; the contract hosts them. Plugins mark
their implementations with :data:`plugin_contract.conda.hookimpl` (project ``conda``) and
register under the entry-point group ``conda``, so one module serves both hosts.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from plugin_contract.conda.markers import hookspec

if TYPE_CHECKING:
    from plugin_contract.session.types import CondaBeforeAction, CondaSessionClass
    from plugin_contract.shell.types import CondaShellPlugins


@hookspec
def conda_session_classes() -> Iterable[CondaSessionClass]:
    """Register ``requests.Session``-compatible classes selectable globally or per channel.

    :return: ``CondaSessionClass(name, session_class)`` entries; names are unique.
    """
    raise NotImplementedError


@hookspec
def conda_before_actions() -> Iterable[CondaBeforeAction]:
    """Register work to run once, in the main thread, before a command uses the network.

    The design's ``CondaBeforeAction``: interactive credential prompts belong here, never in
    download threads. Called by ``plugin_contract.session.run_before_actions``.

    :return: ``CondaBeforeAction(name, action, run_for)`` entries; names are unique.
    """
    raise NotImplementedError


@hookspec
def conda_shell_plugins() -> Iterable[CondaShellPlugins]:
    """Register shells that environments can be activated in.

    Define each ``CondaShellPlugins`` as a module-level constant in a module that does not
    import the plugin manager (``my_plugin.syntax``), and yield it from the hookimpl module:
    ``conda-shell`` caches where the constant lives and imports only that module on the
    activation hot path. See :class:`plugin_contract.shell.types.CondaShellPlugins` for the
    fields, and run :mod:`plugin_contract.testing.shell` against your real shell binary.

    :return: ``CondaShellPlugins`` entries describing each shell's syntax; names are unique.
    """
    raise NotImplementedError
