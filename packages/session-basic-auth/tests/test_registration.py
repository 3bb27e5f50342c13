"""The distribution registers its plugin module under the right entry-point group."""

from importlib.metadata import distribution

import session_basic_auth


def test_entry_point_loads_the_plugin_module() -> None:
    points = [ep for ep in distribution("session-basic-auth").entry_points if ep.group == "conda"]
    assert [ep.name for ep in points] == ["session-basic-auth"]
    assert points[0].load().__name__ == "session_basic_auth.plugin"


def test_version_matches_metadata() -> None:
    assert session_basic_auth.__version__ == distribution("session-basic-auth").version
