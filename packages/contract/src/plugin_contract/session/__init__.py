"""Session selection per conda channel: the ``conda_session_classes`` contract.

API summary (stable; later changes are additive only)
====================================================

Hooks (``plugin_contract.conda.hookspecs``, mark with ``plugin_contract.conda.hookimpl``):

- ``conda_session_classes() -> Iterable[CondaSessionClass(name, session_class, summary="")]``
- ``conda_before_actions() -> Iterable[CondaBeforeAction(name, action, run_for=frozenset())]``;
  ``action(ctx: BeforeActionContext)`` runs once in the main thread before a command uses the
  network; ``ctx.channels`` lists ``ChannelUse(channel, session_name, url)``;
  ``ctx.uses_of(name)``; ``ctx.session_for(use)`` (the shared session);
  ``ctx.prompt(text, secret=True, why=...)`` raises ``CredentialsError`` when
  ``ctx.interactive`` is false.
- Real conda bridge: ``conda_auth_handlers_for(name)`` (module ``conda_bridge``) yields
  conda's ``CondaAuthHandler(name, handler)`` whose handler (a ``ChannelAuthBase``) delegates
  to the session's ``apply_auth``; yields nothing when conda is not installed.

Session classes (``base``):

- ``CondaSession(requests.Session)``, constructed as
  ``cls(*, channel: ChannelMatch | None, config: SessionConfig)`` once per (class, channel).
  ``self.channel`` / ``self.settings`` (flat ``str -> str`` of the matched entry) /
  ``self.config``. Defaults: retries on 413/429/500/502/503/504 honouring ``Retry-After``,
  (connect, read) timeouts, User-Agent, proxies + ``NO_PROXY``, ``ssl_verify`` (bool, CA path,
  ``truststore``), client certs, offline (``OfflineError``; ``file://`` works).
- Override ``add_credentials(request)`` (called only when ``in_scope(request.url)``: inside
  the matched channel), ``refresh_credentials(response) -> bool`` (once after a 401, True
  retries), ``sensitive_headers`` (stripped on redirects that leave the origin; credentials
  are re-added only inside the channel). ``apply_auth(request)`` is the scoped entry point.
- ``refuse_plaintext(url)`` raises ``CredentialsError`` unless HTTPS, loopback HTTP, or
  the channel setting ``allow_http: true``; ``explain_status(response) -> str`` adds a hint to
  ``conda-session fetch`` errors.
- CLI classmethods: ``add_login_arguments(parser)`` (common options already present:
  ``--verify`` -> ``args.verify``, ``--allow-http`` -> ``args.allow_http``),
  ``login(LoginRequest) -> settings``, ``logout(LogoutRequest) -> bool``,
  ``status(StatusRequest) -> Mapping[str, str]`` (redacted).
  Requests carry ``channel``, ``session_name``, ``config``, ``store`` (and for login ``args``,
  ``interactive``, ``stdin``, ``stderr``, ``make_session(cls)``).

Channels (``channels``):

- ``ChannelPattern.parse(text, channel_alias)``: scheme/host/port exact, optional leading
  ``*.`` host label, whole path segments (``/*`` suffix optional); ``.contains(url)``,
  ``.origin`` (``Origin(scheme, host, port)`` or ``None`` for ``*.``), ``.is_loopback``.
- ``ChannelMatch(pattern, session_name, settings, source, written)``: ``.key`` (stable identity,
  no trailing ``/*``), ``.conda_channel`` (the ``channel:`` conda compares),
  ``.contains(url)``, ``.same_origin(url)``.

Configuration (``config``): ``SessionConfig.load(environ=None, paths=None)`` reads the condarc
search path; ``.match(url)`` (conda's pick: the last matching entry), ``.session_name_for(match)``;
``user_condarc()``; ``setting_is_true(settings, key)``.

Selection (``registry``): ``get_session(url)`` (cached per (class, channel), thread-safe),
``clear_session_cache()``, ``SessionRegistry(config=, classes=, before_actions=)`` with
``.resolve(url) -> Resolution(session_name, session_class, channel)``, ``.get_session(url)``;
``run_before_actions(command, urls, registry=, interactive=)`` (also ``registry``).

Files (``files``): ``read_text(path, what=, limit=, private=)`` and
``read_secret_file(path, what=)`` read regular files only, bounded, UTF-8; every problem is a
one-line ``FileReadError`` (``.reason``: missing, not-regular, too-large, not-private, ...).

Credentials (``credentials``): ``CredentialStore()`` over the system keyring
(``load/save/delete(session_name, channel_key[, record])``, JSON string records);
``remember/remembered(session_name, channel_key)`` for process-only credentials (prompts);
``keyring_call(keyring, method, *args)`` for a plugin's own keyring records (locked; atomic on
one-file backends).
``Secret`` (never shown in repr/str). Errors (``errors``): ``SessionError``,
``UnknownSessionError``, ``OfflineError``, ``CredentialsError``, ``CredentialStoreError``,
``HTTPStatusError``; all ``ContractError`` (one line, no traceback in the CLI).

CLI ``conda-session``: ``login CHANNEL --session NAME [plugin options]``, ``logout CHANNEL``,
``status [--json]``, ``which URL``, ``fetch URL [-o FILE]``.

Names below are imported lazily, so ``import plugin_contract.session.types`` needs no
``requests``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from plugin_contract._lazy import lazy_getattr

if TYPE_CHECKING:
    from plugin_contract.files import FileReadError, read_secret_file, read_text
    from plugin_contract.secret import Secret
    from plugin_contract.session.base import (
        ALLOW_HTTP_SETTING,
        CondaSession,
        LoginRequest,
        LogoutRequest,
        StatusRequest,
        UnsafeRedirect,
        check_transport,
    )
    from plugin_contract.session.before import BeforeActionContext, ChannelUse
    from plugin_contract.session.channels import ChannelMatch, ChannelPattern, Origin, safe_url
    from plugin_contract.session.conda_bridge import conda_auth_handlers_for, make_auth_handler
    from plugin_contract.session.config import SessionConfig
    from plugin_contract.session.credentials import (
        CredentialStore,
        forget_remembered,
        keyring_call,
        remember,
        remembered,
    )
    from plugin_contract.session.errors import (
        CredentialsError,
        CredentialStoreError,
        HTTPStatusError,
        OfflineError,
        SessionError,
        UnknownSessionError,
    )
    from plugin_contract.session.registry import (
        SessionRegistry,
        clear_session_cache,
        get_session,
        run_before_actions,
    )
    from plugin_contract.session.types import CondaBeforeAction, CondaSessionClass
    from plugin_contract.session.url_scope import is_loopback_host

_EXPORTS = {
    "FileReadError": "plugin_contract.files",
    "read_secret_file": "plugin_contract.files",
    "read_text": "plugin_contract.files",
    "Secret": "plugin_contract.secret",
    "ALLOW_HTTP_SETTING": "plugin_contract.session.base",
    "CondaSession": "plugin_contract.session.base",
    "check_transport": "plugin_contract.session.base",
    "LoginRequest": "plugin_contract.session.base",
    "LogoutRequest": "plugin_contract.session.base",
    "StatusRequest": "plugin_contract.session.base",
    "BeforeActionContext": "plugin_contract.session.before",
    "ChannelUse": "plugin_contract.session.before",
    "run_before_actions": "plugin_contract.session.registry",
    "ChannelMatch": "plugin_contract.session.channels",
    "ChannelPattern": "plugin_contract.session.channels",
    "Origin": "plugin_contract.session.channels",
    "SessionConfig": "plugin_contract.session.config",
    "CredentialStore": "plugin_contract.session.credentials",
    "forget_remembered": "plugin_contract.session.credentials",
    "keyring_call": "plugin_contract.session.credentials",
    "remember": "plugin_contract.session.credentials",
    "remembered": "plugin_contract.session.credentials",
    "CredentialsError": "plugin_contract.session.errors",
    "CredentialStoreError": "plugin_contract.session.errors",
    "HTTPStatusError": "plugin_contract.session.errors",
    "OfflineError": "plugin_contract.session.errors",
    "SessionError": "plugin_contract.session.errors",
    "UnknownSessionError": "plugin_contract.session.errors",
    "SessionRegistry": "plugin_contract.session.registry",
    "clear_session_cache": "plugin_contract.session.registry",
    "get_session": "plugin_contract.session.registry",
    "CondaBeforeAction": "plugin_contract.session.types",
    "conda_auth_handlers_for": "plugin_contract.session.conda_bridge",
    "make_auth_handler": "plugin_contract.session.conda_bridge",
    "CondaSessionClass": "plugin_contract.session.types",
    "is_loopback_host": "plugin_contract.session.url_scope",
    "safe_url": "plugin_contract.session.channels",
    "UnsafeRedirect": "plugin_contract.session.base",
}

__all__ = [
    "ALLOW_HTTP_SETTING",
    "BeforeActionContext",
    "ChannelMatch",
    "ChannelPattern",
    "ChannelUse",
    "CondaBeforeAction",
    "CondaSession",
    "CondaSessionClass",
    "CredentialStore",
    "CredentialStoreError",
    "CredentialsError",
    "FileReadError",
    "HTTPStatusError",
    "LoginRequest",
    "LogoutRequest",
    "OfflineError",
    "Origin",
    "Secret",
    "SessionConfig",
    "SessionError",
    "SessionRegistry",
    "StatusRequest",
    "UnknownSessionError",
    "UnsafeRedirect",
    "check_transport",
    "clear_session_cache",
    "conda_auth_handlers_for",
    "forget_remembered",
    "get_session",
    "is_loopback_host",
    "keyring_call",
    "make_auth_handler",
    "read_secret_file",
    "read_text",
    "remember",
    "remembered",
    "run_before_actions",
    "safe_url",
]

__getattr__ = lazy_getattr(__name__, _EXPORTS)
