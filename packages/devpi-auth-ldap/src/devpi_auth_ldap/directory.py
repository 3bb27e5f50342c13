"""Talking to the LDAP servers: failover, timeouts, TLS, a small pool, user and group lookup.

Every network call is bounded by the configured connect and operation timeouts, and every
connection is unbound when it is done with (or dropped from the pool).
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from devpi_auth_ldap.config import GroupSettings, LdapConfig, SearchSettings
from devpi_auth_ldap.metrics import Metrics

log = logging.getLogger("devpi_auth_ldap")
T = TypeVar("T")

IN_CHAIN_RULE = "1.2.840.113556.1.4.1941"  # Active Directory's LDAP_MATCHING_RULE_IN_CHAIN
MAX_NESTING_DEPTH = 8
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
    server: str = ""  # the URL of the server that accepted the bind


@dataclass
class Refused:
    reason: str  # "unknown user", "wrong password", "empty password", "ambiguous user"
    timings: dict[str, float] = field(default_factory=dict)
    server: str = ""


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


class _Breaker:
    """One server's circuit: closed (up) or open (down) with exponential backoff."""

    def __init__(self) -> None:
        self.down = False
        self.failures = 0
        self.retry_at = 0.0
        self.probing = False


class _Servers:
    """The configured URLs in failover order, with a circuit breaker per server.

    A server that fails is marked down: requests try the servers that are up first, and a
    background probe reconnects to it after a backoff that doubles with every failed probe
    (``backoff_initial`` up to ``backoff_max`` seconds). Each change of state is logged once,
    at WARNING. A down server is still tried, last, when no server that is up answered.
    """

    def __init__(self, config: LdapConfig, metrics: Metrics) -> None:
        self.config = config
        self.metrics = metrics
        self._breakers = {url: _Breaker() for url in config.urls}
        self._hanging: set[str] = set()  # URLs with an abandoned connection attempt
        self._lock = threading.Lock()
        self._closed = threading.Event()

    def ordered(self) -> list[str]:
        with self._lock:
            up = [u for u in self.config.urls if not self._breakers[u].down]
            down = [u for u in self.config.urls if self._breakers[u].down]
        return up + down

    def any_up(self) -> bool:
        with self._lock:
            return any(not breaker.down for breaker in self._breakers.values())

    def is_down(self, url: str) -> bool:
        with self._lock:
            return self._breakers[url].down

    def mark_dead(self, url: str, reason: str = "") -> None:
        self.metrics.count("server_failures")
        with self._lock:
            breaker = self._breakers[url]
            delay = self._back_off(breaker)
            changed = not breaker.down
            breaker.down = True
            start_probe = not breaker.probing and not self._closed.is_set()
            breaker.probing = breaker.probing or start_probe
        if changed:
            log.warning(
                "LDAP server %s is down (%s); other servers are tried first, next probe in %g s",
                url,
                reason or "no answer",
                delay,
            )
        if start_probe:
            threading.Thread(
                target=self._probe_loop, args=(url,), name="devpi-auth-ldap-probe", daemon=True
            ).start()

    def mark_alive(self, url: str) -> None:
        with self._lock:
            breaker = self._breakers[url]
            changed = breaker.down
            breaker.down = False
            breaker.failures = 0
        if changed:
            log.warning("LDAP server %s is up again", url)

    def close(self) -> None:
        self._closed.set()

    def _probe_loop(self, url: str) -> None:
        """Reconnect to a down server after each backoff until it answers (or we close)."""
        ldap = _ldap()
        try:
            while not self._closed.is_set():
                with self._lock:
                    breaker = self._breakers[url]
                    if not breaker.down:
                        return
                    wait = breaker.retry_at - time.monotonic()
                if wait > 0:
                    self._closed.wait(min(wait, 1.0))
                    continue
                with self._lock:
                    hanging = url in self._hanging
                if hanging:
                    self._note_probe_failure(url)
                    continue
                try:
                    conn = self._open_bounded(url)
                except (ldap.LDAPError, LdapUnavailable):
                    self._note_probe_failure(url)
                    continue
                _unbind_quietly(conn)
                self.mark_alive(url)
                return
        finally:
            with self._lock:
                self._breakers[url].probing = False

    def _note_probe_failure(self, url: str) -> None:
        with self._lock:
            self._back_off(self._breakers[url])

    def _back_off(self, breaker: _Breaker) -> float:
        """Count a failure and set the next retry (exponential, capped); call under the lock."""
        breaker.failures += 1
        delay: float = min(
            self.config.backoff_initial * 2 ** (breaker.failures - 1),
            self.config.backoff_max,
        )
        breaker.retry_at = time.monotonic() + delay
        return delay

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
            except LdapTlsError as error:
                self.mark_dead(url, str(error))
                raise
            except ldap.LDAPError as error:
                self.mark_dead(url, _describe(error))
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
        conn.devpi_auth_ldap_url = url  # for failover bookkeeping and log lines
        conn.set_option(ldap.OPT_PROTOCOL_VERSION, 3)
        conn.set_option(ldap.OPT_NETWORK_TIMEOUT, config.connect_timeout)
        conn.set_option(ldap.OPT_TIMEOUT, config.operation_timeout)
        conn.set_option(ldap.OPT_REFERRALS, 1 if config.referrals else 0)
        conn.timeout = config.operation_timeout
        tls = config.tls_for(url)
        if tls.ca_file:
            conn.set_option(ldap.OPT_X_TLS_CACERTFILE, tls.ca_file)
        if tls.ca_dir:
            conn.set_option(ldap.OPT_X_TLS_CACERTDIR, tls.ca_dir)
        if tls.min_protocol is not None:
            conn.set_option(ldap.OPT_X_TLS_PROTOCOL_MIN, tls.min_protocol)
        if tls.ciphers:
            conn.set_option(ldap.OPT_X_TLS_CIPHER_SUITE, tls.ciphers)
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
                if tls.ca_file is None and url.lower().startswith("ldaps://"):
                    text += "; if the certificate is not trusted, set tls.ca_file"
                raise ldap.SERVER_DOWN({"desc": text}) from None
        return conn


