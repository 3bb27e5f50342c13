"""devpi-export / devpi-import with real processes: no replayed history, and the uninstall path."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from devpi_notify.events import Change

from testharness import devpi_http
from testharness.devpi import devpi_script, notify_webhook_args, start_devpi_server
from testharness.process import ServerGroup
from testharness.recorder import Recorded, recording_server

pytestmark = pytest.mark.slow

PASSWORD = "alice-password"
WAIT = 60.0
WITHOUT_NOTIFY = Path(__file__).parents[1] / "bench" / "devpi_server_without_notify.py"


def versions(requests: list[Recorded]) -> list[tuple[str, str]]:
    found = []
    for item in requests:
        data = json.loads(item.body)["data"]
        found.append((data["event"], data["version"]))
    return found


def run(*argv: str) -> None:
    subprocess.run(argv, check=True, capture_output=True, timeout=120)


def upload(url: str, version: str) -> None:
    content = devpi_http.sdist_bytes("ixpkg", version)
    auth = devpi_http.basic("alice", PASSWORD)
    devpi_http.upload(url, "alice/dev", "ixpkg", version, content, headers=auth)


def test_import_announces_no_history_and_a_stripped_dump_uninstalls(
    tmp_path: Path, start_server: ServerGroup
) -> None:
    with recording_server() as receiver:
        args = notify_webhook_args(
            tmp_path / "notify.yaml", receiver.url, key_variable="NS", poll_interval=0.2
        )
        environ = {"NS": "import-test-secret"}
        original = start_devpi_server(
            tmp_path / "a", servers=start_server, args=args, env=environ, name="original"
        )
        devpi_http.create_user(original.url, "alice", PASSWORD)
        devpi_http.create_index(original.url, "alice", PASSWORD, "dev", notify_targets="ci")
        upload(original.url, "1.0")
        receiver.wait_for(lambda seen: len(seen) >= 2, timeout=WAIT)
        original.process.stop()
        dump = tmp_path / "dump"
        run(devpi_script("devpi-export"), "--serverdir", str(original.serverdir), str(dump))
        stripped = tmp_path / "stripped"
        shutil.copytree(dump, stripped)

        # import into a server with devpi-notify: the imported upload is history
        imported = tmp_path / "b" / "serverdir"
        run(devpi_script("devpi-import"), "--serverdir", str(imported), "--no-events", str(dump))
        server = start_devpi_server(
            tmp_path / "b",
            servers=start_server,
            args=args,
            env=environ,
            name="imported",
            serverdir=imported,
            initialise=False,
        )
        upload(server.url, "2.0")
        receiver.wait_for(lambda seen: ("file_uploaded", "2.0") in versions(seen), timeout=WAIT)
        assert sorted(versions(receiver.snapshot())) == [
            ("file_uploaded", "1.0"),
            ("file_uploaded", "2.0"),
            ("version_created", "1.0"),
            ("version_created", "2.0"),
        ]

        # uninstall: strip the keys, import into a server without devpi-notify, update
        cli = Path(sys.executable).parent / "devpi-notify"
        run(str(cli), "strip-export", str(stripped))
        plain_dir = tmp_path / "c" / "serverdir"
        run(devpi_script("devpi-import"), "--serverdir", str(plain_dir), str(stripped))
        plain = start_devpi_server(
            tmp_path / "c",
            servers=start_server,
            command=[sys.executable, str(WITHOUT_NOTIFY)],
            name="without-notify",
            serverdir=plain_dir,
            initialise=False,
        )
        full = plain.get_json("/alice/dev")["result"]
        assert not [key for key in full if key.startswith("notify_")]
        devpi_http.json_call("PATCH", plain.url + "/alice/dev", full, ("alice", PASSWORD))
        devpi_http.json_call(
            "PATCH", plain.url + "/alice/dev", ["title=after uninstall"], ("alice", PASSWORD)
        )
        assert plain.get_json("/alice/dev")["result"]["title"] == "after uninstall"


def history_events(requests: list[Recorded]) -> list[tuple[str, str, str, str | None]]:
    found = []
    for item in requests:
        data = json.loads(item.body)["data"]
        name = (data.get("file") or {}).get("name")
        found.append((data["event"], data["project"], data["version"], name))
    return found


@pytest.mark.parametrize("import_events", ["during-import", "no-events"])
def test_announce_history_announces_the_imported_history(
    tmp_path: Path, start_server: ServerGroup, import_events: str
) -> None:
    with recording_server() as first, recording_server() as second:

        def config_for(url: str, name: str, **worker: object) -> list[str]:
            settings = {"poll_interval": 0.2, **worker}
            return notify_webhook_args(
                tmp_path / f"{name}.yaml", url, key_variable="NS", **settings
            )

        environ = {"NS": "import-test-secret"}
        original = start_devpi_server(
            tmp_path / "a",
            servers=start_server,
            args=config_for(first.url, "first"),
            env=environ,
            name="original",
        )
        devpi_http.create_user(original.url, "alice", PASSWORD)
        devpi_http.create_index(original.url, "alice", PASSWORD, "dev", notify_targets="ci")
        upload(original.url, "1.0")
        devpi_http.request(  # a bare register: a version without files
            "POST",
            f"{original.url}/alice/dev/",
            data={":action": "submit", "name": "ixpkg", "version": "1.5"},
            headers=devpi_http.basic("alice", PASSWORD),
        )
        first.wait_for(lambda seen: len(seen) >= 3, timeout=WAIT)
        history = sorted(history_events(first.snapshot()))
        assert history == [
            ("file_uploaded", "ixpkg", "1.0", "ixpkg-1.0.tar.gz"),
            ("version_created", "ixpkg", "1.0", None),
            ("version_created", "ixpkg", "1.5", None),
        ]
        original.process.stop()
        dump = tmp_path / "dump"
        run(devpi_script("devpi-export"), "--serverdir", str(original.serverdir), str(dump))

        imported = tmp_path / "b" / "serverdir"
        no_events = ["--no-events"] if import_events == "no-events" else []
        run(devpi_script("devpi-import"), "--serverdir", str(imported), *no_events, str(dump))
        server = start_devpi_server(
            tmp_path / "b",
            servers=start_server,
            args=config_for(second.url, "second", announce_history=True),
            env=environ,
            name="imported",
            serverdir=imported,
            initialise=False,
        )
        second.wait_for(lambda seen: len(seen) >= 3, timeout=WAIT)
        upload(server.url, "2.0")  # after the history: announced once, like any change
        second.wait_for(lambda seen: len(seen) >= 5, timeout=WAIT)
        received = [json.loads(item.body) for item in second.snapshot()]
        assert sorted(history_events(second.snapshot())) == sorted(
            [
                *history,
                ("file_uploaded", "ixpkg", "2.0", "ixpkg-2.0.tar.gz"),
                ("version_created", "ixpkg", "2.0", None),
            ]
        )
        ids = [event["id"] for event in received]
        assert len(set(ids)) == len(ids) == 5
        for event in received:  # ids follow the imported server's serials
            data = event["data"]
            path = (data.get("file") or {}).get("path") or f"{data['project']}/{data['version']}"
            change = Change(
                data["event"], data["index"], data["serial"], path, data["project"], "x"
            )
            assert event["id"] == change.event_id
