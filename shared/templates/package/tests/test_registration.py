"""The distribution registers its plugin module under the right entry-point group."""

from importlib.metadata import distribution

import {{import_name}}


def test_entry_point_loads_the_plugin_module() -> None:
    points = [ep for ep in distribution("{{dist}}").entry_points if ep.group == "{{group}}"]
    assert [ep.name for ep in points] == ["{{dist}}"]
    assert points[0].load().__name__ == "{{import_name}}.{{module}}"


def test_version_matches_metadata() -> None:
    assert {{import_name}}.__version__ == distribution("{{dist}}").version
