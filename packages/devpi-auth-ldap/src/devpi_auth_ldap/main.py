"""The devpi-server plugin module of `devpi-auth-ldap` (entry-point group `devpi_server`).

``--ldap-config PATH`` (or ``ldap-config:`` in devpi-server's config file, or
``DEVPISERVER_LDAP_CONFIG``) names the YAML file; it is validated when the server starts.
"""

from __future__ import annotations

import atexit
import logging
import threading
from typing import Any

from devpi_auth_ldap.authenticator import Authenticator
from devpi_auth_ldap.config import TOP_KEY, load_config
from plugin_contract.devpi import AuthResult, auth_ok, auth_reject, hookimpl
from plugin_contract.errors import ConfigError

log = logging.getLogger("devpi_auth_ldap")
REGISTRY_KEY = "devpi_auth_ldap.authenticator"
XOM_ATTRIBUTE = "devpi_auth_ldap_authenticator"  # until the pyramid registry exists
# How many servers in this process have LDAP configured. Only a cheap "is it on anywhere"
# guard, so that unconfigured servers never touch the request; never used to find a config.
_servers_configured = 0
_count_lock = threading.Lock()


@hookimpl
def devpiserver_add_parser_options(parser: Any) -> None:
    group = parser.addgroup("LDAP authentication (devpi-auth-ldap)")
    group.addoption(
        "--ldap-config",
        action="store",
        default=None,
        help="YAML file with the LDAP settings (a devpi-ldap 2.2.0 file works as-is)",
    )


@hookimpl
def devpiserver_cmdline_run(xom: Any) -> None:
    """Validate the LDAP configuration before the server serves a single request."""
    global _servers_configured
    try:
        authenticator = configure(xom.config.args)
    except ConfigError as error:
        from devpi_server.main import Fatal

        raise Fatal(f"devpi-auth-ldap: {error}") from None
    if authenticator is None:
        log.info("devpi-auth-ldap: no --ldap-config given; LDAP authentication is off")
        return
    setattr(xom, XOM_ATTRIBUTE, authenticator)
    with _count_lock:
        _servers_configured += 1
    atexit.register(authenticator.close)  # unbind pooled connections on shutdown
    config = authenticator.config
    for warning in config.warnings:
        log.warning("devpi-auth-ldap: %s", warning)
    log.info(
        "devpi-auth-ldap: %s servers (%s), cache %ss (groups %ss), timeouts %ss connect / "
        "%ss operation",
        len(config.urls),
        ", ".join(config.urls),
        config.cache_ttl,
        config.group_cache_ttl,
        config.connect_timeout,
        config.operation_timeout,
    )


@hookimpl
def devpiserver_pyramid_configure(config: Any, pyramid_config: Any) -> None:
    """Keep this server's authenticator on its own pyramid registry."""
    xom = pyramid_config.registry.get("xom")
    authenticator = getattr(xom, XOM_ATTRIBUTE, None)
    if isinstance(authenticator, Authenticator):
        pyramid_config.registry[REGISTRY_KEY] = authenticator


def configure(args: Any) -> Authenticator | None:
    path = getattr(args, "ldap_config", None)
    if not path:
        path = _server_configfile_with_ldap_section(getattr(args, "configfile", None))
    if not path:
        return None
    return Authenticator(load_config(path))


def _server_configfile_with_ldap_section(configfile: str | None) -> str | None:
    """devpi-ldap 2.2.0 also read a ``devpi-ldap:`` section from devpi-server's own file."""
    if not configfile:
        return None
    from plugin_contract.devpi import load_yaml_config

    data = load_yaml_config(configfile)
    return configfile if TOP_KEY in data else None


def _authenticator(request: Any) -> Authenticator | None:
    """This server's authenticator, or None: LDAP is off here (or there is no request)."""
    if not _servers_configured or request is None:
        return None
    registry = getattr(request, "registry", None)
    if registry is None:
        return None
    found = registry.get(REGISTRY_KEY)
    if found is None:  # a request before pyramid_configure ran (in-process test apps)
        found = getattr(registry.get("xom"), XOM_ATTRIBUTE, None)
    return found if isinstance(found, Authenticator) else None


def request_context(request: Any) -> str:
    """devpi's request tag and the request line, e.g. ``[req12] POST /+login``."""
    tag = str(getattr(getattr(request, "log", None), "_prefix", "") or "").strip()
    method = getattr(request, "method", "")
    path = getattr(request, "path", "")
    return " ".join(part for part in (tag, method, path) if part)


@hookimpl(trylast=True)
def devpiserver_auth_request(
    request: Any, userdict: dict[str, Any] | None, username: str, password: str
) -> AuthResult | None:
    authenticator = _authenticator(request)
    if authenticator is None:
        return None
    if userdict and userdict.get("pwhash") and authenticator.config.skip_local_users:
        authenticator.metrics.count("local_users_skipped")
        return None
    decision = authenticator.decide(username, password, lambda: request_context(request))
    if decision.status == "ok":
        return auth_ok(decision.groups)
    if decision.status == "reject":
        return auth_reject()
    return None


@hookimpl
def devpiserver_get_identity(request: Any, credentials: tuple[str, str] | None) -> Any:
    """Basic-auth requests whose login and groups are cached get their identity here, so
    devpi skips its token check, user lookup and auth hooks on every download. Anything
    else (root, tokens, cache misses, stale groups) goes on to devpi's own identity hook,
    which calls ``devpiserver_auth_request``."""
    if credentials is None or credentials[0] == "root":
        return None
    authenticator = _authenticator(request)
    if authenticator is None:
        return None
    groups = authenticator.cached_groups(*credentials)
    if groups is None:
        return None
    from devpi_server.view_auth import CredentialsIdentity

    return CredentialsIdentity(credentials[0], list(groups))


@hookimpl
def devpiserver_metrics(request: Any) -> list[tuple[str, str, float]]:
    authenticator = _authenticator(request)
    return authenticator.metrics.as_devpi_metrics() if authenticator else []
