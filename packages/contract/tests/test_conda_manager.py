"""The contract's conda plugin manager: specs, native conda hooks, typos and load failures."""

from __future__ import annotations

import re
import sys
import types
from collections.abc import Iterator
from importlib.metadata import EntryPoint

import pytest

from plugin_contract.conda import ContractPluginManager, hookimpl
from plugin_contract.errors import PluginError
from plugin_contract.plugins import check_claims, load_entry_points
from plugin_contract.session.types import CondaSessionClass


class SessionPlugin:
    @hookimpl
    def conda_session_classes(self) -> Iterator[CondaSessionClass]:
        yield CondaSessionClass(name="  Example ", session_class=dict)


class NativeCondaPlugin:
    @hookimpl
    def conda_auth_handlers(self) -> Iterator[object]:
        yield from ()


class NewerCondaPlugin:
    """conda 26's newest hooks and one of a conda that does not exist yet."""

    @hookimpl
    def conda_error_hints(self, error: object) -> Iterator[object]:
        yield from ()

    @hookimpl
    def conda_exception_observers(self) -> Iterator[object]:
        yield from ()

    @hookimpl
    def conda_hook_of_conda_99(self) -> Iterator[object]:
        yield from ()


class TypoPlugin:
    @hookimpl
    def conda_sesion_classes(self) -> Iterator[object]:
        yield from ()


class UnknownArgumentPlugin:
    @hookimpl
    def conda_shell_plugins(self, shell: str) -> Iterator[object]:
        yield from ()


def test_a_spec_hook_is_called_and_names_are_normalised() -> None:
    manager = ContractPluginManager()
    manager.register(SessionPlugin(), name="example")
    manager.verify()
    results = [entry for batch in manager.hook.conda_session_classes() for entry in batch]
    assert results == [CondaSessionClass("example", dict)]


def test_real_conda_hooks_are_accepted_without_a_local_spec() -> None:
    manager = ContractPluginManager()
    manager.register(NativeCondaPlugin(), name="native")
    manager.verify()


def test_hooks_of_newer_condas_are_accepted_quietly(capsys: pytest.CaptureFixture[str]) -> None:
    manager = ContractPluginManager()
    manager.register(NewerCondaPlugin(), name="newer")
    manager.verify()
    assert manager.has_plugin("newer")
    assert capsys.readouterr().err == ""


def test_a_typo_skips_the_plugin_naming_it_and_suggesting_the_spec(
    capsys: pytest.CaptureFixture[str],
) -> None:
    manager = ContractPluginManager()
    manager.register(TypoPlugin(), name="typo-plugin")
    manager.verify()
    assert not manager.has_plugin("typo-plugin")
    message = capsys.readouterr().err
    assert len(message.strip().splitlines()) == 1
    assert message.startswith("warning: plugin 'typo-plugin'")
    assert "'conda_sesion_classes'" in message
    assert "did you mean 'conda_session_classes'" in message


def _module(monkeypatch: pytest.MonkeyPatch, name: str, **attrs: object) -> None:
    module = types.ModuleType(name)
    for key, value in attrs.items():
        setattr(module, key, value)
    monkeypatch.setitem(sys.modules, name, module)


def test_an_import_failure_skips_the_plugin_naming_it(capsys: pytest.CaptureFixture[str]) -> None:
    point = EntryPoint("broken", "no_such_module_for_contract_tests", "conda")
    assert load_entry_points(ContractPluginManager(), "conda", [point]) == []
    assert re.match(
        r"warning: plugin 'broken' .* failed to load .*; skipping it\n$", capsys.readouterr().err
    )


def test_an_impl_with_arguments_the_spec_lacks_is_skipped(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _module(monkeypatch, "contract_test_bad_args", plugin=UnknownArgumentPlugin())
    point = EntryPoint("bad-args", "contract_test_bad_args:plugin", "conda")
    manager = ContractPluginManager()
    assert load_entry_points(manager, "conda", [point]) == []
    assert not manager.has_plugin("bad-args")
    assert "warning: plugin 'bad-args'" in capsys.readouterr().err


def test_one_conflict_check_names_both_plugins() -> None:
    assert check_claims([("bash", "posix"), ("fish", "fish"), ("bash", "posix")], "x") == {
        "bash": "posix",
        "fish": "fish",
    }
    with pytest.raises(PluginError, match=r"shell program 'bash' is claimed by both 'a' and 'b'"):
        check_claims([("bash", "a"), ("bash", "b")], "shell program")
