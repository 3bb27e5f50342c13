"""The contract's own conda plugin: what conda users see of the session plugins.

Registered once, by the contract's entry point ``plugin-contract`` in group ``conda`` (never by
a session plugin), so ``conda session`` exists exactly once however many session plugins are
installed. Every hook yields nothing unless conda is importable and at least one installed
plugin implements ``conda_session_classes``. Nothing here imports conda at module import:
the contract's own plugin manager loads this module without conda.

- ``conda_pre_commands``: before a command that reads channels, a broken ``channel_settings``
  entry (an unknown ``auth`` name, ``session:`` without ``auth:``) stops conda with one line;
  then the before-actions run (the basic-auth prompt, once, only on a terminal).
- ``conda_subcommands``: ``conda session login|logout|status|which|fetch``, the
  ``conda-session`` CLI.
- ``conda_error_hints``: a 401/403 from a channel whose handler is ours gets the session's
  hint (which credential source was rejected, how to fix it).
- ``conda_health_checks``: ``conda doctor`` lists broken channel settings and credentials.

No ``conda_settings``: ``channel_settings`` entries are maps of strings, so conda accepts our
per-channel keys (``username``, ``password_file``, ``oauth_*``) without a declaration.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from plugin_contract.conda.markers import hookimpl

# conda's command names (``conda/cli/main_<name>.py``) that read channel repodata or notices.
CHANNEL_COMMANDS = frozenset(
    {"create", "install", "update", "remove", "search", "notices", "env_create", "env_update"}
)
PRE_COMMAND_NAME = "plugin-contract-channel-sessions"
SUBCOMMAND_NAME = "session"
SUBCOMMAND_PROG = "conda session"
HEALTH_CHECK_NAME = "channel-sessions"
HINT_STATUSES = frozenset({401, 403})


def _conda_plugin_manager() -> Any | None:
    try:
        from conda.base.context import context
    except ImportError:
        return None
    return context.plugin_manager


def _sessions_installed(manager: Any) -> bool:
    """Whether any registered plugin implements the contract's ``conda_session_classes``."""
    hook = getattr(manager.hook, "conda_session_classes", None)
    return hook is not None and bool(hook.get_hookimpls())


def _active_manager() -> Any | None:
    manager = _conda_plugin_manager()
    if manager is None or not _sessions_installed(manager):
        return None
    return manager


# -- conda_pre_commands --------------------------------------------------------------------


@hookimpl
def conda_pre_commands() -> Iterator[Any]:
    if _active_manager() is None:
        return
    from conda.plugins.types import CondaPreCommand

    yield CondaPreCommand(
        name=PRE_COMMAND_NAME, action=before_command, run_for=set(CHANNEL_COMMANDS)
    )


def before_command(command: str) -> None:
    """Refuse broken ``channel_settings`` entries, then run the before-actions for the
    channels this command uses whose conda handler is one of our sessions."""
    from conda.exceptions import CondaError

    from plugin_contract import condarc
    from plugin_contract.conda_match import conda_pick
    from plugin_contract.errors import ContractError
    from plugin_contract.session.diagnose import entry_problems
    from plugin_contract.session.registry import default_registry, run_before_actions

    rc = condarc.load()
    entries = rc.channel_settings
    if not entries:
        return
    installed = installed_auth_names()
    if entry_problems(entries, installed):
        problems = entry_problems(entries, installed, entry_sources(entries))
        more = (
            f" ({len(problems) - 1} more: run `conda doctor channel-sessions`)"
            if len(problems) > 1
            else ""
        )
        raise CondaError(f"{problems[0]}{more}")
    try:
        ours = set(default_registry().classes)
        urls = [
            url
            for url in command_channel_urls()
            if (index := conda_pick(url, entries, rc.channel_alias)) is not None
            and str(entries[index].get("auth") or "").strip().lower() in ours
        ]
        if urls:
            run_before_actions(command, urls)
    except ContractError as error:
        raise CondaError(str(error)) from None


def installed_auth_names() -> list[str]:
    """Every auth handler name conda knows, from any plugin."""
    manager = _conda_plugin_manager()
    if manager is None:
        return []
    return [handler.name for handler in manager.get_hook_results("auth_handlers")]


def entry_sources(entries: Sequence[Mapping[str, Any]]) -> dict[int, str]:
    """Entry index -> the condarc file it was read from (best effort, for messages)."""
    from plugin_contract import condarc

    try:
        by_file = condarc.load(use_conda=False).entries_by_file
    except condarc.CondarcError:
        return {}
    sources: dict[int, str] = {}
    for index, entry in enumerate(entries):
        for path, items in by_file.items():
            if any(isinstance(item, dict) and dict(item) == dict(entry) for item in items):
                sources[index] = path
    return sources


