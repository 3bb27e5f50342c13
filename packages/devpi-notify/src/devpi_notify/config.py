"""The ``--notify-config`` file: delivery targets and worker settings, validated at startup."""

from __future__ import annotations

import ipaddress
import ssl
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

from plugin_contract.devpi import Secret, load_yaml_config, secret_from
from plugin_contract.errors import ConfigError

TARGET_TYPES = ("webhook", "slack", "email", "github_dispatch", "gitlab_trigger", "jenkins")
EVENT_TYPES = (
    "file_uploaded",
    "file_pushed",
    "docs_uploaded",
    "file_removed",
    "version_created",
    "version_changed",
    "version_deleted",
)
T = TypeVar("T")
SEND_FROM = ("primary", "replicas", "all")
TOP_KEYS = {"targets", "worker", "server_url"}
WORKER_KEYS = {
    "poll_interval",
    "max_attempts",
    "backoff_initial",
    "backoff_max",
    "send_from",
    "announce_history",
    "retention_days",
}
COMMON_TARGET_KEYS = {"type", "timeout"}
HTTP_KEYS = {"headers", "auth", "allow_http", "ca_file"}
TOKEN_KEYS = {"token", "token_env", "token_file"}
AUTH_TYPES = ("bearer", "basic")
AUTH_KEYS = {"type", "username", *TOKEN_KEYS, "password", "password_env", "password_file"}
RESERVED_HEADERS = {"authorization", "content-type", "content-length", "host"}
TARGET_KEYS = {
    "webhook": {"url", "secret", "secret_env", "secret_file", "unsigned", *HTTP_KEYS},
    "github_dispatch": {"repository", "api_url", "event_type", *TOKEN_KEYS, *HTTP_KEYS},
    "gitlab_trigger": {"url", "project", "ref", *TOKEN_KEYS, *HTTP_KEYS},
    "jenkins": {
        "url",
        "job",
        "username",
        *TOKEN_KEYS,
        "build_token",
        "build_token_env",
        "build_token_file",
        *HTTP_KEYS,
    },
    "slack": {"url_env", "url_file", "url", *HTTP_KEYS},
    "email": {
        "host",
        "port",
        "starttls",
        "username",
        "password_env",
        "password_file",
        "password",
        "from",
        "to",
        "ca_file",
    },
}


@dataclass(frozen=True)
class WorkerSettings:
    poll_interval: float = 2.0
    max_attempts: int = 10
    backoff_initial: float = 2.0
    backoff_max: float = 900.0
    send_from: str = "primary"
    announce_history: bool = False

    def sends(self, is_replica: bool) -> bool:
        """Does a server of this role send? (``primary``: a primary or standalone server.)"""
        if self.send_from == "all":
            return True
        return is_replica == (self.send_from == "replicas")

    retention_days: float = 30.0


@dataclass(frozen=True)
class HttpAuth:
    """``Authorization`` for an HTTP target: a bearer token, or basic user and password."""

    type: str
    secret: Secret
    username: str | None = None

    def __repr__(self) -> str:
        return f"HttpAuth(type={self.type!r})"


@dataclass(frozen=True)
class Target:
    """One named destination; ``url`` of a slack target is itself a secret."""

    name: str
    type: str
    timeout: float = 10.0
    url: str | None = None
    secret: Secret | None = None
    url_secret: Secret | None = None
    ca_file: str | None = None
    host: str | None = None
    port: int = 587
    starttls: bool = True
    username: str | None = None
    password: Secret | None = None
    sender: str | None = None
    recipients: tuple[str, ...] = ()
    headers: tuple[tuple[str, str], ...] = ()
    auth: HttpAuth | None = None
    unsigned: bool = False
    token: Secret | None = None
    build_token: Secret | None = None
    repository: str | None = None
    event_type: str = "devpi-notify"
    project: str | None = None
    ref: str | None = None
    job: str | None = None

    def __repr__(self) -> str:
        return f"Target(name={self.name!r}, type={self.type!r})"


@dataclass(frozen=True)
class NotifyConfig:
    targets: Mapping[str, Target] = field(default_factory=dict)
    worker: WorkerSettings = field(default_factory=WorkerSettings)
    server_url: str | None = None


