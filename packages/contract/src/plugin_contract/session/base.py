"""``CondaSession``: the ``requests.Session`` every session plugin builds on.

It carries the defaults conda users rely on (retries honouring ``Retry-After``, timeouts, a
User-Agent, proxies with ``NO_PROXY``, ``ssl_verify`` incl. ``truststore``, client
certificates, offline mode with ``file://`` still working) and the credential scoping every
auth plugin needs:

- :meth:`CondaSession.add_credentials` is called only for requests *inside* the matched
  channel (scheme, host, port and whole path segments); subclasses put their header there;
- on a redirect to any URL outside the channel (another origin, or another path on the same
  origin) every header in :attr:`CondaSession.sensitive_headers` is removed, and credentials
  are re-added only when the target is inside the channel again;
- redirects are followed only to ``http``/``https`` (never ``file://`` or another scheme);
- a condarc ``ssl_verify`` of ``false`` or a CA path wins over ``REQUESTS_CA_BUNDLE`` /
  ``CURL_CA_BUNDLE``, as in conda;
- :meth:`CondaSession.refresh_credentials` lets a plugin refresh once after a 401 and retry;
- ``repr()`` shows the class, session name and channel, never a credential.
"""

from __future__ import annotations

import argparse
import os
import platform
import stat
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, ClassVar
from urllib.parse import urljoin

import requests
from requests import PreparedRequest, Response
from requests.adapters import HTTPAdapter
from requests.auth import AuthBase
from requests.utils import should_bypass_proxies

from plugin_contract.__about__ import __version__
from plugin_contract.errors import ConfigError
from plugin_contract.session.adapters import (
    LocalFileAdapter,
    OfflineAdapter,
    TruststoreAdapter,
    make_retry,
)
from plugin_contract.session.channels import ChannelMatch, ChannelPattern, Origin, safe_url
from plugin_contract.session.config import SessionConfig, setting_is_true
from plugin_contract.session.credentials import CredentialStore
from plugin_contract.session.errors import CredentialsError
from plugin_contract.session.url_scope import is_followable_redirect

NETWORK_SCHEMES = ("http://", "https://", "ftp://", "s3://")
ALLOW_HTTP_SETTING = "allow_http"
URL_CACHE_LIMIT = 4096
TIMEOUT_POSITION = 6  # index of `timeout` in Session.request's positional arguments after url


