"""pytest plugin for devpi-server's own test suite: register our devpi plugins, unconfigured,
in every in-process server (its makexom builds the plugin manager with
load_entrypoints=False, so entry points alone would never load them).

Use: ``pytest -p our_plugins test_devpi_server`` with this folder on PYTHONPATH.
"""

from __future__ import annotations

import importlib
import os
from pathlib import Path
from typing import Any

import pytest

OUR_PLUGIN_MODULES = ("devpi_notify.main", "devpi_auth_ldap.main")


def _our_plugins() -> list[Any]:
    # Both must be installed: a gate that silently ran without one would prove nothing.
    return [importlib.import_module(name) for name in OUR_PLUGIN_MODULES]


def _note_registration() -> None:
    """Touch ``$DEVPI_SUITE_REGISTRATIONS`` so the gate knows the plugins were really in."""
    marker = os.environ.get("DEVPI_SUITE_REGISTRATIONS")
    if marker:
        Path(marker).touch()


@pytest.fixture(autouse=True)
def _register_our_plugins(monkeypatch: pytest.MonkeyPatch) -> None:
    import test_devpi_server.plugin as suite

    original = suite.__dict__["get_pluginmanager"]

    def get_pluginmanager(*args: Any, **kwargs: Any) -> Any:
        pm = original(*args, **kwargs)
        for plugin in _our_plugins():
            if not pm.is_registered(plugin):
                pm.register(plugin)
        _note_registration()
        return pm

    monkeypatch.setattr(suite, "get_pluginmanager", get_pluginmanager)
