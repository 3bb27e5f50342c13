"""Types of the ``conda_session_classes`` hook."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class CondaSessionClass:
    """A ``requests.Session``-compatible class that conda can use for a channel.

    :param name: the name users write in ``network_session_class`` or ``channel_settings``;
        lowercased and stripped, as conda does for its plugin names.
    :param session_class: the class; it is constructed once per (class, channel).
    """

    name: str
    session_class: type[Any]

    def __post_init__(self) -> None:
        object.__setattr__(self, "name", self.name.strip().lower())
