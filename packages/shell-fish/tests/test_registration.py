"""The distribution registers its plugin module under the right entry-point group."""

from importlib.metadata import distribution

import shell_fish


def test_entry_point_loads_the_plugin_module() -> None:
    points = [ep for ep in distribution("shell-fish").entry_points if ep.group == "conda"]
    assert [ep.name for ep in points] == ["shell-fish"]
    assert points[0].load().__name__ == "shell_fish.plugin"


def test_version_matches_metadata() -> None:
    assert shell_fish.__version__ == distribution("shell-fish").version
