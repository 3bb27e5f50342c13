"""The session registry loads plugins as the shell registry does: one manager, one conflict
check (``plugin_contract.plugins.check_claims``) naming both plugins that claim a name."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests

from plugin_contract.conda import ContractPluginManager, hookimpl
from plugin_contract.conda import manager as conda_manager
from plugin_contract.errors import PluginError
from plugin_contract.session.before import BeforeActionContext
from plugin_contract.session.config import SessionConfig
from plugin_contract.session.registry import SessionRegistry
from plugin_contract.session.types import CondaBeforeAction, CondaSessionClass


class FirstSession(requests.Session):
    pass


class SecondSession(requests.Session):
    pass


def _nothing(context: BeforeActionContext) -> None:
    del context


class First:
    @hookimpl
    def conda_session_classes(self) -> Iterator[CondaSessionClass]:
        yield CondaSessionClass("shared", FirstSession)
        yield CondaSessionClass("first-only", FirstSession)

    @hookimpl
    def conda_before_actions(self) -> Iterator[CondaBeforeAction]:
        yield CondaBeforeAction("prompt", _nothing)


class Second:
    @hookimpl
    def conda_session_classes(self) -> Iterator[CondaSessionClass]:
        yield CondaSessionClass("Shared ", SecondSession)

    @hookimpl
    def conda_before_actions(self) -> Iterator[CondaBeforeAction]:
        yield CondaBeforeAction("prompt", _nothing)


class OtherPrompt:
    @hookimpl
    def conda_before_actions(self) -> Iterator[CondaBeforeAction]:
        yield CondaBeforeAction("Prompt", _nothing)


class Default:
    @hookimpl
    def conda_session_classes(self) -> Iterator[CondaSessionClass]:
        yield CondaSessionClass("default", SecondSession)


def _registry(monkeypatch: pytest.MonkeyPatch, **plugins: object) -> SessionRegistry:
    manager = ContractPluginManager()
    for name, plugin in plugins.items():
        manager.register(plugin, name=name)
    monkeypatch.setattr(conda_manager, "get_plugin_manager", lambda: manager)
    return SessionRegistry(config=SessionConfig())


def test_two_plugins_claiming_a_session_name_is_one_error_naming_both(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    registry = _registry(monkeypatch, alpha=First(), beta=Second())
    with pytest.raises(PluginError) as caught:
        registry.class_named("shared")
    message = str(caught.value)
    assert "session name 'shared'" in message
    assert "'alpha'" in message
    assert "'beta'" in message
    assert "uninstall one" in message
    assert "\n" not in message


def test_two_plugins_claiming_a_before_action_is_one_error_naming_both(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    registry = _registry(monkeypatch, alpha=First(), beta=OtherPrompt())
    with pytest.raises(PluginError, match=r"before-action 'prompt'.*'beta'.*'alpha'"):
        registry.before_actions  # noqa: B018  (the property loads the plugins)


def test_a_plugin_cannot_take_over_the_hosts_default_session(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    registry = _registry(monkeypatch, usurper=Default())
    with pytest.raises(PluginError, match=r"'default'.*'plugin-contract'.*'usurper'"):
        registry.class_named("default")


def test_distinct_names_from_several_plugins_all_load(monkeypatch: pytest.MonkeyPatch) -> None:
    registry = _registry(monkeypatch, alpha=First())
    assert registry.class_named("shared") is FirstSession
    assert registry.class_named("first-only") is FirstSession
    assert [action.name for action in registry.before_actions] == ["prompt"]


def test_explicit_classes_get_the_same_check() -> None:
    same = CondaSessionClass("twice", FirstSession)
    assert SessionRegistry(SessionConfig(), classes=[same, same]).class_named("twice")
    clash = [same, CondaSessionClass("twice", SecondSession)]
    with pytest.raises(PluginError, match=r"session name 'twice'.*FirstSession.*SecondSession"):
        SessionRegistry(SessionConfig(), classes=clash)