def _unbind_quietly(conn: Any) -> None:
    with contextlib.suppress(Exception):
        conn.unbind_s()


def _url_of(conn: Any) -> str:
    return str(getattr(conn, "devpi_auth_ldap_url", "?"))


class _Pool:
    """A few connections bound as one service identity (or anonymous), shared by threads.

    Directories, firewalls and NAT drop idle connections without telling the client, so a
    connection idle longer than ``pool_idle_timeout`` is closed instead of reused, and an
    operation that finds a reused connection dead (``SERVER_DOWN``, ``CONNECT_ERROR``) is
    retried once on a fresh connection, within the caller's deadline.
    """

    def __init__(
        self,
        servers: _Servers,
        search: SearchSettings,
        size: int,
        metrics: Metrics,
        idle_timeout: float,
    ) -> None:
        self.servers = servers
        self.bind_dn = search.bind_dn
        self.bind_password = search.bind_password
        self.size = size
        self.metrics = metrics
        self.idle_timeout = idle_timeout
        self._idle: list[tuple[Any, float]] = []  # (connection, when it was given back)
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

    def _take(self) -> tuple[Any, bool]:
        """A pooled connection (reused=True) or a new one; idle-expired ones are closed."""
        now = time.monotonic()
        with self._lock:
            expired = [c for c, at in self._idle if now - at > self.idle_timeout]
            self._idle = [(c, at) for c, at in self._idle if now - at <= self.idle_timeout]
            conn = self._idle.pop()[0] if self._idle else None
        for old in expired:
            self.metrics.count("idle_connections_closed")
            _unbind_quietly(old)
        if conn is not None and self.servers.is_down(_url_of(conn)):
            _unbind_quietly(conn)  # its server failed since: go through failover again
            conn = None
        return (conn, True) if conn is not None else (self._new(), False)

    def _give_back(self, conn: Any) -> None:
        with self._lock:
            keep = len(self._idle) < self.size
            if keep:
                self._idle.append((conn, time.monotonic()))
        if not keep:
            _unbind_quietly(conn)

    def run(self, action: Callable[[Any], T], deadline: float) -> T:
        """``action(connection)``, retried once on a fresh connection within ``deadline``.

        Retried: a reused connection found dead (the server may be fine: it dropped an idle
        connection), or a server that failed while another one is still up (failover).
        """
        ldap = _ldap()
        conn, reused = self._take()
        try:
            result = action(conn)
        except (ldap.SERVER_DOWN, ldap.CONNECT_ERROR, ldap.TIMEOUT) as error:
            _unbind_quietly(conn)
            url = _url_of(conn)
            stale = reused and not isinstance(error, ldap.TIMEOUT)
            if not stale:
                self.servers.mark_dead(url, _describe(error))
            if time.monotonic() >= deadline or not (stale or self.servers.any_up()):
                if stale:
                    self.servers.mark_dead(url, _describe(error))
                raise
            if stale:
                self.metrics.count("stale_connections")
            log.info(
                "LDAP server %s: %s (%s); retrying on a new connection",
                url,
                "a pooled connection was dead" if stale else "no answer",
                _describe(error),
            )
            return self._run_fresh(action)
        except BaseException:
            _unbind_quietly(conn)
            raise
        self._give_back(conn)
        return result

    def _run_fresh(self, action: Callable[[Any], T]) -> T:
        ldap = _ldap()
        conn = self._new()
        try:
            result = action(conn)
        except (ldap.SERVER_DOWN, ldap.CONNECT_ERROR, ldap.TIMEOUT) as error:
            _unbind_quietly(conn)
            self.servers.mark_dead(_url_of(conn), _describe(error))
            raise
        except BaseException:
            _unbind_quietly(conn)
            raise
        self._give_back(conn)
        return result

    def close(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
        for conn, _ in idle:
            _unbind_quietly(conn)


class Directory:
    """Authenticates users against the configured LDAP servers."""

    def __init__(self, config: LdapConfig, metrics: Metrics | None = None) -> None:
        self.config = config
        self.metrics = metrics or Metrics()
        self.servers = _Servers(config, self.metrics)
        idle = config.pool_idle_timeout
        self._user_pool = (
            _Pool(self.servers, config.user_search, config.pool_size, self.metrics, idle)
            if config.user_search
            else None
        )
        group = config.group_search
        self._group_pool = (
            _Pool(self.servers, group.search, config.pool_size, self.metrics, idle)
            if group and group.search.bind_dn
            else None
        )

    def close(self) -> None:
        self.servers.close()
        for pool in (self._user_pool, self._group_pool):
            if pool is not None:
                pool.close()

    def authenticate(self, username: str, password: str) -> Authenticated | Refused:
        """Bind as the user and find their groups; raise :class:`LdapUnavailable` on outages."""
        timings: dict[str, float] = {}
        if not password or not password.strip():
            return Refused("empty password", timings)
        ldap = _ldap()
        deadline = time.monotonic() + self.config.worst_case_seconds
        where: list[str] = []  # the server in use when an error happens
        try:
            outcome = self._authenticate(username, password, timings, deadline, where)
            if isinstance(outcome, Refused) and where:
                outcome.server = where[-1]
            return outcome
        except (ldap.SERVER_DOWN, ldap.TIMEOUT, ldap.CONNECT_ERROR) as error:
            server = f"LDAP server {where[-1]}" if where else "LDAP server"
            raise LdapUnavailable(f"{server} stopped answering: {_describe(error)}") from None
        except ldap.LDAPError as error:
            server = f" ({where[-1]})" if where else ""
            raise LdapSearchError(f"LDAP error{server}: {_describe(error)}") from None

    def _authenticate(
        self,
        username: str,
        password: str,
        timings: dict[str, float],
        deadline: float,
        where: list[str],
    ) -> Authenticated | Refused:
        ldap = _ldap()
        started = time.perf_counter()
        canonical: str | None = None
        if self._user_pool is not None and self.config.user_search is not None:
            found = self._find_user(username, deadline, where)
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
        where.append(_url_of(conn))
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
            groups = self._groups(conn, dn, canonical, deadline, where)
            if self.config.group_search is not None:
                timings["groups"] = time.perf_counter() - step
        except (ldap.SERVER_DOWN, ldap.TIMEOUT, ldap.CONNECT_ERROR) as error:
            if where and where[-1] == _url_of(conn):
                self.servers.mark_dead(_url_of(conn), _describe(error))
            raise
        finally:
            _unbind_quietly(conn)
        return Authenticated(
            username=canonical, dn=dn, groups=groups, timings=timings, server=_url_of(conn)
        )

    def refresh_groups(self, dn: str, username: str) -> list[str] | None:
        """Groups of a user found earlier, via the group service account; None without one."""
        if self._group_pool is None or self.config.group_search is None:
            return None
        ldap = _ldap()
        deadline = time.monotonic() + self.config.worst_case_seconds
        settings = self.config.group_search
        try:
            return self._group_pool.run(
                lambda conn: self._find_groups(conn, settings, dn, username), deadline
            )
        except (ldap.SERVER_DOWN, ldap.TIMEOUT, ldap.CONNECT_ERROR) as error:
            raise LdapUnavailable(f"LDAP server stopped answering: {_describe(error)}") from None
        except ldap.LDAPError as error:
            raise LdapSearchError(f"group search failed: {_describe(error)}") from None

    def _find_user(
        self, username: str, deadline: float, where: list[str]
    ) -> tuple[str, str] | Refused:
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

        def find(conn: Any) -> list[tuple[str, dict[str, list[bytes]]]] | None:
            where.append(_url_of(conn))
            try:
                return self._search(conn, search.base, search.scope, search_filter, wanted, 2)
            except ldap.SIZELIMIT_EXCEEDED:
                return None

        entries = self._user_pool.run(find, deadline)
        if entries is None:
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

    def _groups(
        self, user_conn: Any, dn: str, username: str, deadline: float, where: list[str]
    ) -> list[str]:
        settings = self.config.group_search
        if settings is None:
            return []
        ldap = _ldap()

        def find(conn: Any) -> list[str]:
            where.append(_url_of(conn))
            assert settings is not None
            return self._find_groups(conn, settings, dn, username)

        try:
            if self._group_pool is not None:
                return self._group_pool.run(find, deadline)
            return find(user_conn)
        except (ldap.SERVER_DOWN, ldap.TIMEOUT, ldap.CONNECT_ERROR):
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
