"""``BasicAuthSession``: HTTP basic auth for one channel, looked up once, sent only in scope."""

from __future__ import annotations

import argparse
import getpass
import sys
import threading
from collections.abc import Mapping

from requests import PreparedRequest, Response

from plugin_contract.devpi import Secret
from plugin_contract.session import (
    ALLOW_HTTP_SETTING,
    BeforeActionContext,
    ChannelMatch,
    CondaSession,
    CredentialsError,
    CredentialStore,
    LoginRequest,
    LogoutRequest,
    SessionConfig,
    SessionError,
    StatusRequest,
    check_transport,
    forget_remembered,
    remember,
)
from session_basic_auth.sources import (
    SESSION_NAME,
    FoundCredentials,
    describe_sources,
    env_prefix,
    find_credentials,
)

VERIFY_PATH = "noarch/repodata.json"


class BasicAuthSession(CondaSession):
    """Adds ``Authorization: Basic ...`` to requests inside the matched channel only."""

    session_name = SESSION_NAME

    def __init__(
        self,
        *,
        channel: ChannelMatch | None = None,
        config: SessionConfig | None = None,
        store: CredentialStore | None = None,
    ) -> None:
        super().__init__(channel=channel, config=config)
        self._store = store or CredentialStore()
        self._lock = threading.Lock()
        self._looked_up = False
        self._found: FoundCredentials | None = None
        self._header: Secret | None = None
        self.credential_lookups = 0

    # -- credentials --------------------------------------------------------------------

    def use_credentials(self, username: str, password: Secret, source: str) -> None:
        """Use these credentials from now on (login --verify, before-action prompt)."""
        found = FoundCredentials(username, password, source)
        with self._lock:
            self._found, self._header, self._looked_up = found, _header_for(found), True

    def credentials(self) -> FoundCredentials | None:
        """The credentials in use, looked up once (thread-safe) in the documented order."""
        if self._looked_up:
            return self._found
        with self._lock:
            if not self._looked_up and self.channel is not None:
                self.credential_lookups += 1
                found = find_credentials(self.channel, self.config.environ, self._store)
                self._found = found
                self._header = _header_for(found) if found is not None else None
                self._looked_up = True
        return self._found

    def add_credentials(self, request: PreparedRequest) -> None:
        assert self.channel is not None  # only called in scope
        self.refuse_plaintext(request.url or "")
        if self.credentials() is None or self._header is None:
            raise CredentialsError(
                f"no credentials for {self.channel.key}: looked in {describe_sources(self.channel)}"
            )
        request.headers["Authorization"] = self._header.reveal()

    def explain_status(self, response: Response) -> str:
        if response.status_code not in (401, 403) or self.channel is None:
            return ""
        found = self._found
        if found is None:
            return f"no credentials were sent; looked in {describe_sources(self.channel)}"
        return (
            f"credentials of user {found.username!r} from {found.source} were rejected; update "
            f"them with `conda-session login {self.channel.key} --session {SESSION_NAME} "
            f"--username USER`"
        )

    # -- command line ---------------------------------------------------------------------

    @classmethod
    def add_login_arguments(cls, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--username", help="basic-auth: the user name")
        parser.add_argument(
            "--password-stdin",
            action="store_true",
            help="basic-auth: read the password from the first line of stdin",
        )

    @classmethod
    def login(cls, request: LoginRequest) -> Mapping[str, str]:
        args = request.args
        channel = request.channel
        username = (getattr(args, "username", None) or "").strip()
        if not username:
            raise CredentialsError("basic-auth login needs --username USER")
        if ":" in username:
            raise CredentialsError("a basic-auth username cannot contain ':'")
        settings: dict[str, str] = {}
        if getattr(args, "allow_http", False):
            settings[ALLOW_HTTP_SETTING] = "true"
        channel = ChannelMatch(
            channel.pattern, SESSION_NAME, {**channel.settings, **settings}, channel.source
        )
        if channel.pattern.origin is not None:
            check_transport(f"{channel.key}/", channel.settings)
        password = _read_password(request, username)
        if getattr(args, "verify", False):
            _verify(request, channel, username, password)
        request.store.save(SESSION_NAME, channel.key, {"username": username, "password": password})
        return settings

    @classmethod
    def logout(cls, request: LogoutRequest) -> bool:
        forget_remembered()
        return request.store.delete(SESSION_NAME, request.channel.key)

    @classmethod
    def status(cls, request: StatusRequest) -> Mapping[str, str]:
        found = find_credentials(request.channel, request.environ, request.store)
        facts = {"env_prefix": env_prefix(request.channel)}
        if found is None:
            facts["credential"] = "none found"
        else:
            facts.update({"username": found.username, "credential": found.source})
        return facts


def _header_for(found: FoundCredentials) -> Secret:
    import base64

    token = f"{found.username}:{found.password.reveal()}".encode()
    return Secret("Basic " + base64.b64encode(token).decode("ascii"), found.source)


def _read_password(request: LoginRequest, username: str) -> str:
    if getattr(request.args, "password_stdin", False):
        password = request.stdin.readline().rstrip("\r\n")
    elif request.interactive:
        password = getpass.getpass(f"password for {username} at {request.channel.key}: ")
    else:
        raise CredentialsError(
            "no password: pass --password-stdin and pipe it in (this run is not interactive)"
        )
    if not password:
        raise CredentialsError("the password is empty; nothing was saved")
    return password


def _verify(request: LoginRequest, channel: ChannelMatch, username: str, password: str) -> None:
    import requests

    if channel.pattern.origin is None:
        raise SessionError("--verify needs a channel URL without wildcards")
    url = f"{channel.key.rstrip('/')}/{VERIFY_PATH}"
    session = BasicAuthSession(channel=channel, config=request.config, store=request.store)
    session.use_credentials(username, Secret(password, "login"), "login")
    try:
        with session.get(url, stream=True) as response:
            status = response.status_code
    except requests.exceptions.RequestException as error:
        raise SessionError(
            f"could not verify against {url} ({type(error).__name__}); nothing was saved"
        ) from None
    finally:
        session.close()
    if status in (401, 403):
        raise CredentialsError(
            f"{channel.key} rejected the credentials of {username!r} (HTTP {status}); "
            "nothing was saved"
        )
    if status >= 400:
        print(
            f"conda-session: warning: could not verify (HTTP {status} for {url}); saving anyway",
            file=sys.stderr,
        )


def prepare_before_action(context: BeforeActionContext) -> None:
    """The before-action: make sure every basic-auth channel has credentials, prompting once."""
    for use in context.uses_of(SESSION_NAME):
        session = context.session_for(use)
        if not isinstance(session, BasicAuthSession) or session.credentials() is not None:
            continue
        channel = use.channel
        why = f"no credentials for {channel.key} ({describe_sources(channel)})"
        username = channel.settings.get("username") or context.prompt(
            f"username for {channel.key}: ", why=why
        )
        password = context.prompt(
            f"password for {username} at {channel.key}: ", secret=True, why=why
        )
        if not password:
            raise CredentialsError(f"no password given for {channel.key}")
        remember(SESSION_NAME, channel.key, {"username": username, "password": password})
        session.use_credentials(username, Secret(password, "prompt"), "prompt")