class CondaSession(requests.Session):
    """Base class of session plugins; also the ``default`` session.

    Construction: ``SessionClass(channel=ChannelMatch | None, config=SessionConfig | None)``,
    keyword-only, once per (class, channel) by :func:`plugin_contract.session.get_session`.
    ``channel.settings`` holds the matched entry's flat string settings (also
    :attr:`settings`); ``channel is None`` means no entry matched (global setting only).

    Subclass hooks (all optional):

    - :meth:`add_credentials` - add credentials to a request inside the channel;
    - :meth:`refresh_credentials` - after a 401 inside the channel: True to retry once;
    - :attr:`sensitive_headers` - headers to strip on cross-origin redirects;
    - CLI: :meth:`add_login_arguments`, :meth:`login`, :meth:`logout`, :meth:`status`.
    """

    session_name: ClassVar[str] = "default"
    sensitive_headers: ClassVar[tuple[str, ...]] = ("Authorization", "Proxy-Authorization")

    def __init__(
        self,
        *,
        channel: ChannelMatch | None = None,
        config: SessionConfig | None = None,
    ) -> None:
        super().__init__()
        self.channel = channel
        self.config = config if config is not None else SessionConfig.load()
        self._timeout = (self.config.connect_timeout, self.config.read_timeout)
        self._no_proxy = self.config.proxy_servers.get("no_proxy")
        self.headers["User-Agent"] = self.config.user_agent or default_user_agent()
        self.proxies.update({k: v for k, v in self.config.proxy_servers.items() if k != "no_proxy"})
        self.verify = _verify_value(self.config.ssl_verify)
        self.cert = _cert_value(self.config)
        self._mount_adapters()
        self.auth = _ChannelScopedAuth(self)
        self._scope_cache: dict[str, bool] = {}
        self._transport_ok: dict[str, bool] = {}
        self._cert_checked = False

    @property
    def settings(self) -> Mapping[str, str]:
        """The matched channel entry's settings (empty when no entry matched)."""
        return self.channel.settings if self.channel is not None else {}

    def __repr__(self) -> str:
        where = self.channel.key if self.channel is not None else "(no channel entry)"
        return f"<{type(self).__name__} {self.session_name} channel={where}>"

    # -- credentials --------------------------------------------------------------------

    def in_scope(self, url: str) -> bool:
        """Whether credentials may be sent to ``url``: it is inside the matched channel."""
        inside = self._scope_cache.get(url)
        if inside is None:
            inside = self.channel is not None and self.channel.contains(url)
            _bounded_put(self._scope_cache, url, inside)
        return inside

    def add_credentials(self, request: PreparedRequest) -> None:
        """Add credentials to ``request`` (inside the channel). The base adds none."""

    def refresh_credentials(self, response: Response) -> bool:
        """Called once after a 401 inside the channel; return True to retry the request."""
        return False

    def refuse_plaintext(self, url: str) -> None:
        """Raise ``CredentialsError`` unless credentials may go to ``url``: HTTPS, loopback
        HTTP, or plain HTTP opted in with the channel setting ``allow_http: true``."""
        if url.startswith("https://") or url in self._transport_ok:
            return
        check_transport(url, self.settings)
        _bounded_put(self._transport_ok, url, True)

    def explain_status(self, response: Response) -> str:
        """A hint for an error status (e.g. where rejected credentials came from), or ""."""
        return ""

    def apply_auth(self, request: PreparedRequest) -> PreparedRequest:
        """Add credentials if ``request`` is inside the channel; the conda bridge calls this."""
        if request.url and self.in_scope(request.url):
            self.add_credentials(request)
        return request

    def rebuild_auth(self, prepared_request: PreparedRequest, response: Response) -> None:
        """On a redirect: strip sensitive headers; re-add credentials only inside the channel.

        One rule for every session: a same-origin redirect to another path is outside the
        channel just as another host is."""
        target = prepared_request.url or ""
        for name in self.sensitive_headers:
            prepared_request.headers.pop(name, None)
        if self.in_scope(target):
            self.add_credentials(prepared_request)

    def get_redirect_target(self, resp: Response) -> str | None:
        """The redirect target; refused (``UnsafeRedirect``) unless it is http(s)."""
        location = super().get_redirect_target(resp)
        if location is None:
            return None
        absolute = urljoin(resp.url or "", location)
        if not is_followable_redirect(absolute):
            resp.close()
            raise UnsafeRedirect(
                f"refusing to follow a redirect from {safe_url(resp.url or '')} to "
                f"{safe_url(absolute)}: only http(s) redirects are followed",
                response=resp,
            )
        return location

    def send(self, request: PreparedRequest, **kwargs: Any) -> Response:
        if self.cert and not self._cert_checked and (request.url or "").startswith("https://"):
            check_client_cert(self.config)
            self._cert_checked = True
        response = super().send(request, **kwargs)
        if (
            response.status_code == 401
            and request.url
            and self.in_scope(request.url)
            and self.refresh_credentials(response)
        ):
            response.close()
            retry = request.copy()
            for name in self.sensitive_headers:
                retry.headers.pop(name, None)
            self.add_credentials(retry)
            return super().send(retry, **kwargs)
        return response

    # -- transport defaults ----------------------------------------------------------------

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> Any:
        if kwargs.get("timeout") is None and len(args) <= TIMEOUT_POSITION:
            kwargs["timeout"] = self._timeout
        return super().request(method, url, *args, **kwargs)

    def merge_environment_settings(
        self, url: str | bytes | None, proxies: Any, stream: Any, verify: Any, cert: Any
    ) -> Any:
        settings = super().merge_environment_settings(url, proxies, stream, verify, cert)
        if verify is None and self.verify is not True:
            settings["verify"] = self.verify  # the condarc wins over *_CA_BUNDLE
        if self.proxies and url and self._bypass_proxy(str(url)):
            settings["proxies"] = {}
        return settings

    def _bypass_proxy(self, url: str) -> bool:
        if self._no_proxy:
            return bool(should_bypass_proxies(url, no_proxy=self._no_proxy))
        return self.trust_env and bool(should_bypass_proxies(url, no_proxy=None))

    def _mount_adapters(self) -> None:
        self.mount("file://", LocalFileAdapter())
        if self.config.offline:
            offline = OfflineAdapter()
            for prefix in NETWORK_SCHEMES:
                self.mount(prefix, offline)
            return
        retry = make_retry(
            self.config.max_retries, self.config.backoff_factor, self.config.max_retry_after
        )
        adapter_class: type[HTTPAdapter] = HTTPAdapter
        if self.config.ssl_verify == "truststore":
            adapter_class = TruststoreAdapter
        for prefix in ("http://", "https://"):
            self.mount(prefix, adapter_class(max_retries=retry, pool_maxsize=32))

    # -- command line (conda-session login/logout/status) ----------------------------------

    @classmethod
    def add_login_arguments(cls, parser: argparse.ArgumentParser) -> None:
        """Add this session's options to ``conda-session login`` (e.g. ``--username``).

        Options of every installed session are added to one parser, so name them
        distinctly; they are only read when ``--session`` selects this class.
        """

    @classmethod
    def login(cls, request: LoginRequest) -> Mapping[str, str]:
        """Obtain and store credentials for ``request.channel``; return entry settings.

        The returned flat string map is written into the user condarc entry beside
        ``channel`` and ``auth`` (never a secret). Raise a ``ContractError`` to abort; the
        condarc is then left untouched, so store secrets last (after any verification).
        """
        return {}

    @classmethod
    def logout(cls, request: LogoutRequest) -> bool:
        """Forget stored credentials for ``request.channel``; return whether any existed."""
        return False

    @classmethod
    def status(cls, request: StatusRequest) -> Mapping[str, str]:
        """Redacted facts for ``conda-session status`` (e.g. ``{"username": "ci-bot",
        "credential": "keyring"}``); never a secret value."""
        return {}


