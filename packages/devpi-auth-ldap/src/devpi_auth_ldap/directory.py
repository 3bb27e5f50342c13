"""Talking to the LDAP servers: failover, timeouts, TLS, a small pool, user and group lookup.

Every network call is bounded by the configured connect and operation timeouts, and every
connection is unbound when it is done with (or dropped from the pool).
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from devpi_auth_ldap.config import GroupSettings, LdapConfig, SearchSettings
from devpi_auth_ldap.metrics import Metrics

IN_CHAIN_RULE = "1.2.840.113556.1.4.1941"  # Active Directory's LDAP_MATCHING_RULE_IN_CHAIN
MAX_NESTING_DEPTH = 8
DEAD_SERVER_SECONDS = 3.0
DN_ATTRIBUTES = ("dn", "entrydn", "distinguishedname")


class LdapUnavailable(Exception):
    """No LDAP server answered in time, or TLS could not be set up. The message is safe to log."""


class LdapTlsError(LdapUnavailable):
    """TLS was required but the server did not offer it, or its certificate was refused."""


class LdapSearchError(LdapUnavailable):
    """A search failed (missing base, refused by the server's access rules, ...)."""


@dataclass
class Authenticated:
    username: str  # the canonical name, as stored in LDAP
    dn: str
    groups: list[str]
    timings: dict[str, float] = field(default_factory=dict)


@dataclass
class Refused:
    reason: str  # "unknown user", "wrong password", "empty password", "ambiguous user"
    timings: dict[str, float] = field(default_factory=dict)


def _ldap() -> Any:
    import ldap  # python-ldap: imported on first use, not when devpi-server loads plugins
    import ldap.dn
    import ldap.filter

    return ldap


def _describe(error: Exception) -> str:
    """python-ldap errors carry a dict with 'desc' and 'info'; neither holds a password."""
    details = error.args[0] if error.args else None
    if isinstance(details, dict):
        desc = str(details.get("desc", type(error).__name__))
        info = str(details.get("info", "")).strip()
        return f"{desc} ({info})" if info and "unknown error" not in info else desc
    if type(error).__name__ == "TIMEOUT":
        return "timed out"
    return str(error) or type(error).__name__


def _text(value: bytes | str) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else value


class _Servers:
    """The configured URLs in failover order; a server that just failed is tried last."""

    def __init__(self, config: LdapConfig, metrics: Metrics) -> None:
        self.config = config
        self.metrics = metrics
        self._dead_until: dict[str, float] = {}
        self._hanging: set[str] = set()  # URLs with an abandoned connection attempt
        self._lock = threading.Lock()

    def ordered(self) -> list[str]:
        now = time.monotonic()
        with self._lock:
            alive = [u for u in self.config.urls if self._dead_until.get(u, 0) <= now]
            dead = [u for u in self.config.urls if u not in alive]
        return alive + dead

    def mark_dead(self, url: str) -> None:
        with self._lock:
            self._dead_until[url] = time.monotonic() + DEAD_SERVER_SECONDS

    def mark_alive(self, url: str) -> None:
        with self._lock:
            self._dead_until.pop(url, None)

    def open(self) -> Any:
        """A connection (encrypted with StartTLS if set) to the first server that answers."""
        ldap = _ldap()
        problems = []
        for url in self.ordered():
            with self._lock:
                hanging = url in self._hanging
            if hanging:
                problems.append(f"{url}: an earlier connection attempt still hangs")
                continue
            try:
                conn = self._open_bounded(url)
            except LdapTlsError:
                self.mark_dead(url)
                raise
            except ldap.LDAPError as error:
                self.mark_dead(url)
                self.metrics.count("server_failures")
                problems.append(f"{url}: {_describe(error)}")
                continue
            self.mark_alive(url)
            return conn
        raise LdapUnavailable("no LDAP server answered: " + "; ".join(problems))

    def _open_bounded(self, url: str) -> Any:
        """Open in a helper thread: libldap's TLS handshake has no timeout of its own.

        When the deadline passes the attempt is abandoned (and unbinds its connection itself
        if it ever finishes); until then the URL counts as hanging and is not tried again.
        """
        ldap = _ldap()
        limit = self.config.connect_timeout + self.config.operation_timeout
        done = threading.Event()
        outcome: dict[str, Any] = {}
        abandoned = False

        def attempt() -> None:
            try:
                conn, error = self._open_one(url), None
            except BaseException as caught:  # handed to the waiting thread
                conn, error = None, caught
            with self._lock:
                if abandoned:
                    self._hanging.discard(url)
                    if conn is not None:
                        _unbind_quietly(conn)
                    return
                outcome.update(conn=conn, error=error)
                done.set()

        threading.Thread(target=attempt, name="devpi-auth-ldap-connect", daemon=True).start()
        done.wait(limit)
        with self._lock:
            if not done.is_set():
                abandoned = True
                self._hanging.add(url)
                raise ldap.TIMEOUT(
                    {"desc": "Timed out", "info": f"no connection within {limit:g} s"}
                )
        if outcome["error"] is not None:
            raise outcome["error"]
        return outcome["conn"]

    def _open_one(self, url: str) -> Any:
        ldap = _ldap()
        config = self.config
        conn = ldap.initialize(url)
        conn.set_option(ldap.OPT_PROTOCOL_VERSION, 3)
        conn.set_option(ldap.OPT_NETWORK_TIMEOUT, config.connect_timeout)
        conn.set_option(ldap.OPT_TIMEOUT, config.operation_timeout)
        conn.set_option(ldap.OPT_REFERRALS, 1 if config.referrals else 0)
        conn.timeout = config.operation_timeout
        tls = config.tls
        if tls.ca_file:
            conn.set_option(ldap.OPT_X_TLS_CACERTFILE, tls.ca_file)
        if tls.cert_file:
            conn.set_option(ldap.OPT_X_TLS_CERTFILE, tls.cert_file)
        if tls.key_file:
            conn.set_option(ldap.OPT_X_TLS_KEYFILE, tls.key_file)
        require = {"demand": ldap.OPT_X_TLS_DEMAND, "allow": ldap.OPT_X_TLS_ALLOW}
        conn.set_option(
            ldap.OPT_X_TLS_REQUIRE_CERT, require.get(tls.require_cert, ldap.OPT_X_TLS_NEVER)
        )
        conn.set_option(ldap.OPT_X_TLS_NEWCTX, 0)
        if config.starttls and url.lower().startswith("ldap://"):
            try:
                conn.start_tls_s()
            except (ldap.SERVER_DOWN, ldap.TIMEOUT):
                _unbind_quietly(conn)
                raise
            except ldap.LDAPError as error:
                _unbind_quietly(conn)
                raise LdapTlsError(
                    f"{url} did not accept StartTLS ({_describe(error)}); no password was sent"
                ) from None
        else:
            # libldap connects lazily; connect now so failover and TLS problems surface here
            try:
                conn.whoami_s()
            except ldap.SERVER_DOWN as error:
                _unbind_quietly(conn)
                text = _describe(error)
                if self.config.tls.ca_file is None and url.lower().startswith("ldaps://"):
                    text += "; if the certificate is not trusted, set tls.ca_file"
                raise ldap.SERVER_DOWN({"desc": text}) from None
        return conn


def _unbind_quietly(conn: Any) -> None:
    with contextlib.suppress(Exception):
        conn.unbind_s()


class _Pool:
    """A few connections bound as one service identity (or anonymous), shared by threads."""

    def __init__(
        self, servers: _Servers, search: SearchSettings, size: int, metrics: Metrics
    ) -> None:
        self.servers = servers
        self.bind_dn = search.bind_dn
        self.bind_password = search.bind_password
        self.size = size
        self.metrics = metrics
        self._idle: list[Any] = []
        self._lock = threading.Lock()

    def _new(self) -> Any:
        ldap = _ldap()
        conn = self.servers.open()
        if self.bind_dn and self.bind_password is not None:
            self.metrics.count("service_binds")
            try:
                conn.simple_bind_s(self.bind_dn, self.bind_password.reveal())
            except ldap.INVALID_CREDENTIALS:
                _unbind_quietly(conn)
                raise LdapSearchError(
                    f"the service account {self.bind_dn!r} was refused: check its password"
                ) from None
            except BaseException:
                _unbind_quietly(conn)
                raise
        return conn

    @contextlib.contextmanager
    def connection(self) -> Iterator[Any]:
        ldap = _ldap()
        with self._lock:
            conn = self._idle.pop() if self._idle else None
        if conn is None:
            conn = self._new()
        healthy = True
        try:
            yield conn
        except (ldap.SERVER_DOWN, ldap.TIMEOUT, LdapUnavailable):
            healthy = False
            raise
        except BaseException:
            healthy = False
            raise
        finally:
            with self._lock:
                keep = healthy and len(self._idle) < self.size
                if keep:
                    self._idle.append(conn)
            if not keep:
                _unbind_quietly(conn)

    def close(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
        for conn in idle:
            _unbind_quietly(conn)


class Directory:
    """Authenticates users against the configured LDAP servers."""

    def __init__(self, config: LdapConfig, metrics: Metrics | None = None) -> None:
        self.config = config
        self.metrics = metrics or Metrics()
        self.servers = _Servers(config, self.metrics)
        self._user_pool = (
            _Pool(self.servers, config.user_search, config.pool_size, self.metrics)
            if config.user_search
            else None
        )
        group = config.group_search
        self._group_pool = (
            _Pool(self.servers, group.search, config.pool_size, self.metrics)
            if group and group.search.bind_dn
            else None
        )

    def close(self) -> None:
        for pool in (self._user_pool, self._group_pool):
            if pool is not None:
                pool.close()

    def authenticate(self, username: str, password: str) -> Authenticated | Refused:
        """Bind as the user and find their groups; raise :class:`LdapUnavailable` on outages."""
        timings: dict[str, float] = {}
        if not password or not password.strip():
            return Refused("empty password", timings)
        ldap = _ldap()
        try:
            return self._authenticate(username, password, timings)
        except (ldap.SERVER_DOWN, ldap.TIMEOUT) as error:
            raise LdapUnavailable(f"LDAP server stopped answering: {_describe(error)}") from None
        except ldap.LDAPError as error:
            raise LdapSearchError(f"LDAP error: {_describe(error)}") from None

    def _authenticate(
        self, username: str, password: str, timings: dict[str, float]
    ) -> Authenticated | Refused:
        ldap = _ldap()
        started = time.perf_counter()
        canonical: str | None = None
        if self._user_pool is not None and self.config.user_search is not None:
            found = self._find_user(username)
            timings["user search"] = time.perf_counter() - started
            if isinstance(found, Refused):
                found.timings = timings
                return found
            dn, canonical = found
        else:
            template = self.config.user_template or "{username}"
            dn = template.format(username=ldap.dn.escape_dn_chars(username))

        step = time.perf_counter()
        conn = self.servers.open()
        timings["connect"] = time.perf_counter() - step
        try:
            step = time.perf_counter()
            self.metrics.count("user_binds")
            try:
                conn.simple_bind_s(dn, password)
            except ldap.INVALID_CREDENTIALS:
                timings["bind"] = time.perf_counter() - step
                # with a template, a missing entry and a wrong password look the same
                return Refused("wrong password", timings)
            except (ldap.UNWILLING_TO_PERFORM, ldap.INAPPROPRIATE_AUTH):
                timings["bind"] = time.perf_counter() - step
                return Refused("wrong password", timings)
            timings["bind"] = time.perf_counter() - step
            if canonical is None:
                canonical = self._read_name(conn, dn) or username
            step = time.perf_counter()
            groups = self._groups(conn, dn, canonical)
            if self.config.group_search is not None:
                timings["groups"] = time.perf_counter() - step
        finally:
            _unbind_quietly(conn)
        return Authenticated(username=canonical, dn=dn, groups=groups, timings=timings)

    def _find_user(self, username: str) -> tuple[str, str] | Refused:
        ldap = _ldap()
        search = self.config.user_search
        assert search is not None
        assert self._user_pool is not None
        search_filter = search.filter.format(
            username=ldap.filter.escape_filter_chars(username), userdn=""
        )
        wanted = [self.config.username_attribute]
        if search.attribute_name.lower() not in DN_ATTRIBUTES:
            wanted.append(search.attribute_name)
        with self._user_pool.connection() as conn:
            try:
                entries = self._search(conn, search.base, search.scope, search_filter, wanted, 2)
            except ldap.SIZELIMIT_EXCEEDED:
                return Refused("ambiguous user")
        if not entries:
            return Refused("unknown user")
        if len(entries) > 1:
            return Refused("ambiguous user")
        dn, attrs = entries[0]
        if search.attribute_name.lower() not in DN_ATTRIBUTES:
            values = _values(attrs, search.attribute_name)
            if not values:
                return Refused("unknown user")
            dn = values[0]
        return dn, _pick_name(_values(attrs, self.config.username_attribute), username)

    def _read_name(self, conn: Any, dn: str) -> str | None:
        ldap = _ldap()
        attribute = self.config.username_attribute
        try:
            entries = self._search(conn, dn, "base", "(objectClass=*)", [attribute], 1)
        except ldap.NO_SUCH_OBJECT:
            return None
        if not entries:
            return None
        names = _values(entries[0][1], attribute)
        return names[0] if names else None

    def _search(
        self,
        conn: Any,
        base: str,
        scope: str,
        search_filter: str,
        attributes: list[str],
        sizelimit: int = 0,
    ) -> list[tuple[str, dict[str, list[bytes]]]]:
        ldap = _ldap()
        scopes = {
            "base": ldap.SCOPE_BASE,
            "onelevel": ldap.SCOPE_ONELEVEL,
            "subtree": ldap.SCOPE_SUBTREE,
        }
        self.metrics.count("searches")
        results = conn.search_ext_s(
            base,
            scopes[scope],
            search_filter,
            attrlist=attributes,
            timeout=self.config.operation_timeout,
            sizelimit=sizelimit,
        )
        return [(dn, attrs) for dn, attrs in results if dn is not None]

    def _groups(self, user_conn: Any, dn: str, username: str) -> list[str]:
        settings = self.config.group_search
        if settings is None:
            return []
        ldap = _ldap()
        try:
            if self._group_pool is not None:
                with self._group_pool.connection() as conn:
                    return self._find_groups(conn, settings, dn, username)
            return self._find_groups(user_conn, settings, dn, username)
        except (ldap.SERVER_DOWN, ldap.TIMEOUT):
            raise
        except ldap.LDAPError as error:
            raise LdapSearchError(f"group search failed: {_describe(error)}") from None

    def _find_groups(self, conn: Any, settings: GroupSettings, dn: str, username: str) -> list[str]:
        if settings.membership == "memberOf":
            return self._groups_by_member_of(conn, settings, dn)
        ldap = _ldap()
        escape = ldap.filter.escape_filter_chars
        search = settings.search
        attribute = "member" if settings.membership == "filter" else settings.membership
        if settings.nested == "in_chain":
            search_filter = f"({attribute}:{IN_CHAIN_RULE}:={escape(dn)})"
        else:
            search_filter = search.filter.format(username=escape(username), userdn=escape(dn))
        wanted = [search.attribute_name]
        entries = self._search(conn, search.base, search.scope, search_filter, wanted)
        names: dict[str, list[str]] = {gdn: self._group_names(gdn, a, search) for gdn, a in entries}
        frontier = list(names)
        depth = 0
        while settings.nested == "recursive" and frontier and depth < MAX_NESTING_DEPTH:
            depth += 1
            parents_filter = "(|" + "".join(f"({attribute}={escape(g)})" for g in frontier) + ")"
            parents = self._search(conn, search.base, search.scope, parents_filter, wanted)
            frontier = [gdn for gdn, _ in parents if gdn not in names]
            for gdn, attrs in parents:
                names.setdefault(gdn, self._group_names(gdn, attrs, search))
        return sorted({name for group in names.values() for name in group})

    def _groups_by_member_of(self, conn: Any, settings: GroupSettings, dn: str) -> list[str]:
        search = settings.search
        seen: dict[str, list[str]] = {}
        frontier = [dn]
        depth = 0
        while frontier and depth <= MAX_NESTING_DEPTH:
            next_frontier = []
            for entry_dn in frontier:
                entries = self._search(conn, entry_dn, "base", "(objectClass=*)", ["memberOf"])
                for group_dn in _values(entries[0][1], "memberOf") if entries else []:
                    if group_dn not in seen:
                        seen[group_dn] = []
                        next_frontier.append(group_dn)
            frontier = next_frontier if settings.nested != "off" else []
            depth += 1
        names = []
        for group_dn in seen:
            names += self._names_of_group_dn(conn, group_dn, search)
        return sorted(set(names))

    def _names_of_group_dn(self, conn: Any, group_dn: str, search: SearchSettings) -> list[str]:
        ldap = _ldap()
        attribute = search.attribute_name
        if attribute.lower() in DN_ATTRIBUTES:
            return [group_dn]
        first_rdn = ldap.dn.str2dn(group_dn)[0]
        from_rdn = [value for attr, value, _ in first_rdn if attr.lower() == attribute.lower()]
        if from_rdn:
            return from_rdn
        entries = self._search(conn, group_dn, "base", "(objectClass=*)", [attribute])
        return _values(entries[0][1], attribute) if entries else []

    @staticmethod
    def _group_names(dn: str, attrs: dict[str, list[bytes]], search: SearchSettings) -> list[str]:
        if search.attribute_name.lower() in DN_ATTRIBUTES:
            return [dn]
        return _values(attrs, search.attribute_name)


def _values(attrs: dict[str, list[bytes]], name: str) -> list[str]:
    for key, values in attrs.items():
        if key.lower() == name.lower():
            return [_text(v) for v in values]
    return []


def _pick_name(candidates: list[str], typed: str) -> str:
    """The stored spelling of the typed name (uid may hold several values)."""
    for candidate in candidates:
        if candidate == typed:
            return candidate
    for candidate in candidates:
        if candidate.lower() == typed.lower():
            return candidate
    return candidates[0] if candidates else typed
