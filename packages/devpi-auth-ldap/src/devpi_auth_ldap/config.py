"""The LDAP configuration file: parsed and validated once, every problem on its own line.

It accepts devpi-ldap's file as-is (a top-level ``devpi-ldap:`` key, ``url``,
``user_template``, ``user_search``, ``group_search``, ``referrals``, ``reject_as_unknown``,
``timeout``, ``tls``, ``server_pool``) plus this plugin's additions.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from plugin_contract.devpi import Secret, SecretSourceError, load_yaml_config, secret_from
from plugin_contract.errors import ConfigError

TOP_KEY = "devpi-ldap"
SCOPES = {
    "base-object": "base",
    "base": "base",
    "single-level": "onelevel",
    "one": "onelevel",
    "onelevel": "onelevel",
    "whole-subtree": "subtree",
    "sub": "subtree",
    "subtree": "subtree",
}
MEMBERSHIPS = ("member", "uniqueMember", "memberUid", "memberOf")
NESTED_MODES = ("off", "recursive", "in_chain")
TLS_VALIDATE = {"CERT_REQUIRED": "demand", "CERT_OPTIONAL": "allow", "CERT_NONE": "never"}
TLS_VALIDATE_NUMBERS = {2: "CERT_REQUIRED", 1: "CERT_OPTIONAL", 0: "CERT_NONE"}  # ssl.CERT_*
# ldap3.Tls(version=...) takes Python's ssl.PROTOCOL_* numbers; libldap has a minimum
# protocol instead (0x0301 = TLS 1.0 ... 0x0304 = TLS 1.3). PROTOCOL_TLS(_CLIENT): no minimum.
TLS_VERSIONS: dict[object, int | None] = {
    2: None, 16: None, 3: 0x0301, 4: 0x0302, 5: 0x0303,
    "PROTOCOL_TLS": None, "PROTOCOL_SSLv23": None, "PROTOCOL_TLS_CLIENT": None,
    "PROTOCOL_TLSv1": 0x0301, "PROTOCOL_TLSv1_1": 0x0302, "PROTOCOL_TLSv1_2": 0x0303,
}  # fmt: skip
# ldap3.Tls keywords libldap has no equivalent for: accepted, named in one startup WARNING
TLS_NOT_APPLIED = {
    "valid_names": "libldap checks the certificate against the URL's host name",
    "sni": "libldap sends the URL's host name as SNI",
    "ssl_options": "set the minimum protocol with version instead",
    "local_private_key_password": "libldap cannot read encrypted keys; decrypt the key file",
}
DEFAULT_CONNECT_TIMEOUT = 3.0
DEFAULT_OPERATION_TIMEOUT = 5.0
DEFAULT_CACHE_TTL = 60.0
DEFAULT_POOL_SIZE = 4
DEFAULT_POOL_IDLE_TIMEOUT = 30.0
DEFAULT_BACKOFF_INITIAL = 2.0
DEFAULT_BACKOFF_MAX = 300.0

TOP_KEYS = {
    "url",
    "server_pool",
    "user_template",
    "user_search",
    "group_search",
    "referrals",
    "reject_as_unknown",
    "timeout",
    "connect_timeout",
    "operation_timeout",
    "tls",
    "starttls",
    "require_tls",
    "username_attribute",
    "cache_ttl",
    "pool_size",
    "pool_idle_timeout",
    "backoff_initial",
    "backoff_max",
    "group_cache_ttl",
    "skip_local_users",
}
SEARCH_KEYS = {"base", "filter", "scope", "attribute_name", "userdn", "password_env",
               "password_file", "password"}  # fmt: skip
GROUP_KEYS = SEARCH_KEYS | {"membership", "nested"}
TLS_KEYS = {"ca_file", "ca_certs_file", "ca_certs_path", "ca_certs_data", "validate",
            "version", "ciphers", "local_certificate_file", "local_private_key_file",
            *TLS_NOT_APPLIED}  # fmt: skip


@dataclass(frozen=True)
class SearchSettings:
    """Where and how to search: ``filter`` uses ``{username}`` / ``{userdn}`` placeholders."""

    base: str
    filter: str
    scope: str
    attribute_name: str
    bind_dn: str | None
    bind_password: Secret | None


@dataclass(frozen=True)
class GroupSettings:
    search: SearchSettings
    membership: str
    nested: str


@dataclass(frozen=True)
class TlsSettings:
    ca_file: str | None
    require_cert: str
    cert_file: str | None
    key_file: str | None
    ca_dir: str | None = None
    min_protocol: int | None = None
    ciphers: str | None = None


@dataclass(frozen=True)
class LdapConfig:
    source: str
    urls: tuple[str, ...]
    user_template: str | None
    user_search: SearchSettings | None
    group_search: GroupSettings | None
    referrals: bool
    reject_as_unknown: bool
    connect_timeout: float
    operation_timeout: float
    tls: TlsSettings
    starttls: bool
    require_tls: bool
    username_attribute: str
    cache_ttl: float
    pool_size: int
    skip_local_users: bool
    pool_idle_timeout: float = DEFAULT_POOL_IDLE_TIMEOUT
    backoff_initial: float = DEFAULT_BACKOFF_INITIAL
    backoff_max: float = DEFAULT_BACKOFF_MAX
    group_cache_ttl: float = DEFAULT_CACHE_TTL
    server_tls: tuple[tuple[str, TlsSettings], ...] = ()  # server_pool entries' own tls
    warnings: tuple[str, ...] = ()  # logged once at startup (inline password, ...)

    def tls_for(self, url: str) -> TlsSettings:
        return dict(self.server_tls).get(url, self.tls)

    @property
    def worst_case_seconds(self) -> float:
        """An upper bound on one authentication's time when every server is unreachable."""
        return len(self.urls) * (self.connect_timeout + 2 * self.operation_timeout)


