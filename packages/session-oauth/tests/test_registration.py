"""The distribution registers its plugin module under the right entry-point group."""

from importlib.metadata import distribution

import session_oauth


def test_entry_point_loads_the_plugin_module() -> None:
    points = [ep for ep in distribution("session-oauth").entry_points if ep.group == "conda"]
    assert [ep.name for ep in points] == ["session-oauth"]
    assert points[0].load().__name__ == "session_oauth.plugin"


def test_version_matches_metadata() -> None:
    assert session_oauth.__version__ == distribution("session-oauth").version


def test_the_oauth_session_class_is_registered_with_the_contract() -> None:
    from session_oauth.session import OAuthSession

    from plugin_contract.conda import get_plugin_manager

    manager = get_plugin_manager()
    classes = [c for batch in manager.hook.conda_session_classes() for c in batch]
    assert [c.session_class for c in classes if c.name == "oauth"] == [OAuthSession]
