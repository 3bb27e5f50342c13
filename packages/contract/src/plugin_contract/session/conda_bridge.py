"""Bridge to a real conda (>= 23.9): expose a session class as a ``conda_auth_handlers`` entry.

conda constructs ``handler(channel_name)`` for channels whose ``channel_settings`` entry says
``auth: NAME``, and calls it on each request. The handler built here finds the same session
this contract would use for that channel and applies its credentials through
:meth:`CondaSession.apply_auth`, so scoping and credential sources stay identical.
conda is imported only when a real conda asks for the handlers; tests need no conda.

In a plugin module::

    @hookimpl
    def conda_auth_handlers():
        yield from conda_auth_handlers_for("basic-auth", BasicAuthSession)
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urljoin

from plugin_contract.errors import ContractError
from plugin_contract.session.channels import DEFAULT_CHANNEL_ALIAS


def channel_url(channel_name: str, channel_alias: str = DEFAULT_CHANNEL_ALIAS) -> str:
    """conda's channel name (a URL or ``org/label``) as a URL inside the channel."""
    if "://" in channel_name:
        return channel_name.rstrip("/") + "/"
    return f"{channel_alias.rstrip('/')}/{channel_name.strip('/')}/"


def make_auth_handler(session_name: str, base: type[Any]) -> type[Any]:
    """A ``ChannelAuthBase`` subclass (``base``) that delegates to our session for a channel."""

    class ContractAuthHandler(base):  # type: ignore[misc]
        def __init__(self, channel_name: str, *args: Any, **kwargs: Any) -> None:
            super().__init__(channel_name, *args, **kwargs)
            from plugin_contract.session.registry import default_registry

            registry = default_registry()
            self._session = registry.get_session_named(
                session_name, channel_url(channel_name, registry.config.channel_alias)
            )

        @property
        def contract_session(self) -> Any:
            """The session serving this channel (for error hints)."""
            return self._session

        def __call__(self, request: Any) -> Any:
            apply = getattr(self._session, "apply_auth", None)
            if apply is None:
                return request
            try:
                request = apply(request)
            except ContractError as error:
                raise _as_conda_error(error) from None
            request.register_hook("response", self._scope_redirect)
            return request

        def _scope_redirect(self, response: Any, **kwargs: Any) -> Any:
            """Before requests follows a redirect: credentials only if it stays in the channel.

            requests copies the sent request for the next hop and strips ``Authorization``
            only when the host changes; the session's own scoping rule decides here instead.
            """
            if not response.is_redirect:
                return response
            sent = response.request
            target = urljoin(response.url or "", response.headers.get("location", ""))
            for name in getattr(self._session, "sensitive_headers", ("Authorization",)):
                sent.headers.pop(name, None)
            in_scope = getattr(self._session, "in_scope", None)
            add_credentials = getattr(self._session, "add_credentials", None)
            if in_scope is None or add_credentials is None or not in_scope(target):
                return response
            try:
                add_credentials(sent)
            except ContractError as error:
                raise _as_conda_error(error) from None
            return response

        def __repr__(self) -> str:
            return f"<{session_name} auth handler for {self.channel_name}>"

    ContractAuthHandler.__name__ = f"{session_name.title().replace('-', '')}AuthHandler"
    ContractAuthHandler.__qualname__ = ContractAuthHandler.__name__
    return ContractAuthHandler


def _as_conda_error(error: ContractError) -> Exception:
    """conda shows its own ``CondaError`` as one line; without conda keep ours."""
    try:
        from conda.exceptions import CondaError
    except ImportError:
        return error
    return CondaError(str(error))  # type: ignore[no-any-return]


def conda_auth_handlers_for(session_name: str) -> Iterator[Any]:
    """Yield conda's ``CondaAuthHandler(name, handler)``, or nothing when conda is absent."""
    try:
        from conda.plugins.types import ChannelAuthBase, CondaAuthHandler
    except ImportError:
        return
    handler = make_auth_handler(session_name, ChannelAuthBase)
    yield CondaAuthHandler(name=session_name, handler=handler)
