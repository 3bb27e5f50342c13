"""The conda plugin module of `session-oauth` (entry-point group `conda`).

Registers the ``oauth`` session class for the contract and, in a real conda, an ``oauth``
auth handler through ``conda_auth_handlers`` (conda is imported only there).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from plugin_contract.conda import hookimpl
from plugin_contract.session import CondaSessionClass

SESSION_NAME = "oauth"


@hookimpl
def conda_session_classes() -> Iterable[CondaSessionClass]:
    from session_oauth.session import OAuthSession

    yield CondaSessionClass(
        name=SESSION_NAME,
        session_class=OAuthSession,
        summary="OAuth 2.0 / OIDC bearer tokens: device flow, browser (PKCE), client credentials",
    )


@hookimpl
def conda_auth_handlers() -> Iterator[Any]:
    from session_oauth import conda_bridge

    yield from conda_bridge.conda_auth_handlers()
