"""Inert without config, per server: state lives on each server's own registry.

Plain objects stand in for devpi's request, registry and xom here: this is the lookup logic
only (the real servers are in test_devpi_server.py and test_replica.py).
"""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

from devpi_auth_ldap import main

from testharness.ldap_directory import search_config, write_yaml


class NoRegistryRequest:
    """Like devpi-server's own test_auth_status_cached: a request with no attributes."""


def configured_server(tmp_path: Path) -> Any:
    config = write_yaml(tmp_path / "ldap.yaml", search_config("ldap://127.0.0.1:9"))
    xom = SimpleNamespace(config=SimpleNamespace(args=SimpleNamespace(ldap_config=str(config))))
    main.devpiserver_cmdline_run(xom)
    registry: dict[str, Any] = {"xom": xom}
    main.devpiserver_pyramid_configure(None, SimpleNamespace(registry=registry))
    return SimpleNamespace(registry=registry, method="GET", path="/+api")


def unconfigured_server() -> Any:
    xom = SimpleNamespace(config=SimpleNamespace(args=SimpleNamespace(ldap_config=None)))
    main.devpiserver_cmdline_run(xom)
    return SimpleNamespace(registry={"xom": xom}, method="GET", path="/+api")


def test_a_request_without_registry_is_left_alone() -> None:
    assert main.devpiserver_auth_request(NoRegistryRequest(), None, "user", "pw") is None
    assert main.devpiserver_metrics(NoRegistryRequest()) == []


def test_a_server_without_config_never_uses_another_servers_ldap(tmp_path: Path) -> None:
    with_ldap = configured_server(tmp_path)
    without = unconfigured_server()
    assert isinstance(with_ldap.registry[main.REGISTRY_KEY], main.Authenticator)
    assert main.REGISTRY_KEY not in without.registry
    assert main.devpiserver_auth_request(without, None, "alice", "pw") is None
    assert main.devpiserver_metrics(without) == []
    assert main.devpiserver_auth_request(None, None, "alice", "pw") is None
    assert main.devpiserver_metrics(with_ldap)  # the configured one reports its counters
    with_ldap.registry[main.REGISTRY_KEY].close()
