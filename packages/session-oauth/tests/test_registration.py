"""The distribution registers its plugin module under the right entry-point group."""

from importlib.metadata import distribution

import session_oauth


def test_entry_point_loads_the_plugin_module() -> None:
    points = [ep for ep in distribution("session-oauth").entry_points if ep.group == "conda"]
    assert [ep.name for ep in points] == ["session-oauth"]
    assert points[0].load().__name__ == "session_oauth.plugin"


def test_version_matches_metadata() -> None:
    assert session_oauth.__version__ == distribution("session-oauth").version
