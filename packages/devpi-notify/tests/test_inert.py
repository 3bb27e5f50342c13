"""Without --notify-config, devpi-notify is inert: no index keys, no notify_* settings."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from testharness import devpi_http
from testharness.devpi import DevpiServer, start_devpi_server

PASSWORD = "alice-password"


@pytest.fixture(scope="module")
def plain_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevpiServer]:
    work: Path = tmp_path_factory.mktemp("inert")
    server = start_devpi_server(work)
    try:
        devpi_http.create_user(server.url, "alice", PASSWORD)
        yield server
    finally:
        server.process.stop()


def test_unconfigured_server_adds_no_index_keys(plain_server: DevpiServer) -> None:
    devpi_http.create_index(plain_server.url, "alice", PASSWORD, "plain")
    config = plain_server.get_json("/alice/plain")["result"]
    assert not [key for key in config if key.startswith("notify_")]
    assert not (plain_server.serverdir / ".devpi-notify-outbox.sqlite3").exists()


def test_unconfigured_server_refuses_notify_settings(plain_server: DevpiServer) -> None:
    auth = devpi_http.basic("alice", PASSWORD)
    put = devpi_http.request(
        "PUT",
        plain_server.url + "/alice/refused",
        json={"bases": [], "notify_targets": "ci"},
        headers=auth,
        check=False,
    )
    assert put.status_code >= 400
    devpi_http.create_index(plain_server.url, "alice", PASSWORD, "patched")
    patch = devpi_http.request(
        "PATCH",
        plain_server.url + "/alice/patched",
        json=["notify_targets+=ci"],
        headers=auth,
        check=False,
    )
    assert patch.status_code >= 400
    config = plain_server.get_json("/alice/patched")["result"]
    assert "notify_targets" not in config
