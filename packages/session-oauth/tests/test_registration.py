"""The oauth session class is registered with the contract.

Entry points and versions of every package: ``tests/test_registration.py``.
"""

from __future__ import annotations


def test_the_oauth_session_class_is_registered_with_the_contract() -> None:
    from session_oauth.session import OAuthSession

    from plugin_contract.conda import get_plugin_manager

    manager = get_plugin_manager()
    classes = [c for batch in manager.hook.conda_session_classes() for c in batch]
    assert [c.session_class for c in classes if c.name == "oauth"] == [OAuthSession]