def load_notify_config(path: str | Path, environ: Mapping[str, str] | None = None) -> NotifyConfig:
    """Read and validate the file; every problem is one :class:`ConfigError` line."""
    data = load_yaml_config(path, top_key="devpi-notify")
    where = f"notify config {str(path)!r}"
    return parse_notify_config(data, where=where, environ=environ)


def parse_notify_config(
    data: Mapping[str, Any], *, where: str, environ: Mapping[str, str] | None = None
) -> NotifyConfig:
    """Every problem is reported at once: one line each, in one :class:`ConfigError`."""
    problems: list[str] = []

    def check(step: Callable[[], T]) -> T | None:
        try:
            return step()
        except ConfigError as error:
            problems.append(str(error))
            return None

    check(lambda: _reject_unknown(data, TOP_KEYS, where))
    targets_data = data.get("targets") or {}
    targets: dict[str, Target] = {}
    if not isinstance(targets_data, Mapping) or not targets_data:
        problems.append(f"{where}: 'targets' must map target names to their settings")
    else:
        for name, spec in targets_data.items():
            target = check(partial(_parse_target, str(name), spec, where=where, environ=environ))
            if target is not None:
                targets[str(name)] = target
    server_url = data.get("server_url")
    if server_url is not None:
        server_url = str(server_url).rstrip("/")
        if urlsplit(server_url).scheme not in ("http", "https"):
            problems.append(f"{where}: server_url must be an http(s) URL, not {server_url!r}")
    worker = check(lambda: _parse_worker(data.get("worker") or {}, where=f"{where}: worker"))
    if problems or worker is None:
        raise ConfigError("\n".join(problems))
    return NotifyConfig(targets=targets, worker=worker, server_url=server_url)


def _reject_unknown(data: Mapping[str, Any], known: set[str], where: str) -> None:
    unknown = sorted(str(key) for key in data if key not in known)
    if unknown:
        raise ConfigError(
            f"{where}: unknown key(s) {', '.join(unknown)}; known: {', '.join(sorted(known))}"
        )


def _parse_worker(data: Any, *, where: str) -> WorkerSettings:
    if not isinstance(data, Mapping):
        raise ConfigError(f"{where} must be a mapping")
    _reject_unknown(data, WORKER_KEYS, where)
    defaults = WorkerSettings()
    settings = WorkerSettings(
        poll_interval=_positive(data, "poll_interval", defaults.poll_interval, where),
        max_attempts=int(_positive(data, "max_attempts", defaults.max_attempts, where)),
        backoff_initial=_positive(data, "backoff_initial", defaults.backoff_initial, where),
        backoff_max=_positive(data, "backoff_max", defaults.backoff_max, where),
        send_from=_choice(data, "send_from", defaults.send_from, SEND_FROM, where),
        announce_history=_boolean(data, "announce_history", defaults.announce_history, where),
        retention_days=_positive(data, "retention_days", defaults.retention_days, where),
    )
    if settings.backoff_max < settings.backoff_initial:
        raise ConfigError(f"{where}: backoff_max must not be below backoff_initial")
    return settings


def _positive(data: Mapping[str, Any], key: str, default: float, where: str) -> float:
    value = data.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        raise ConfigError(f"{where}: {key} must be a positive number, not {value!r}")
    return float(value)


def _choice(
    data: Mapping[str, Any], key: str, default: str, choices: tuple[str, ...], where: str
) -> str:
    value = data.get(key, default)
    if value not in choices:
        raise ConfigError(f"{where}: {key} must be one of {', '.join(choices)}, not {value!r}")
    return str(value)


def _boolean(data: Mapping[str, Any], key: str, default: bool, where: str) -> bool:
    value = data.get(key, default)
    if not isinstance(value, bool):
        raise ConfigError(f"{where}: {key} must be true or false, not {value!r}")
    return value


