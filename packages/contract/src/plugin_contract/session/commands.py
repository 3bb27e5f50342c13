"""The subcommands of ``conda-session``; ``cli.main`` parses and dispatches here."""

from __future__ import annotations

import argparse
import json
import os
import stat
import sys
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, NoReturn

from plugin_contract.__about__ import __version__
from plugin_contract.errors import ContractError, PluginError
from plugin_contract.redaction import redact_settings, strip_userinfo
from plugin_contract.session.base import (
    CondaSession,
    LoginRequest,
    LogoutRequest,
    StatusRequest,
    channel_for,
)
from plugin_contract.session.before import is_interactive
from plugin_contract.session.channels import ChannelMatch, safe_url
from plugin_contract.session.condarc_writer import (
    remove_channel_entry,
    upsert_channel_entry,
)
from plugin_contract.session.config import user_condarc
from plugin_contract.session.credentials import CredentialStore
from plugin_contract.session.errors import HTTPStatusError, SessionError
from plugin_contract.session.registry import SessionRegistry, run_before_actions

PROG = "conda-session"
CHUNK = 1 << 16


class _Parser(argparse.ArgumentParser):
    """No abbreviated options (``--password`` is not ``--password-stdin``), and an error about
    unrecognised arguments names only the options, never their values (maybe a password)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("allow_abbrev", False)
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> NoReturn:
        prefix = "unrecognized arguments: "
        if message.startswith(prefix):
            names = [w.split("=", 1)[0] for w in message[len(prefix) :].split() if w[:1] == "-"]
            shown = " ".join(names) or "(values not shown)"
            message = f"{prefix}{shown} (values are not shown)"
        super().error(message)


def build_parser(registry: SessionRegistry, prog: str = PROG) -> argparse.ArgumentParser:
    parser = _Parser(
        prog=prog,
        description="Per-channel network sessions for conda: log in, inspect, fetch.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    login = commands.add_parser("login", help="store credentials for a channel and select it")
    login.add_argument("channel", help="channel URL or pattern, e.g. https://repo.example.com/x")
    login.add_argument("--session", required=True, help="session name, e.g. basic-auth")
    login.add_argument(
        "--verify",
        action="store_true",
        help="check the credentials against the channel first; save nothing if rejected",
    )
    login.add_argument(
        "--allow-http",
        action="store_true",
        help="allow credentials over plain HTTP to this (non-loopback) channel",
    )
    for entry in registry.classes.values():
        cls = entry.session_class
        if isinstance(cls, type) and issubclass(cls, CondaSession):
            group = login.add_argument_group(f"{entry.name} options")
            try:
                cls.add_login_arguments(group)  # type: ignore[arg-type]
            except argparse.ArgumentError as error:
                raise PluginError(
                    f"session {entry.name!r} adds a login option that clashes: {error}"
                ) from None

    logout = commands.add_parser("logout", help="forget a channel's credentials and entry")
    logout.add_argument("channel")
    logout.add_argument("--session", help="session name when the channel has no entry")

    status = commands.add_parser("status", help="configured channels and credentials (redacted)")
    status.add_argument("--json", action="store_true", help="print JSON")

    which = commands.add_parser("which", help="the session and config entry that apply to URL")
    which.add_argument("url")
    which.add_argument("--json", action="store_true", help="print JSON")

    fetch = commands.add_parser("fetch", help="download URL through its configured session")
    fetch.add_argument("url")
    fetch.add_argument("-o", "--output", type=Path, help="write to FILE instead of stdout")
    return parser


def run(argv: Sequence[str], registry: SessionRegistry | None = None, prog: str = PROG) -> int:
    """Parse ``argv`` and run the subcommand; ``prog`` names the command in messages
    (``conda session`` inside conda)."""
    try:
        reg = registry or SessionRegistry()
        args = build_parser(reg, prog).parse_args(argv)
        handler = {
            "login": _login,
            "logout": _logout,
            "status": _status,
            "which": _which,
            "fetch": _fetch,
        }[args.command]
        return handler(args, reg)
    except ContractError as error:
        print(f"{prog}: error: {error}", file=sys.stderr)
        return 1
    except BrokenPipeError:
        raise  # `| head` closed the pipe: cli.main ends quietly
    except OSError as error:
        # requests' errors are OSErrors too; their text may hold URLs, so show only the kind,
        # the file and the system's cause (e.g. "No space left on device")
        where = f" on {error.filename}" if getattr(error, "filename", None) else ""
        reason = f": {error.strerror}" if isinstance(error.strerror, str) else ""
        kind = type(error).__name__
        print(f"{prog}: error: network or file error ({kind}){where}{reason}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"{prog}: error: interrupted", file=sys.stderr)
        return 130


def _session_class(registry: SessionRegistry, name: str) -> type[CondaSession]:
    cls = registry.class_named(name.strip().lower())
    if not (isinstance(cls, type) and issubclass(cls, CondaSession)):
        raise SessionError(f"session {name!r} does not support conda-session login/logout")
    return cls


def _login(args: argparse.Namespace, registry: SessionRegistry) -> int:
    config = registry.config
    name = args.session.strip().lower()
    cls = _session_class(registry, name)
    if not any("login" in vars(k) for k in cls.__mro__ if k is not CondaSession):
        raise SessionError(
            f"session {name!r} has no credentials to log in with; pick an auth session "
            "(e.g. --session basic-auth)"
        )
    existing = channel_for(args.channel, config)
    channel = ChannelMatch(existing.pattern, name, dict(existing.settings), existing.source)
    store = CredentialStore()
    request = LoginRequest(
        channel=channel,
        session_name=name,
        args=args,
        config=config,
        store=store,
        interactive=is_interactive(config.environ),
        stdin=sys.stdin,
        stderr=sys.stderr,
        environ=config.environ,
    )
    path = user_condarc(config.environ)
    try:
        settings = dict(cls.login(request))
        entry = {"auth": name, **settings}
        text = _entry_text(channel)
        upsert_channel_entry(path, channel.pattern, entry, config.channel_alias, text)
    except BaseException:
        try:
            store.rollback()  # the credential that was there before, not a logout
        except ContractError as undo_error:
            warning = f"{PROG}: warning: could not put back the previous credential: {undo_error}"
            print(warning, file=sys.stderr)
        raise
    print(f"logged in to {channel.key} with {name}; channel entry written to {path}")
    return 0


def _entry_text(channel: ChannelMatch) -> str:
    """The entry's ``channel:`` in the form conda matches for every URL of the channel,
    shards included (``ALIAS/basic/*``)."""
    from plugin_contract.conda_match import entry_channel

    return entry_channel(channel.pattern.text)


def _logout(args: argparse.Namespace, registry: SessionRegistry) -> int:
    config = registry.config
    channel = channel_for(args.channel, config)
    name = (args.session or channel.session_name or "").strip().lower()
    if not name:
        raise SessionError(
            f"no session is configured for {channel.key}; pass --session NAME to remove "
            "stored credentials anyway"
        )
    cls = _session_class(registry, name)
    had_credentials = cls.logout(
        LogoutRequest(channel, name, config, CredentialStore(), config.environ)
    )
    path = user_condarc(config.environ)
    had_entry = remove_channel_entry(path, channel.pattern, config.channel_alias)
    if not (had_credentials or had_entry):
        print(f"nothing stored for {channel.key}")
        return 0
    what = [w for w, done in (("credentials", had_credentials), ("entry", had_entry)) if done]
    print(f"logged out of {channel.key} ({' and '.join(what)} removed)")
    return 0


def _status(args: argparse.Namespace, registry: SessionRegistry) -> int:
    config = registry.config
    rows: list[dict[str, Any]] = []
    store = CredentialStore()
    from plugin_contract import condarc

    conda_rc = condarc.load(config.environ or None)
    for entry in config.channels:
        name = config.session_name_for(entry) or "default"
        row: dict[str, Any] = {
            "channel": entry.key,
            "session": name,
            "source": str(entry.source) if entry.source else None,
            "settings": redact(entry.settings),
        }
        cls = registry.classes.get(name)
        if cls is None:
            row["problem"] = f"session {name!r} is not installed"
        elif isinstance(cls.session_class, type) and issubclass(cls.session_class, CondaSession):
            try:
                row["details"] = redact(
                    cls.session_class.status(
                        StatusRequest(entry, name, config, store, config.environ)
                    )
                )
            except ContractError as error:
                row["problem"] = str(error)
        row["conda"] = _conda_for_entry(entry.key, name, registry, conda_rc)
        rows.append(row)
    result = {
        "network_session_class": config.network_session_class or "default",
        "files": [str(p) for p in config.files],
        "channels": rows,
    }
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    print(f"global session: {result['network_session_class']}")
    if not rows:
        print("no channel entries (conda-session login CHANNEL --session NAME adds one)")
    for row in rows:
        print(f"{row['channel']}")
        print(f"  session: {row['session']}   from: {row['source']}")
        for key, value in {**row["settings"], **row.get("details", {})}.items():
            print(f"  {key}: {value}")
        if row["conda"]:
            print(f"  conda: {row['conda']}")
        if "problem" in row:
            print(f"  problem: {row['problem']}")
    return 0


def _conda_for_entry(key: str, session_name: str, registry: SessionRegistry, rc: Any) -> str | None:
    """How real conda differs for this channel's repodata (``None``: it uses this entry)."""
    if "*" in key:
        return None
    choice = _conda_choice(f"{key}/noarch/repodata.json", registry, rc)
    if choice["auth"] == session_name:
        return None
    if choice["channel"] is None:
        return "no channel_settings entry matches in conda: it sends no credentials here"
    return f"conda uses auth {choice['auth']} from entry {choice['channel']} (last match wins)"


def _which(args: argparse.Namespace, registry: SessionRegistry) -> int:
    resolution = registry.resolve(args.url)
    channel = resolution.channel
    result: dict[str, Any] = {
        "url": safe_url(args.url),
        "session": resolution.session_name,
        "channel": channel.key if channel else None,
        "source": str(channel.source) if channel and channel.source else None,
        "settings": redact(channel.settings) if channel else {},
        "conda": _conda_choice(args.url, registry),
    }
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    print(f"session: {result['session']}")
    if channel is None:
        how = "network_session_class" if registry.config.network_session_class else "defaults"
        print(f"channel: (no entry matches; {how} apply)")
    else:
        print(f"channel: {result['channel']}   from: {result['source']}")
        for key, value in result["settings"].items():
            print(f"  {key}: {value}")
    conda = result["conda"]
    if conda["channel"] is None:
        print("conda: no channel_settings entry matches (conda uses a plain session)")
    elif conda["auth"] is None:
        print(f"conda: entry {conda['channel']} wins (last match) but names no auth: plain session")
    else:
        print(f"conda: auth {conda['auth']} from entry {conda['channel']} (last match wins)")
    return 0


def _conda_choice(url: str, registry: SessionRegistry, rc: Any = None) -> dict[str, Any]:
    """The channel_settings entry real conda 26.7 picks for ``url``, read by the one reader."""
    from plugin_contract import condarc
    from plugin_contract.conda_match import conda_auth, conda_pick

    if rc is None:
        rc = condarc.load(registry.config.environ or None)
    entries = rc.channel_settings
    index = conda_pick(url, entries, rc.channel_alias)
    if index is None:
        return {"channel": None, "auth": None}
    return {
        "channel": strip_userinfo(str(entries[index].get("channel"))),
        "auth": conda_auth(url, entries, rc.channel_alias),
    }


def _fetch(args: argparse.Namespace, registry: SessionRegistry) -> int:
    import requests

    url = args.url
    run_before_actions("fetch", [url], registry=registry)
    session = registry.get_session(url)
    where = safe_url(url)
    try:
        response = session.get(url, stream=True)
    except requests.exceptions.SSLError:
        raise SessionError(f"TLS verification failed for {where}; check ssl_verify") from None
    except requests.exceptions.Timeout:
        raise SessionError(f"timed out fetching {where}") from None
    except requests.exceptions.ConnectionError as error:
        if "timed out" in str(error).lower():
            raise SessionError(f"timed out fetching {where}") from None
        raise SessionError(f"cannot connect to {where}") from None
    except requests.exceptions.RequestException as error:
        raise SessionError(f"request to {where} failed ({type(error).__name__})") from None
    with response:
        if response.status_code >= 400:
            raise HTTPStatusError(_status_message(session, response, where), response.status_code)
        if args.output is None:
            for chunk in response.iter_content(CHUNK):
                sys.stdout.buffer.write(chunk)
            sys.stdout.flush()
            return 0
        _write_atomically(args.output, response)
    print(f"saved {where} to {args.output}", file=sys.stderr)
    return 0


def _status_message(session: Any, response: Any, where: str) -> str:
    code = response.status_code
    hints = {
        401: "the server wants credentials: missing or rejected",
        403: "the credentials are not allowed to read this",
        404: "not found: check the URL and channel name",
    }
    text = f"HTTP {code} from {where}: {hints.get(code, response.reason or 'error')}"
    explain = getattr(session, "explain_status", None)
    extra = str(explain(response)) if callable(explain) else ""
    return f"{text}; {extra}" if extra else text


def _write_atomically(target: Path, response: Any) -> None:
    """Save the body to ``target``.

    A regular file (or a new path) is replaced atomically (temp file, fsync, rename) and keeps
    its mode. A symlink, device, FIFO or other non-regular file is written through, never
    replaced: ``-o /dev/null`` stays a device, a symlink stays a symlink."""
    target = target.expanduser()
    if target.is_symlink() or (target.exists() and not target.is_file()):
        with target.open("wb") as out:
            for chunk in response.iter_content(CHUNK):
                out.write(chunk)
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    mode = stat.S_IMODE(target.stat().st_mode) if target.exists() else None
    handle, temp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            for chunk in response.iter_content(CHUNK):
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        if mode is not None:
            Path(temp).chmod(mode)
        else:
            umask = os.umask(0)
            os.umask(umask)
            Path(temp).chmod(0o666 & ~umask)
        Path(temp).replace(target)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def redact(settings: Mapping[str, str]) -> dict[str, str]:
    """Settings with secret values replaced and URL userinfo removed (the one policy,
    :mod:`plugin_contract.redaction`; file paths, variable names and endpoints are kept)."""
    return redact_settings(settings)