def command_channel_urls() -> list[str]:
    """The channel URLs (one per subdir) of the running command, without credentials."""
    from conda.base.context import context
    from conda.exceptions import CondaError
    from conda.models.channel import all_channel_urls

    try:
        channels = context.channels
    except CondaError:
        return []  # conda reports a bad channel option itself, in its own words
    return [str(url) for url in all_channel_urls(channels, with_credentials=False)]


# -- conda_subcommands ---------------------------------------------------------------------


@hookimpl
def conda_subcommands() -> Iterator[Any]:
    if _active_manager() is None:
        return
    from conda.plugins.types import CondaSubcommand

    yield CondaSubcommand(
        name=SUBCOMMAND_NAME,
        summary="Log in to channels and see which credentials conda uses (conda-session).",
        action=session_command,
    )


def session_command(argv: Sequence[str]) -> int:
    """``conda session ARGS``: conda hands over the remaining arguments untouched."""
    from plugin_contract.session.commands import run

    return run(list(argv), prog=SUBCOMMAND_PROG)


# -- conda_error_hints ---------------------------------------------------------------------


@hookimpl
def conda_error_hints(error: Any) -> Iterator[Any]:
    if _active_manager() is None:
        return
    text = error_hint_text(error)
    if text:
        from conda.plugins.types import CondaErrorHint

        yield CondaErrorHint(text=text, hint_code="channel_session_credentials")


def error_hint_text(error: Any) -> str:
    """Our session's explanation of a 401/403 conda error, or ``""``."""
    kwargs = getattr(error, "_kwargs", None) or {}
    try:
        status = int(kwargs.get("status_code") or 0)
    except (TypeError, ValueError):
        return ""
    url = str(kwargs.get("url") or "")
    if status not in HINT_STATUSES or not url:
        return ""
    from conda.gateways.connection.session import get_session

    from plugin_contract.session.base import CondaSession

    handler = getattr(get_session(url), "auth", None)
    session = getattr(handler, "contract_session", None)
    if not isinstance(session, CondaSession):
        return ""
    import requests

    response = getattr(getattr(error, "_caused_by", None), "response", None)
    if not isinstance(response, requests.Response) or response.status_code != status:
        response = requests.Response()
        response.status_code = status
        response.url = url
    return session.explain_status(response)


# -- conda_health_checks -------------------------------------------------------------------


@hookimpl
def conda_health_checks() -> Iterator[Any]:
    if _active_manager() is None:
        return
    from conda.plugins.types import CondaHealthCheck

    yield CondaHealthCheck(
        name=HEALTH_CHECK_NAME,
        action=health_check,
        summary="Check channel_settings auth names, secrets and logins of session plugins",
    )


def health_check(prefix: str, verbose: bool) -> None:
    """``conda doctor``: one line per problem, or one line saying all is well."""
    from conda.base.constants import OK_MARK, X_MARK

    from plugin_contract.errors import ContractError

    try:
        problems = channel_problems()
    except ContractError as error:  # a condarc conda-session cannot read
        problems = [str(error)]
    for problem in problems:
        print(f"{X_MARK} {problem}")
    if not problems:
        print(f"{OK_MARK} Channel settings and session credentials look fine.")
    print()


def channel_problems() -> list[str]:
    """Every problem of every ``channel_settings`` entry: names, then each of our entries'
    secret sources and login state (as ``conda session status`` reports it)."""
    from plugin_contract import condarc
    from plugin_contract.errors import ContractError
    from plugin_contract.session.base import CondaSession, StatusRequest
    from plugin_contract.session.credentials import CredentialStore
    from plugin_contract.session.diagnose import (
        entry_problems,
        secret_source_problems,
        status_problems,
    )
    from plugin_contract.session.registry import default_registry

    entries = condarc.load().channel_settings
    problems = [
        str(p) for p in entry_problems(entries, installed_auth_names(), entry_sources(entries))
    ]
    registry = default_registry()
    config = registry.config
    store = CredentialStore()
    for entry in config.channels:
        name = config.session_name_for(entry)
        found = registry.classes.get(name or "")
        if name is None or found is None:
            continue
        cls = found.session_class
        if not (isinstance(cls, type) and issubclass(cls, CondaSession)):
            continue
        sources = secret_source_problems(entry.key, entry.settings, config.environ)
        problems.extend(str(p) for p in sources)
        if sources:
            continue
        try:
            facts = cls.status(StatusRequest(entry, name, config, store, config.environ))
        except ContractError as error:
            problems.append(f"{entry.key}: {error}")
            continue
        problems.extend(str(p) for p in status_problems(entry.key, name, entry.settings, facts))
    return problems
