"""The before-action: work done once, in the main thread, before a command uses the network.

Session plugins register ``CondaBeforeAction`` entries through ``conda_before_actions``; a
command calls :func:`run_before_actions` with the URLs it is about to fetch. A prompt can
happen only here (never from a download thread), and only when ``interactive`` is true.
"""

from __future__ import annotations

import getpass
import os
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from plugin_contract.errors import ContractError

if TYPE_CHECKING:
    import requests
from plugin_contract.session.channels import ChannelMatch
from plugin_contract.session.config import SessionConfig
from plugin_contract.session.errors import CredentialsError


@dataclass(frozen=True)
class ChannelUse:
    """One channel a command will use: the entry, the session name and a sample URL."""

    channel: ChannelMatch
    session_name: str
    url: str


@dataclass
class BeforeActionContext:
    """What a before-action receives.

    :param command: the command about to run (``fetch``, ``install``, ...).
    :param channels: the channels (with their matched entries) the command will use.
    :param interactive: whether prompting is allowed (a terminal, not ``CI``).
    """

    command: str
    channels: tuple[ChannelUse, ...]
    config: SessionConfig
    interactive: bool
    input_func: Callable[[str], str] = field(default=input, repr=False)
    secret_func: Callable[[str], str] = field(default=getpass.getpass, repr=False)
    get_session: Callable[[str], requests.Session] | None = field(default=None, repr=False)

    def session_for(self, use: ChannelUse) -> requests.Session:
        """The (cached, shared) session that will serve ``use`` - prepare it here."""
        if self.get_session is None:
            raise ContractError("this BeforeActionContext has no get_session (made by hand?)")
        return self.get_session(use.url)

    def uses_of(self, session_name: str) -> list[ChannelUse]:
        """The channels this command uses with ``session_name``."""
        return [use for use in self.channels if use.session_name == session_name]

    def prompt(self, text: str, *, secret: bool = False, why: str = "") -> str:
        """Ask the user; in a non-interactive run raise ``CredentialsError`` saying ``why``."""
        if not self.interactive:
            raise CredentialsError(
                f"{why or 'input is needed'} and this run is not interactive; "
                "provide credentials through the environment, a secret file or the keyring"
            )
        return (self.secret_func if secret else self.input_func)(text)


def is_interactive(environ: Mapping[str, str] | None = None) -> bool:
    """A terminal on stdin and not CI (``CI`` / ``CONDA_SESSION_NO_PROMPT`` unset)."""
    env = os.environ if environ is None else environ
    if env.get("CONDA_SESSION_NO_PROMPT") or env.get("CI", "").lower() in {"1", "true", "yes"}:
        return False
    return sys.stdin is not None and sys.stdin.isatty()