class _Problems:
    """Collects every problem so an admin fixes the file in one pass (and the warnings)."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.lines: list[str] = []
        self.warnings: list[str] = []

    def warn(self, where: str, message: str) -> None:
        self.warnings.append(f"{self.source}: {where}: {message}")

    def add(self, where: str, message: str) -> None:
        self.lines.append(f"{self.source}: {where}: {message}")

    def raise_if_any(self) -> None:
        if self.lines:
            raise ConfigError("\n".join(self.lines))


def load_config(path: str | Path, environ: Mapping[str, str] | None = None) -> LdapConfig:
    """Read and validate the YAML file at ``path``; raise :class:`ConfigError` on problems."""
    data = load_yaml_config(path, top_key=TOP_KEY)
    return parse_config(data, source=str(path), environ=environ)


def parse_config(
    data: Mapping[str, Any], *, source: str, environ: Mapping[str, str] | None = None
) -> LdapConfig:
    problems = _Problems(source)
    _unknown_keys(problems, "devpi-ldap", data, TOP_KEYS)

    urls = _urls(problems, data)
    tls, server_tls, starttls, require_tls = _tls(problems, data, urls)

    template = _optional_str(problems, data, "user_template")
    user_search = None
    if "user_search" in data:
        user_search = _search(problems, "user_search", data["user_search"], SEARCH_KEYS, environ)
    if template is not None and user_search is not None:
        problems.add("user_template", "set either user_template or user_search, not both")
    if template is None and "user_search" not in data:
        problems.add("devpi-ldap", "set user_template (e.g. 'uid={username},ou=people,"
                     "dc=example,dc=org') or user_search")  # fmt: skip
    if template is not None and "{username}" not in template:
        problems.add("user_template", "must contain the placeholder {username}")

    groups = None
    if "group_search" in data:
        groups = _groups(problems, data["group_search"], environ)

    timeout = _number(problems, data, "timeout", None)
    connect_timeout = _number(problems, data, "connect_timeout", timeout or DEFAULT_CONNECT_TIMEOUT)
    operation_timeout = _number(
        problems, data, "operation_timeout", timeout or DEFAULT_OPERATION_TIMEOUT
    )
    cache_ttl = _number(problems, data, "cache_ttl", DEFAULT_CACHE_TTL, allow_zero=True)
    pool_size = _integer(problems, data, "pool_size", DEFAULT_POOL_SIZE)
    pool_idle_timeout = _number(
        problems, data, "pool_idle_timeout", DEFAULT_POOL_IDLE_TIMEOUT, allow_zero=True
    )
    backoff_initial = _number(problems, data, "backoff_initial", DEFAULT_BACKOFF_INITIAL)
    backoff_max = _number(problems, data, "backoff_max", DEFAULT_BACKOFF_MAX)
    if backoff_initial and backoff_max and backoff_max < backoff_initial:
        problems.add("backoff_max", f"{backoff_max:g} must be at least backoff_initial")
    group_cache_ttl = _number(problems, data, "group_cache_ttl", cache_ttl, allow_zero=True)
    username_attribute = _optional_str(problems, data, "username_attribute") or "uid"
    referrals = _bool(problems, data, "referrals", default=False)
    reject_as_unknown = _bool(problems, data, "reject_as_unknown", default=True)
    skip_local_users = _bool(problems, data, "skip_local_users", default=True)
    problems.raise_if_any()
    return LdapConfig(
        source=source,
        urls=urls,
        user_template=template,
        user_search=user_search,
        group_search=groups,
        referrals=referrals,
        reject_as_unknown=reject_as_unknown,
        connect_timeout=connect_timeout or DEFAULT_CONNECT_TIMEOUT,
        operation_timeout=operation_timeout or DEFAULT_OPERATION_TIMEOUT,
        tls=tls,
        starttls=starttls,
        require_tls=require_tls,
        username_attribute=username_attribute,
        cache_ttl=DEFAULT_CACHE_TTL if cache_ttl is None else cache_ttl,
        pool_size=pool_size,
        skip_local_users=skip_local_users,
        pool_idle_timeout=_or(pool_idle_timeout, DEFAULT_POOL_IDLE_TIMEOUT),
        backoff_initial=_or(backoff_initial, DEFAULT_BACKOFF_INITIAL),
        backoff_max=_or(backoff_max, DEFAULT_BACKOFF_MAX),
        group_cache_ttl=_or(group_cache_ttl, DEFAULT_CACHE_TTL),
        server_tls=server_tls,
        warnings=tuple(problems.warnings),
    )


def _or(value: float | None, default: float) -> float:
    return default if value is None else value


def _unknown_keys(
    problems: _Problems, where: str, data: Mapping[str, Any], known: set[str]
) -> None:
    for key in sorted(set(map(str, data)) - known):
        problems.add(where, f"unknown key {key!r}; known keys: {', '.join(sorted(known))}")


def _urls(problems: _Problems, data: Mapping[str, Any]) -> tuple[str, ...]:
    raw: list[Any] = []
    if "url" in data:
        value = data["url"]
        raw += value if isinstance(value, list) else [value]
    pool = data.get("server_pool")
    if pool is not None:
        if not isinstance(pool, list):
            problems.add("server_pool", "must be a list of {url: ...} entries")
        else:
            for index, entry in enumerate(pool):
                if isinstance(entry, Mapping) and "url" in entry:
                    _unknown_keys(problems, f"server_pool[{index}]", entry, {"url", "tls"})
                    raw.append(entry["url"])
                else:
                    problems.add(f"server_pool[{index}]", "must be a mapping with a 'url'")
    if not raw:
        problems.add("url", "set url (e.g. ldaps://ldap.example.org) or a list of URLs")
    urls = []
    for url in raw:
        if not isinstance(url, str) or not url.lower().startswith(("ldap://", "ldaps://")):
            problems.add("url", f"{url!r} is not an ldap:// or ldaps:// URL")
        else:
            urls.append(url)
    return tuple(urls)


def _tls(
    problems: _Problems, data: Mapping[str, Any], urls: tuple[str, ...]
) -> tuple[TlsSettings, tuple[tuple[str, TlsSettings], ...], bool, bool]:
    """The top-level ``tls`` (ours or ldap3.Tls keywords) and each server_pool entry's own."""
    tls: Mapping[str, Any] = {}
    if "tls" in data:
        if isinstance(data["tls"], Mapping):
            tls = data["tls"]
        else:
            problems.add("tls", "must be a mapping (e.g. {ca_file: /etc/ssl/ldap-ca.pem})")
    settings = _tls_settings(problems, "tls", tls)
    per_server = []
    for index, entry in enumerate(data.get("server_pool") or []):
        if isinstance(entry, Mapping) and entry.get("tls") is not None:
            where = f"server_pool[{index}].tls"
            if isinstance(entry["tls"], Mapping):
                own = _tls_settings(problems, where, {**tls, **entry["tls"]})
                per_server.append((str(entry.get("url")), own))
            else:
                problems.add(where, "must be a mapping (ldap3.Tls keywords)")
    starttls = _bool(problems, data, "starttls", default=False)
    require_tls = _bool(problems, data, "require_tls", default=False)
    plain = [url for url in urls if url.lower().startswith("ldap://")]
    if require_tls and plain and not starttls:
        problems.add(
            "require_tls", f"{plain[0]} is not encrypted: use ldaps:// or set starttls: true"
        )
    return settings, tuple(per_server), starttls, require_tls


