"""The distribution registers its plugin module under the right entry-point group."""

from importlib.metadata import distribution

import devpi_auth_ldap


def test_entry_point_loads_the_plugin_module() -> None:
    points = [
        ep for ep in distribution("devpi-auth-ldap").entry_points if ep.group == "devpi_server"
    ]
    assert [ep.name for ep in points] == ["devpi-auth-ldap"]
    assert points[0].load().__name__ == "devpi_auth_ldap.main"


def test_version_matches_metadata() -> None:
    assert devpi_auth_ldap.__version__ == distribution("devpi-auth-ldap").version
