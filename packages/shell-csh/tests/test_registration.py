"""The distribution registers its plugin module under the right entry-point group."""

from importlib.metadata import distribution

import shell_csh


def test_entry_point_loads_the_plugin_module() -> None:
    points = [ep for ep in distribution("shell-csh").entry_points if ep.group == "conda"]
    assert [ep.name for ep in points] == ["shell-csh"]
    assert points[0].load().__name__ == "shell_csh.plugin"


def test_version_matches_metadata() -> None:
    assert shell_csh.__version__ == distribution("shell-csh").version