def _tls_settings(problems: _Problems, where: str, tls: Mapping[str, Any]) -> TlsSettings:
    _unknown_keys(problems, where, tls, TLS_KEYS)
    ca_file = tls.get("ca_file") or tls.get("ca_certs_file")
    if ca_file is not None and not Path(str(ca_file)).expanduser().is_file():
        problems.add(f"{where}.ca_file", f"{str(ca_file)!r} is not a readable file")
    if ca_file is None and tls.get("ca_certs_data"):
        ca_file = _ca_data_file(str(tls["ca_certs_data"]))
    ca_dir = tls.get("ca_certs_path")
    if ca_dir is not None and not Path(str(ca_dir)).expanduser().is_dir():
        problems.add(f"{where}.ca_certs_path", f"{str(ca_dir)!r} is not a directory")
    raw_validate = tls.get("validate", "CERT_REQUIRED")
    if isinstance(raw_validate, int) and not isinstance(raw_validate, bool):
        validate = TLS_VALIDATE_NUMBERS.get(raw_validate, str(raw_validate))
    else:
        validate = str(raw_validate).upper().removeprefix("SSL.")
    if validate not in TLS_VALIDATE:
        problems.add(
            f"{where}.validate",
            f"{raw_validate!r} must be one of {', '.join(TLS_VALIDATE)} (or 2, 1, 0)",
        )
    min_protocol = None
    if "version" in tls:
        version = tls["version"]
        key = str(version).removeprefix("ssl.") if isinstance(version, str) else version
        if key not in TLS_VERSIONS:
            problems.add(f"{where}.version", f"{version!r} is not an ssl.PROTOCOL_* value")
        else:
            min_protocol = TLS_VERSIONS[key]
    for key, why in TLS_NOT_APPLIED.items():
        if key in tls:
            problems.warn(f"{where}.{key}", f"accepted but not applied: {why}")
    ciphers = tls.get("ciphers")
    return TlsSettings(
        ca_file=str(Path(str(ca_file)).expanduser()) if ca_file else None,
        require_cert=TLS_VALIDATE.get(validate, "demand"),
        cert_file=_as_optional_path(tls.get("local_certificate_file")),
        key_file=_as_optional_path(tls.get("local_private_key_file")),
        ca_dir=_as_optional_path(ca_dir),
        min_protocol=min_protocol,
        ciphers=str(ciphers) if ciphers else None,
    )


