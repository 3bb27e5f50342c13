"""Which session class serves a URL, and one cached, thread-safe session per (class, channel)."""

from __future__ import annotations

import getpass
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import pluggy
import requests

from plugin_contract.plugins import check_claims
from plugin_contract.session.base import CondaSession
from plugin_contract.session.before import BeforeActionContext, ChannelUse, is_interactive
from plugin_contract.session.channels import ChannelMatch, ChannelPattern, safe_url
from plugin_contract.session.config import SessionConfig
from plugin_contract.session.errors import UnknownSessionError
from plugin_contract.session.types import CondaBeforeAction, CondaSessionClass

DEFAULT_SESSION = "default"
#: Who claims the ``default`` session name: the host itself.
HOST = "plugin-contract"
URL_CACHE_LIMIT = 4096


@dataclass(frozen=True)
class Resolution:
    """What applies to a URL: the session name and class, and the matched entry (if any)."""

    session_name: str
    session_class: type[Any]
    channel: ChannelMatch | None

    @property
    def cache_key(self) -> tuple[str, str | None]:
        return (self.session_name, self.channel.key if self.channel is not None else None)


class SessionRegistry:
    """Session classes from plugins + configuration -> sessions, cached and thread-safe.

    :param config: the configuration; loaded from the condarc search path when omitted.
    :param classes: session classes by name; from the installed plugins when omitted.
    :param before_actions: before-actions; from the installed plugins when omitted.
    """

    def __init__(
        self,
        config: SessionConfig | None = None,
        classes: Iterable[CondaSessionClass] | None = None,
        before_actions: Iterable[CondaBeforeAction] | None = None,
    ) -> None:
        self._config = config
        self._classes = _by_name(classes) if classes is not None else None
        self._before_actions = list(before_actions) if before_actions is not None else None
        self._lock = threading.RLock()
        self._sessions: dict[tuple[str, str | None], requests.Session] = {}
        self._by_url: dict[str, requests.Session] = {}

    @property
    def config(self) -> SessionConfig:
        if self._config is None:
            with self._lock:
                if self._config is None:
                    self._config = SessionConfig.load()
        return self._config

    @property
    def classes(self) -> Mapping[str, CondaSessionClass]:
        if self._classes is None:
            with self._lock:
                if self._classes is None:
                    self._load_plugins()
        assert self._classes is not None
        return self._classes

    @property
    def before_actions(self) -> list[CondaBeforeAction]:
        if self._before_actions is None:
            with self._lock:
                if self._before_actions is None:
                    self._load_plugins()
        assert self._before_actions is not None
        return self._before_actions

    def resolve(self, url: str) -> Resolution:
        """The session and entry for ``url``; unknown names raise ``UnknownSessionError``."""
        match = self.config.match(url)
        name = self.config.session_name_for(match) or DEFAULT_SESSION
        return Resolution(name, self.class_named(name, match, url), match)

    def class_named(
        self, name: str, match: ChannelMatch | None = None, url: str | None = None
    ) -> type[Any]:
        entry = self.classes.get(name)
        if entry is None:
            where = f" (entry {match.key} in {match.source})" if match is not None else ""
            about = f" for {safe_url(url)}" if url else ""
            installed = ", ".join(sorted(self.classes))
            raise UnknownSessionError(
                f"session {name!r}{about}{where} is not installed; installed sessions: "
                f"{installed}. Install the plugin that provides it or fix the configuration"
            )
        return entry.session_class

    def get_session(self, url: str) -> requests.Session:
        """The session for ``url``: one instance per (class, channel), shared by threads."""
        session = self._by_url.get(url)
        if session is not None:
            return session
        resolution = self.resolve(url)
        key = resolution.cache_key
        with self._lock:
            session = self._sessions.get(key)
            if session is None:
                session = self._construct(resolution)
                self._sessions[key] = session
            if len(self._by_url) >= URL_CACHE_LIMIT:
                self._by_url.clear()
            self._by_url[url] = session
        return session

    def get_session_named(self, name: str, channel_url: str) -> requests.Session:
        """The ``name`` session for the channel at ``channel_url`` (the conda bridge's case:
        conda chose the auth handler). Without a matching entry the channel is scoped to
        ``channel_url`` itself."""
        match = self.config.match(channel_url)
        if match is None:
            pattern = ChannelPattern.parse(channel_url.rstrip("/"), self.config.channel_alias)
            match = ChannelMatch(pattern=pattern, session_name=name)
        resolution = Resolution(name, self.class_named(name, match, channel_url), match)
        with self._lock:
            session = self._sessions.get(resolution.cache_key)
            if session is None:
                session = self._construct(resolution)
                self._sessions[resolution.cache_key] = session
        return session

    def clear(self) -> None:
        """Forget cached sessions (closing them) and reload config and plugins next time."""
        with self._lock:
            for session in self._sessions.values():
                close = getattr(session, "close", None)
                if callable(close):
                    close()
            self._sessions.clear()
            self._by_url.clear()

    def _construct(self, resolution: Resolution) -> requests.Session:
        cls = resolution.session_class
        if isinstance(cls, type) and issubclass(cls, CondaSession):
            return cls(channel=resolution.channel, config=self.config)
        session: requests.Session = cls()  # a plugin's requests.Session-compatible class
        return session

    def _load_plugins(self) -> None:
        """Ask the plugin manager (the one loading path and broken-plugin policy, as for
        shells) and run the same conflict check: two plugins claiming a name are an error."""
        from plugin_contract.conda.manager import get_plugin_manager

        manager = get_plugin_manager()
        if self._classes is None:
            self._classes = _by_name(_claimed(manager, "conda_session_classes"))
        if self._before_actions is None:
            claimed = _claimed(manager, "conda_before_actions")
            check_claims(((action.name, owner) for owner, action in claimed), "before-action")
            self._before_actions = [action for _, action in claimed]


