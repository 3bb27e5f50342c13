"""What is wrong with the channel settings, in one readable line per problem.

Used inside a real conda by :mod:`plugin_contract.session.conda_host` (``conda_pre_commands``
refuses to run with a broken ``channel_settings`` entry; ``conda doctor`` lists every problem),
and usable without conda. Pure logic over the entries and the installed names: no conda import.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# Keys that select a session in ``conda-session`` only; conda selects by ``auth:`` alone.
SESSION_ONLY_KEYS = ("session", "network_session_class")


@dataclass(frozen=True)
class Problem:
    """One broken thing: the channel it is about and the sentence saying what to do."""

    channel: str
    text: str

    def __str__(self) -> str:
        return self.text


def entry_problems(
    entries: Iterable[Mapping[str, Any]],
    installed_auth: Collection[str],
    sources: Mapping[int, str] | None = None,
) -> list[Problem]:
    """Entries conda would silently serve without credentials: an ``auth`` name no installed
    plugin provides, or a ``session:`` key without ``auth:``.

    :param installed_auth: the auth handler names conda knows (ours and any other plugin's).
    :param sources: entry index -> the file it came from, for the message.
    """
    names = sorted({name.strip().lower() for name in installed_auth})
    shown = ", ".join(names) or "none"
    found: list[Problem] = []
    for index, entry in enumerate(entries):
        channel = str(entry.get("channel", "")).strip() or "(no channel)"
        where = f" in {sources[index]}" if sources and index in sources else ""
        auth = str(entry.get("auth") or "").strip().lower()
        selector = next((key for key in SESSION_ONLY_KEYS if entry.get(key)), None)
        if not auth and selector is not None:
            value = str(entry[selector]).strip()
            found.append(
                Problem(
                    channel,
                    f"channel_settings entry {channel!r}{where} has '{selector}: {value}' but "
                    f"no 'auth:'; conda picks the handler by 'auth:' only, so write "
                    f"'auth: {value.lower()}' (installed auth handlers: {shown})",
                )
            )
        elif auth and auth not in names:
            close = difflib.get_close_matches(auth, names, n=1)
            guess = f"; did you mean {close[0]!r}?" if close else ""
            found.append(
                Problem(
                    channel,
                    f"channel_settings entry {channel!r}{where} names auth {auth!r}, which no "
                    f"installed plugin provides (installed auth handlers: {shown}){guess}",
                )
            )
    return found


def secret_source_problems(
    channel: str, settings: Mapping[str, str], environ: Mapping[str, str]
) -> list[Problem]:
    """Secret sources named in a channel's settings that cannot be used: an environment
    variable (``*_env``) that is unset, a file (``*_file``) that is missing or unreadable."""
    found: list[Problem] = []
    for key, value in settings.items():
        if key.endswith("_env") and value and not environ.get(value, "").strip():
            found.append(
                Problem(channel, f"{channel}: {key} names {value}, which is not set or empty")
            )
        elif key.endswith("_file") and value:
            path = Path(value).expanduser()
            if not path.exists():
                found.append(Problem(channel, f"{channel}: {key} {value} does not exist"))
            elif not (path.is_file() and os.access(path, os.R_OK)):
                found.append(Problem(channel, f"{channel}: {key} {value} is not a readable file"))
    return found


def status_problems(
    channel: str, session: str, settings: Mapping[str, str], facts: Mapping[str, str]
) -> list[Problem]:
    """Problems a session's ``status`` facts show: no credentials, not logged in (unless the
    channel gets machine tokens on demand: ``oauth_flow: client-credentials``), or a login
    whose token has expired with no way to refresh it."""
    login = f"conda session login {channel} --session {session}"
    if facts.get("credential") == "none found":
        return [Problem(channel, f"{channel}: no {session} credentials found; run `{login}`")]
    if facts.get("access_token_expiry") == "expired" and facts.get("refresh_token_stored") == "no":
        return [Problem(channel, f"{channel}: the {session} login has expired; run `{login}`")]
    if facts.get("logged_in") == "no" and settings.get("oauth_flow") != "client-credentials":
        return [Problem(channel, f"{channel}: not logged in with {session}; run `{login}`")]
    return []