def _ca_data_file(data: str) -> str:
    """ldap3's ca_certs_data (PEM text): libldap reads CA certificates from a file."""
    import hashlib
    import tempfile

    digest = hashlib.sha256(data.encode()).hexdigest()[:16]
    path = Path(tempfile.gettempdir()) / f"devpi-auth-ldap-ca-{digest}.pem"
    if not path.exists():
        path.write_text(data)
    return str(path)


def _as_optional_path(value: Any) -> str | None:
    return str(Path(str(value)).expanduser()) if value else None


def _search(
    problems: _Problems,
    where: str,
    raw: Any,
    known: set[str],
    environ: Mapping[str, str] | None,
    *,
    require_base: bool = True,
    default_filter: str | None = None,
    default_attribute: str = "dn",
) -> SearchSettings:
    if not isinstance(raw, Mapping):
        problems.add(where, "must be a mapping with base, filter and attribute_name")
        raw = {}
    _unknown_keys(problems, where, raw, known)
    base = raw.get("base")
    if require_base and not isinstance(base, str):
        problems.add(f"{where}.base", "required: the DN to search under")
    search_filter = raw.get("filter", default_filter)
    if not isinstance(search_filter, str) or not search_filter.strip():
        problems.add(f"{where}.filter", "required, e.g. '(uid={username})'")
        search_filter = ""
    else:
        _check_placeholders(problems, f"{where}.filter", search_filter)
    scope_name = str(raw.get("scope", "whole-subtree"))
    if scope_name not in SCOPES:
        problems.add(f"{where}.scope", f"{scope_name!r} must be one of {', '.join(SCOPES)}")
    attribute = raw.get("attribute_name", default_attribute)
    if not isinstance(attribute, str) or not attribute:
        problems.add(f"{where}.attribute_name", "must be an attribute name, e.g. dn or cn")
        attribute = default_attribute
    password: Secret | None = None
    inline = raw.get("password")
    if inline is not None:
        # devpi-ldap 2.2.0's only form: accepted, with one WARNING naming the safe ones
        if "password_env" in raw or "password_file" in raw:
            problems.add(f"{where}.password", "set only one of password, password_env, "
                         "password_file")  # fmt: skip
        elif not isinstance(inline, str) or not inline:
            problems.add(f"{where}.password", "must be a non-empty string")
        else:
            password = Secret(inline, f"inline {where}.password")
            problems.warn(
                f"{where}.password",
                "an inline service-account password is readable by anyone who can read this "
                "file; move it to an environment variable (password_env) or a file only "
                "devpi-server can read (password_file)",
            )
        raw = {key: value for key, value in raw.items() if key != "password"}
    try:
        password = secret_from(raw, "password", where=where, environ=environ) or password
    except SecretSourceError as error:
        problems.lines.append(f"{problems.source}: {error}")
    userdn = raw.get("userdn")
    if password is not None and not userdn:
        problems.add(f"{where}.userdn", "required with password, password_env or password_file")
    return SearchSettings(
        base=str(base or ""),
        filter=search_filter,
        scope=SCOPES.get(scope_name, "subtree"),
        attribute_name=attribute,
        bind_dn=str(userdn) if userdn else None,
        bind_password=password,
    )


