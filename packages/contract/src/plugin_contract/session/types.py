"""Types of the session hooks: ``conda_session_classes`` and ``conda_before_actions``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from plugin_contract.session.before import BeforeActionContext


@dataclass(frozen=True)
class CondaSessionClass:
    """A ``requests.Session``-compatible class that conda can use for a channel.

    :param name: the name users write in ``network_session_class`` or ``channel_settings``;
        lowercased and stripped, as conda does for its plugin names.
    :param session_class: the class; it is constructed once per (class, channel). Subclasses
        of :class:`plugin_contract.session.CondaSession` receive the matched channel entry as
        keyword arguments ``channel=`` and ``config=``; any other class is called with no
        arguments.
    :param summary: one line for ``conda-session status`` and error messages.
    """

    name: str
    session_class: type[Any]
    summary: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "name", self.name.strip().lower())


@dataclass(frozen=True)
class CondaBeforeAction:
    """Work to do once, up front, before a command touches the network (the design's hook).

    Used for interactive credential prompts: the action runs in the main thread before any
    download starts, so a prompt happens at most once, never from a download thread.

    :param name: unique plugin-given name, lowercased and stripped.
    :param action: called with a :class:`BeforeActionContext` (the command, the channels it
        will use with their matched entries, the configuration, whether prompting is allowed).
    :param run_for: command names the action runs for (e.g. ``{"fetch", "install"}``); empty
        means every command.
    """

    name: str
    action: Callable[[BeforeActionContext], None]
    run_for: frozenset[str] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        object.__setattr__(self, "name", self.name.strip().lower())
        object.__setattr__(self, "run_for", frozenset(self.run_for))

    def applies_to(self, command: str) -> bool:
        return not self.run_for or command in self.run_for