def _parse_target(name: str, spec: Any, *, where: str, environ: Mapping[str, str] | None) -> Target:
    here = f"{where}: targets.{name}"
    if not name.replace("-", "").replace("_", "").isalnum():
        raise ConfigError(f"{here}: target names may hold letters, digits, '-' and '_' only")
    if not isinstance(spec, Mapping):
        raise ConfigError(f"{here} must be a mapping with at least 'type'")
    kind = spec.get("type")
    if kind not in TARGET_TYPES:
        raise ConfigError(f"{here}: type must be one of {', '.join(TARGET_TYPES)}, not {kind!r}")
    _reject_unknown(spec, COMMON_TARGET_KEYS | TARGET_KEYS[kind], here)
    timeout = _positive(spec, "timeout", 10.0, here)
    ca = _ca_file(spec.get("ca_file"), here)
    if kind == "email":
        return _parse_email_target(name, spec, here, timeout, ca, environ)
    http: dict[str, Any] = {
        "headers": _headers(spec.get("headers"), here),
        "auth": _auth(spec.get("auth"), here, environ),
        "ca_file": ca,
    }
    if kind == "webhook":
        url = _checked_url(spec.get("url"), spec, here)
        unsigned = _boolean(spec, "unsigned", False, here)
        secret = secret_from(spec, "secret", where=here, required=not unsigned, environ=environ)
        if unsigned and secret is not None:
            raise ConfigError(f"{here}: unsigned: true and a signing secret exclude each other")
        return Target(name, kind, timeout, url=url, secret=secret, unsigned=unsigned, **http)
    if kind == "slack":
        url_secret = secret_from(spec, "url", where=here, required=True, environ=environ)
        assert url_secret is not None
        _checked_url(url_secret.reveal(), spec, here, show=False)
        return Target(name, kind, timeout, url_secret=url_secret, **http)
    token = secret_from(spec, "token", where=here, required=kind != "jenkins", environ=environ)
    if http["auth"] is not None and kind != "jenkins":
        raise ConfigError(f"{here}: {kind} authenticates with token_env/token_file, not auth")
    if kind == "github_dispatch":
        repository = _required_text(spec, "repository", here)
        if repository.count("/") != 1:
            raise ConfigError(f"{here}: repository must be OWNER/NAME, not {repository!r}")
        api_url = _checked_url(spec.get("api_url", "https://api.github.com"), spec, here)
        event_type = str(spec.get("event_type", "devpi-notify"))
        return Target(
            name, kind, timeout, url=api_url.rstrip("/"), token=token,
            repository=repository, event_type=event_type, **http,
        )  # fmt: skip
    if kind == "gitlab_trigger":
        url = _checked_url(spec.get("url"), spec, here)
        project = str(spec.get("project") or "")
        if not project:
            raise ConfigError(f"{here}: project (the GitLab project id or path) is required")
        ref = _required_text(spec, "ref", here)
        return Target(
            name, kind, timeout, url=url.rstrip("/"), token=token, project=project, ref=ref,
            **http,
        )  # fmt: skip
    url = _checked_url(spec.get("url"), spec, here)
    job = _required_text(spec, "job", here).strip("/")
    username = spec.get("username")
    if (username is None) != (token is None):
        raise ConfigError(f"{here}: set both username and token_env/token_file (an API token)")
    if username is not None:
        api_token = token
        assert api_token is not None
        http["auth"] = HttpAuth("basic", api_token, str(username))
    build_token = secret_from(spec, "build_token", where=here, environ=environ)
    if http["auth"] is None and build_token is None:
        raise ConfigError(f"{here}: set username and token_env/token_file, or build_token_env")
    url = url.rstrip("/")
    return Target(name, kind, timeout, url=url, job=job, build_token=build_token, **http)


def _ca_file(value: Any, here: str) -> str | None:
    """The path of a PEM bundle of CA certificates that TLS to this target trusts (instead of
    the system's), checked now so a typo is a startup error, not a failed delivery."""
    if value is None:
        return None
    if not value or not isinstance(value, str):
        raise ConfigError(f"{here}: ca_file must be the path of a PEM file")
    path = Path(value).expanduser()
    if not path.is_file():
        raise ConfigError(f"{here}: ca_file {value!r} does not exist")
    try:
        ssl.create_default_context(cafile=str(path))
    except (OSError, ssl.SSLError, ValueError):
        raise ConfigError(f"{here}: ca_file {value!r} holds no PEM CA certificate") from None
    return str(path)


def _required_text(spec: Mapping[str, Any], key: str, here: str) -> str:
    value = spec.get(key)
    if not value or not isinstance(value, str):
        raise ConfigError(f"{here}: {key} is required")
    return value