def _check_placeholders(problems: _Problems, where: str, text: str) -> None:
    try:
        text.format(username="x", userdn="x")
    except (KeyError, IndexError, ValueError) as error:
        problems.add(where, f"bad placeholder {error}; use {{username}} or {{userdn}}")


def _groups(problems: _Problems, raw: Any, environ: Mapping[str, str] | None) -> GroupSettings:
    if not isinstance(raw, Mapping):
        problems.add("group_search", "must be a mapping")
        raw = {}
    membership = str(raw.get("membership", "member" if "filter" not in raw else ""))
    if membership and membership not in MEMBERSHIPS:
        problems.add(
            "group_search.membership", f"{membership!r} must be one of {', '.join(MEMBERSHIPS)}"
        )
    default_filter = {
        "member": "(member={userdn})",
        "uniqueMember": "(uniqueMember={userdn})",
        "memberUid": "(memberUid={username})",
        "memberOf": "(objectClass=*)",
    }.get(membership)
    search = _search(
        problems,
        "group_search",
        raw,
        GROUP_KEYS,
        environ,
        require_base=membership != "memberOf",
        default_filter=default_filter,
        default_attribute="cn",
    )
    nested_raw = raw.get("nested", "off")
    nested = {True: "recursive", False: "off"}.get(nested_raw, str(nested_raw))
    if nested not in NESTED_MODES:
        problems.add("group_search.nested", f"{nested_raw!r} must be one of false, true, "
                     f"{', '.join(NESTED_MODES)}")  # fmt: skip
    if nested == "recursive" and membership == "memberUid":
        problems.add("group_search.nested", "memberUid groups hold user names, not groups: "
                     "use member, uniqueMember or memberOf for nested groups")  # fmt: skip
    if nested == "in_chain" and membership not in ("member", "memberOf"):
        problems.add("group_search.nested", "in_chain (Active Directory) needs membership "
                     "member or memberOf")  # fmt: skip
    return GroupSettings(search=search, membership=membership or "filter", nested=nested)


def _bool(problems: _Problems, data: Mapping[str, Any], key: str, *, default: bool) -> bool:
    value = data.get(key, default)
    if not isinstance(value, bool):
        problems.add(key, f"{value!r} must be true or false")
        return default
    return value


def _optional_str(problems: _Problems, data: Mapping[str, Any], key: str) -> str | None:
    value = data.get(key)
    if value is not None and (not isinstance(value, str) or not value.strip()):
        problems.add(key, f"{value!r} must be a non-empty string")
        return None
    return value


def _number(
    problems: _Problems,
    data: Mapping[str, Any],
    key: str,
    default: float | None,
    *,
    allow_zero: bool = False,
) -> float | None:
    value = data.get(key, default)
    if value is None:
        return None
    ok: Callable[[float], bool] = (lambda v: v >= 0) if allow_zero else (lambda v: v > 0)
    if isinstance(value, bool) or not isinstance(value, int | float) or not ok(value):
        problems.add(key, f"{value!r} must be a {'non-negative' if allow_zero else 'positive'} "
                     "number of seconds")  # fmt: skip
        return default
    return float(value)


def _integer(problems: _Problems, data: Mapping[str, Any], key: str, default: int) -> int:
    value = data.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 64:
        problems.add(key, f"{value!r} must be a whole number from 1 to 64")
        return default
    return value
