"""Host-independent plugin loading: entry points into a pluggy manager, with clear errors.

One loading path (every host: conda, devpi-server, conda-shell, conda-session), one policy for
a broken plugin: it is skipped with one warning line on stderr naming it (:func:`skip_broken`),
and one conflict check for names two plugins claim (:func:`check_claims`).
"""

from __future__ import annotations

import difflib
import logging
import sys
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from importlib.metadata import EntryPoint, entry_points

import pluggy

from plugin_contract.errors import PluginError

_log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PluginInfo:
    """One loaded plugin: its entry-point name, distribution, version and implemented hooks."""

    name: str
    distribution: str
    version: str
    module: str
    hooks: tuple[str, ...] = field(default=())

    def as_dict(self) -> dict[str, object]:
        return {
            "name": self.name,
            "distribution": self.distribution,
            "version": self.version,
            "module": self.module,
            "hooks": list(self.hooks),
        }


def skip_broken(error: PluginError) -> None:
    """The policy for a broken plugin, everywhere: one warning line, then go on without it."""
    print(f"warning: {error}; skipping it", file=sys.stderr)


def check_claims(claims: Iterable[tuple[str, str]], what: str) -> dict[str, str]:
    """``(name, plugin)`` claims -> name to plugin; two plugins claiming a name are an error.

    ``what`` says what the name is (``shell``, ``shell program``, ``session name``, ...).
    """
    owners: dict[str, str] = {}
    for name, plugin in claims:
        owner = owners.setdefault(name, plugin)
        if owner != plugin:
            raise PluginError(
                f"the {what} {name!r} is claimed by both {owner!r} and {plugin!r}; uninstall one"
            )
    return owners


def group_entry_points(group: str) -> list[EntryPoint]:
    """The entry points of ``group``, in a stable order."""
    return sorted(entry_points(group=group), key=lambda ep: ep.name)


def load_entry_points(
    manager: pluggy.PluginManager,
    group: str,
    points: Iterable[EntryPoint] | None = None,
) -> list[PluginInfo]:
    """Register every entry point of ``group`` with ``manager`` and describe what was loaded.

    A plugin that fails to import or does not fit the specs is skipped (:func:`skip_broken`).
    """
    loaded: list[PluginInfo] = []
    for point in group_entry_points(group) if points is None else points:
        if manager.get_plugin(point.name) is not None or manager.is_blocked(point.name):
            continue
        dist_name, version = _distribution_of(point)
        try:
            plugin = point.load()
        except Exception as error:  # a broken plugin must not break the host
            skip_broken(
                PluginError(
                    f"plugin {point.name!r} ({dist_name} {version}) failed to load from "
                    f"{point.value!r}: {type(error).__name__}: {error}"
                )
            )
            continue
        try:
            manager.register(plugin, name=point.name)
        except pluggy.PluginValidationError as error:
            skip_broken(
                PluginError(
                    f"plugin {point.name!r} ({dist_name} {version}) does not fit the hook "
                    f"specifications: {error}"
                )
            )
            continue
        loaded.append(
            PluginInfo(
                name=point.name,
                distribution=dist_name,
                version=version,
                module=point.value,
                hooks=implemented_hooks(manager, plugin),
            )
        )
    return loaded


def implemented_hooks(manager: pluggy.PluginManager, plugin: object) -> tuple[str, ...]:
    """Names of the hooks ``plugin`` implements, sorted."""
    callers = manager.get_hookcallers(plugin) or []
    return tuple(sorted(caller.name for caller in callers))


TYPO_CUTOFF = 0.9
"""How close (``difflib`` ratio) an unknown hook must be to a spec of ours to count as a typo."""


def verify_hookimpls(
    manager: pluggy.PluginManager,
    known_elsewhere: Collection[str] = (),
    tolerated_prefix: str | None = None,
) -> None:
    """Skip (unregister, with a warning) any plugin whose hookimpl matches no spec (a typo).

    ``known_elsewhere`` names hooks another host defines (real conda's), accepted unchecked.
    With ``tolerated_prefix``, an unknown hook with that prefix is accepted (one debug line)
    unless it is a near miss of one of the manager's own specs: it belongs to a host version
    we do not know, and must not break the plugin that offers it.
    """
    specified = sorted(
        name
        for name in dir(manager.hook)
        if not name.startswith("_") and getattr(manager.hook, name).spec is not None
    )
    for name in dir(manager.hook):
        if name.startswith("_"):
            continue
        caller = getattr(manager.hook, name)
        if caller.spec is not None or name in known_elsewhere:
            continue
        near_ours = difflib.get_close_matches(name, specified, n=1, cutoff=TYPO_CUTOFF)
        if tolerated_prefix is not None and name.startswith(tolerated_prefix) and not near_ours:
            _log.debug("accepting %r: a hook of a host version this contract does not know", name)
            continue
        for impl in caller.get_hookimpls():
            if impl.optionalhook:
                continue
            plugin_name = manager.get_name(impl.plugin) or repr(impl.plugin)
            close = difflib.get_close_matches(name, [*specified, *known_elsewhere], n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            if manager.is_registered(impl.plugin):
                manager.unregister(impl.plugin)
            skip_broken(
                PluginError(
                    f"plugin {plugin_name!r} implements {name!r}, which matches no hook "
                    f"specification{hint}"
                )
            )


def _distribution_of(point: EntryPoint) -> tuple[str, str]:
    dist = point.dist
    if dist is None:
        return "unknown", "unknown"
    return dist.metadata["Name"] or dist.name, dist.version
