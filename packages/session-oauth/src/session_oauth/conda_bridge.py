"""The ``oauth`` auth handler for a real conda (``conda_auth_handlers``).

The contract's bridge applies this session's token to requests inside the channel; on top,
a 401 for a GET/HEAD request that carried the token triggers one forced refresh and one
resend (the ``HTTPDigestAuth.handle_401`` pattern), as the session itself does.
conda is imported only when a real conda asks for the handlers.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

from requests import PreparedRequest, Response

logger = logging.getLogger(__name__)


def make_oauth_auth_handler(base: type[Any]) -> type[Any]:
    """The handler class for conda's ``ChannelAuthBase`` (``base``)."""
    from plugin_contract.session import make_auth_handler

    parent: type[Any] = make_auth_handler("oauth", base)

    class OAuthAuthHandler(parent):  # type: ignore[misc]
        def __call__(self, request: PreparedRequest) -> PreparedRequest:
            request = super().__call__(request)
            if "Authorization" in request.headers:
                request.hooks.setdefault("response", []).append(self._retry_once_after_401)
            return request

        def _retry_once_after_401(self, response: Response, **kwargs: Any) -> Response:
            refresh = getattr(self._session, "refresh_credentials", None)
            if response.status_code != 401 or refresh is None or not refresh(response):
                return response
            response.content  # noqa: B018 - drain the body so the connection can be reused
            response.close()
            retry = response.request.copy()
            retry.headers.pop("Authorization", None)
            self._session.apply_auth(retry)
            resent: Response = response.connection.send(retry, **kwargs)
            resent.history.append(response)
            resent.request = retry
            logger.debug("resent the request once after a token refresh")
            return resent

    OAuthAuthHandler.__name__ = OAuthAuthHandler.__qualname__ = "OAuthAuthHandler"
    return OAuthAuthHandler


def conda_auth_handlers() -> Iterator[Any]:
    """conda's ``CondaAuthHandler("oauth", handler)``, or nothing without conda."""
    try:
        from conda.plugins.types import ChannelAuthBase, CondaAuthHandler
    except ImportError:
        return
    yield CondaAuthHandler(name="oauth", handler=make_oauth_auth_handler(ChannelAuthBase))
