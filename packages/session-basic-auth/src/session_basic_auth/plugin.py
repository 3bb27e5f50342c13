"""The conda plugin module of ``session-basic-auth`` (entry-point group ``conda``)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from plugin_contract.conda import hookimpl
from plugin_contract.session import CondaBeforeAction, CondaSessionClass

SESSION_NAME = "basic-auth"


@hookimpl
def conda_session_classes() -> Iterator[CondaSessionClass]:
    from session_basic_auth.session import BasicAuthSession

    yield CondaSessionClass(
        name=SESSION_NAME,
        session_class=BasicAuthSession,
        summary="HTTP basic auth; credentials from env, secret file, keyring or ~/.netrc",
    )


@hookimpl
def conda_before_actions() -> Iterator[CondaBeforeAction]:
    from session_basic_auth.session import prepare_before_action

    yield CondaBeforeAction(name="basic-auth-credentials", action=prepare_before_action)


@hookimpl
def conda_auth_handlers() -> Iterator[Any]:
    """Real conda (>= 23.9): ``channel_settings: [{channel: URL, auth: basic-auth}]``."""
    from plugin_contract.session import conda_auth_handlers_for

    yield from conda_auth_handlers_for(SESSION_NAME)