@dataclass
class LoginRequest:
    """What ``conda-session login`` hands to :meth:`CondaSession.login`."""

    channel: ChannelMatch
    session_name: str
    args: argparse.Namespace
    config: SessionConfig
    store: CredentialStore
    interactive: bool
    stdin: IO[str]
    stderr: IO[str]
    environ: Mapping[str, str] = field(default_factory=dict)

    def make_session(self, session_class: type[CondaSession]) -> CondaSession:
        """A session for this channel, e.g. to verify credentials before storing them."""
        return session_class(channel=self.channel, config=self.config)


@dataclass
class LogoutRequest:
    """What ``conda-session logout`` hands to :meth:`CondaSession.logout`."""

    channel: ChannelMatch
    session_name: str
    config: SessionConfig
    store: CredentialStore
    environ: Mapping[str, str] = field(default_factory=dict)


@dataclass
class StatusRequest:
    """What ``conda-session status`` hands to :meth:`CondaSession.status`."""

    channel: ChannelMatch
    session_name: str
    config: SessionConfig
    store: CredentialStore
    environ: Mapping[str, str] = field(default_factory=dict)


class _ChannelScopedAuth(AuthBase):
    """The session's ``auth``: calls ``add_credentials`` for in-channel requests only."""

    def __init__(self, session: CondaSession) -> None:
        self._session = session

    def __call__(self, request: PreparedRequest) -> PreparedRequest:
        return self._session.apply_auth(request)

    def __repr__(self) -> str:
        return f"<channel-scoped auth of {self._session!r}>"


def _bounded_put(cache: dict[str, bool], key: str, value: bool) -> None:
    if len(cache) >= URL_CACHE_LIMIT:
        cache.clear()
    cache[key] = value


def check_transport(url: str, settings: Mapping[str, str]) -> None:
    """Credentials go over HTTPS; plain HTTP only to loopback or with ``allow_http: true``."""
    origin = Origin.of(url)
    if origin.scheme == "https" or (origin.scheme == "http" and origin.is_loopback):
        return
    if origin.scheme == "http" and setting_is_true(settings, ALLOW_HTTP_SETTING):
        return
    raise CredentialsError(
        f"refusing to send credentials to {origin} over {origin.scheme}: use https, or opt "
        f"in for this channel with `{ALLOW_HTTP_SETTING}: true` (login --allow-http)"
    )


def default_user_agent() -> str:
    system = platform.system() or "unknown"
    return (
        f"conda-session/{__version__} requests/{requests.__version__} "
        f"{platform.python_implementation()}/{platform.python_version()} "
        f"{system}/{platform.release()}"
    )


def channel_for(text: str, config: SessionConfig) -> ChannelMatch:
    """A ``ChannelMatch`` for a channel given on the command line (entry settings if any)."""
    pattern = ChannelPattern.parse(text, config.channel_alias)
    for entry in reversed(config.channels):
        if entry.pattern == pattern:
            return entry
    return ChannelMatch(pattern=pattern, session_name=None)


class UnsafeRedirect(requests.exceptions.InvalidSchema):
    """A server redirected to a non-http(s) URL (e.g. ``file:///etc/passwd``)."""


def _verify_value(value: bool | str) -> bool | str:
    return True if value == "truststore" else value


def check_client_cert(config: SessionConfig) -> None:
    """A missing or unreadable client certificate (or key) file is named with its cause,
    instead of surfacing as a bare ``OSError`` from deep inside requests."""
    for key in ("client_ssl_cert", "client_ssl_cert_key"):
        path = getattr(config, key)
        if path:
            _check_readable_file(key, path)


def _cert_value(config: SessionConfig) -> str | tuple[str, str] | None:
    if config.client_ssl_cert and config.client_ssl_cert_key:
        return (config.client_ssl_cert, config.client_ssl_cert_key)
    return config.client_ssl_cert


def _check_readable_file(key: str, path: str) -> None:
    from plugin_contract.files import kind_of

    file = Path(path).expanduser()
    try:
        mode = file.stat().st_mode
    except OSError as error:
        cause = "does not exist" if isinstance(error, FileNotFoundError) else error.strerror
        raise ConfigError(f"{key} {path}: {cause}; fix the path in the condarc") from None
    if not stat.S_ISREG(mode):
        raise ConfigError(f"{key} {path} is {kind_of(mode)}, not a certificate file")
    if not os.access(file, os.R_OK):
        raise ConfigError(f"{key} {path}: permission denied")