def _claimed(manager: pluggy.PluginManager, hook: str) -> list[tuple[str, Any]]:
    """``(plugin name, item)`` for every item the plugins' ``hook`` implementations yield."""
    found: list[tuple[str, Any]] = []
    for impl in reversed(getattr(manager.hook, hook).get_hookimpls()):  # pluggy calls LIFO
        owner = manager.get_name(impl.plugin) or repr(impl.plugin)
        found += [(owner, item) for item in impl.function() or ()]
    return found


def _by_name(
    classes: Iterable[CondaSessionClass] | Iterable[tuple[str, CondaSessionClass]],
) -> dict[str, CondaSessionClass]:
    """Session classes by name, the host's ``default`` first; a name claimed by two plugins
    (or given twice with different classes) is a :class:`PluginError` naming both."""
    claims: list[tuple[str, CondaSessionClass]] = [
        (HOST, CondaSessionClass(DEFAULT_SESSION, CondaSession, "conda's defaults"))
    ]
    for item in classes:
        claims.append(item if isinstance(item, tuple) else (_qualified(item.session_class), item))
    check_claims(((entry.name, owner) for owner, entry in claims), "session name")
    return {entry.name: entry for _, entry in claims}


def _qualified(cls: type[Any]) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


_default_registry: SessionRegistry | None = None
_default_lock = threading.Lock()


def default_registry() -> SessionRegistry:
    """The process-wide registry used by :func:`get_session`."""
    global _default_registry
    registry = _default_registry
    if registry is None:
        with _default_lock:
            if _default_registry is None:
                _default_registry = SessionRegistry()
            registry = _default_registry
    return registry


def get_session(url: str) -> requests.Session:
    """The configured session for ``url`` (cached per (class, channel), thread-safe)."""
    return default_registry().get_session(url)


def clear_session_cache() -> None:
    """Drop cached sessions, configuration and plugins (after config or login changes)."""
    global _default_registry
    with _default_lock:
        if _default_registry is not None:
            _default_registry.clear()
        _default_registry = None


def run_before_actions(
    command: str,
    urls: Iterable[str],
    *,
    registry: SessionRegistry | None = None,
    interactive: bool | None = None,
    input_func: Callable[[str], str] = input,
    secret_func: Callable[[str], str] = getpass.getpass,
) -> BeforeActionContext:
    """Run every applicable before-action for ``command`` over the channels of ``urls``."""
    reg = default_registry() if registry is None else registry
    uses: list[ChannelUse] = []
    seen: set[tuple[str, str]] = set()
    for url in urls:
        resolution = reg.resolve(url)
        if resolution.channel is None:
            continue
        key = (resolution.session_name, resolution.channel.key)
        if key not in seen:
            seen.add(key)
            uses.append(ChannelUse(resolution.channel, resolution.session_name, url))
    context = BeforeActionContext(
        command=command,
        channels=tuple(uses),
        config=reg.config,
        interactive=is_interactive(reg.config.environ) if interactive is None else interactive,
        input_func=input_func,
        secret_func=secret_func,
        get_session=reg.get_session,
    )
    for action in reg.before_actions:
        if action.applies_to(command):
            action.action(context)
    return context
