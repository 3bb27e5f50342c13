"""The distribution registers its plugin module under the right entry-point group."""

from importlib.metadata import distribution

import devpi_notify


def test_entry_point_loads_the_plugin_module() -> None:
    points = [ep for ep in distribution("devpi-notify").entry_points if ep.group == "devpi_server"]
    assert [ep.name for ep in points] == ["devpi-notify"]
    assert points[0].load().__name__ == "devpi_notify.main"


def test_version_matches_metadata() -> None:
    assert devpi_notify.__version__ == distribution("devpi-notify").version