def _headers(value: Any, here: str) -> tuple[tuple[str, str], ...]:
    if value is None:
        return ()
    if not isinstance(value, Mapping):
        raise ConfigError(f"{here}: headers must map header names to values")
    found = []
    for name, text in value.items():
        name = str(name)
        if not name or not all(c.isalnum() or c in "-_" for c in name):
            raise ConfigError(f"{here}: headers: {name!r} is not a header name")
        if name.lower() in RESERVED_HEADERS:
            raise ConfigError(f"{here}: headers: set {name} with auth (or not at all)")
        if not isinstance(text, str | int) or "\n" in str(text) or "\r" in str(text):
            raise ConfigError(f"{here}: headers: {name} must be a one-line text")
        found.append((name, str(text)))
    return tuple(found)


def _auth(value: Any, here: str, environ: Mapping[str, str] | None) -> HttpAuth | None:
    if value is None:
        return None
    where = f"{here}.auth"
    if not isinstance(value, Mapping):
        raise ConfigError(f"{where} must be a mapping with type bearer or basic")
    _reject_unknown(value, AUTH_KEYS, where)
    kind = value.get("type")
    if kind == "bearer":
        token = secret_from(value, "token", where=where, required=True, environ=environ)
        assert token is not None
        return HttpAuth("bearer", token)
    if kind == "basic":
        username = value.get("username")
        if not username or not isinstance(username, str):
            raise ConfigError(f"{where}: basic auth needs username")
        password = secret_from(value, "password", where=where, required=True, environ=environ)
        assert password is not None
        return HttpAuth("basic", password, username)
    raise ConfigError(f"{where}: type must be one of {', '.join(AUTH_TYPES)}, not {kind!r}")


def _parse_email_target(
    name: str,
    spec: Mapping[str, Any],
    here: str,
    timeout: float,
    ca_file: str | None,
    environ: Mapping[str, str] | None,
) -> Target:
    host = spec.get("host")
    if not host or not isinstance(host, str):
        raise ConfigError(f"{here}: host (the SMTP server) is required")
    port = spec.get("port", 587)
    if isinstance(port, bool) or not isinstance(port, int) or not 0 < port < 65536:
        raise ConfigError(f"{here}: port must be a TCP port number, not {port!r}")
    starttls = _boolean(spec, "starttls", True, here)
    if not starttls and not is_loopback(host):
        raise ConfigError(f"{here}: starttls: false is only allowed for a loopback SMTP server")
    username = spec.get("username")
    password = secret_from(spec, "password", where=here, environ=environ)
    if (username is None) != (password is None):
        raise ConfigError(f"{here}: set both username and password_env/password_file, or neither")
    if password is not None and not starttls:
        raise ConfigError(f"{here}: SMTP auth needs starttls: true")
    sender = spec.get("from")
    recipients = spec.get("to")
    if isinstance(recipients, str):
        recipients = [recipients]
    if not sender or not isinstance(sender, str):
        raise ConfigError(f"{here}: from (the sender address) is required")
    if not recipients or not all(isinstance(item, str) and item for item in recipients):
        raise ConfigError(f"{here}: to must be an address or a list of addresses")
    return Target(
        name,
        "email",
        timeout,
        ca_file=ca_file,
        host=host,
        port=port,
        starttls=starttls,
        username=None if username is None else str(username),
        password=password,
        sender=sender,
        recipients=tuple(recipients),
    )


def _checked_url(url: Any, spec: Mapping[str, Any], here: str, *, show: bool = True) -> str:
    shown = repr(url) if show else "(from the secret source)"
    if not url or not isinstance(url, str):
        raise ConfigError(f"{here}: url is required")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(f"{here}: url {shown} must be an http(s) URL with a host")
    if parts.username or parts.password:
        raise ConfigError(f"{here}: url must not hold credentials; use secret_env/secret_file")
    allow_http = _boolean(spec, "allow_http", False, here)
    if parts.scheme == "http" and not allow_http and not is_loopback(parts.hostname):
        raise ConfigError(
            f"{here}: url {shown} uses plain http to a non-loopback host; use https "
            "(or set allow_http: true if you accept unencrypted delivery)"
        )
    return url


def is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False
