"""Fixtures: an isolated home with a file keyring, and a real basic-auth channel on loopback."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest

from plugin_contract.session.credentials import forget_remembered
from plugin_contract.session.registry import clear_session_cache
from testharness.channel import ChannelServer, basic_auth_check
from testharness.keyring_backend import FileKeyring

USER = "alice"
PASSWORD = "s3cret-Pa55:word"
SHARED = str(Path(__file__).resolve().parents[3] / "shared")


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, str]]:
    """HOME, XDG dirs, CONDARC and a file keyring under tmp_path; returns the environment."""
    home = tmp_path / "home"
    home.mkdir()
    env = {
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "XDG_DATA_HOME": str(home / ".local" / "share"),
        "CONDARC": str(home / ".condarc"),
        "PYTHON_KEYRING_BACKEND": "testharness.keyring_backend.FileKeyring",
        "TESTHARNESS_KEYRING_FILE": str(tmp_path / "keyring.json"),
        "CONDA_SESSION_NO_PROMPT": "1",
        "NETRC": str(home / ".netrc"),
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    for name in [n for n in os.environ if n.startswith(("CONDA_BASIC_AUTH_", "CONDA_OFFLINE"))]:
        monkeypatch.delenv(name)
    monkeypatch.delenv("CI", raising=False)
    previous = keyring.get_keyring()
    keyring.set_keyring(FileKeyring())
    clear_session_cache()
    forget_remembered()
    yield env
    clear_session_cache()
    forget_remembered()
    keyring.set_keyring(previous)


@pytest.fixture
def subprocess_env(home: dict[str, str]) -> dict[str, str]:
    """The isolated environment for ``conda-session`` subprocesses."""
    path = os.pathsep.join(filter(None, [SHARED, os.environ.get("PYTHONPATH")]))
    bindir = str(Path(sys.executable).parent)
    return {
        **os.environ,
        **home,
        "PYTHONPATH": path,
        "PATH": bindir + os.pathsep + os.environ.get("PATH", ""),
    }


@pytest.fixture
def server() -> Iterator[ChannelServer]:
    with ChannelServer(auth_check=basic_auth_check(USER, PASSWORD)) as running:
        yield running


@pytest.fixture
def other_origin() -> Iterator[ChannelServer]:
    """A second origin that records any Authorization it receives and needs none."""
    with ChannelServer() as running:
        yield running
