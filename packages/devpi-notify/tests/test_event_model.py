"""The event model of the README, hook by hook, against a real devpi-server.

Each step waits for a sentinel event of another project uploaded after it, so "no further
event" is checked after the worker had the chance to send one.
"""

from __future__ import annotations

import io
import zipfile

import pytest

from testharness import devpi_http

from .conftest import PASSWORD, Env

BOB_PASSWORD = "bob-password"

pytestmark = pytest.mark.slow


def kinds_and_names(env: Env, index: str, project: str) -> list[tuple[str, str | None]]:
    found = [e["data"] for e in env.events(env.ci.snapshot(), index)]
    return [
        (data["event"], (data.get("file") or {}).get("name"))
        for data in found
        if data["project"] == project
    ]


def sentinel(env: Env, index: str, step: int) -> None:
    """Upload a file of another project and wait until it arrived."""
    env.upload(index, "sentinel", f"{step}.0")
    env.wait_for_event(index, "sentinel", f"{step}.0", "file_uploaded")


def doczip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("index.html", "<html>docs</html>")
    return buffer.getvalue()


def test_each_hook_gives_the_documented_events_in_order(env: Env) -> None:
    index = env.index("model", notify_targets="ci")
    auth = devpi_http.basic("alice", PASSWORD)

    # devpiserver_on_changed_versiondata (new version) + devpiserver_on_upload, same serial
    env.upload(index, "omega", "1.0")
    sentinel(env, index, 1)
    assert kinds_and_names(env, index, "omega") == [
        ("version_created", None),
        ("file_uploaded", "omega-1.0.tar.gz"),
    ]
    created = next(
        e["data"] for e in env.events(env.ci.snapshot(), index) if e["data"]["project"] == "omega"
    )
    assert created["uploader"] == "alice"

    # a second file of the version: the link changes the version's data, yet no version event
    env.upload(index, "omega", "1.0", kind="wheel")
    sentinel(env, index, 2)
    assert kinds_and_names(env, index, "omega")[2:] == [
        ("file_uploaded", "omega-1.0-py3-none-any.whl")
    ]

    # a doc zip: devpiserver_on_upload with a doczip link
    devpi_http.upload(
        env.url, index, "omega", "1.0", doczip(), filename="omega-1.0.doc.zip",
        action="doc_upload", headers=auth,
    )  # fmt: skip
    sentinel(env, index, 3)
    assert kinds_and_names(env, index, "omega")[3:] == [("docs_uploaded", "omega-1.0.doc.zip")]

    # changed metadata (register again): devpiserver_on_changed_versiondata only
    devpi_http.request(
        "POST",
        f"{env.url}/{index}/",
        data={":action": "submit", "name": "omega", "version": "1.0", "summary": "changed"},
        headers=auth,
    )
    sentinel(env, index, 4)
    assert kinds_and_names(env, index, "omega")[4:] == [("version_changed", None)]

    # removing the version: devpiserver_on_remove_file per file, then the version
    devpi_http.delete_version(env.url, "alice", PASSWORD, "model", "omega", "1.0")
    sentinel(env, index, 5)
    removed = kinds_and_names(env, index, "omega")[5:]
    assert removed[-1] == ("version_deleted", None)
    assert sorted(removed[:-1]) == [
        ("file_removed", "omega-1.0-py3-none-any.whl"),
        ("file_removed", "omega-1.0.doc.zip"),
        ("file_removed", "omega-1.0.tar.gz"),
    ]
    ids = [e["id"] for e in env.events(env.ci.snapshot(), index)]
    assert len(ids) == len(set(ids)), "an event was delivered twice"


def version_event(env: Env, index: str, project: str, kind: str) -> dict[str, object]:
    found = [
        e["data"]
        for e in env.events(env.ci.snapshot(), index)
        if (e["data"]["project"], e["data"]["event"]) == (project, kind)
    ]
    assert len(found) == 1, found
    return found[0]


def test_version_events_without_files_name_the_user_who_made_the_change(env: Env) -> None:
    """register-only, metadata change and delete by two users: each event names its user;
    a lookup of a neighbouring serial (alice's sentinel uploads) would name the wrong one."""
    try:
        devpi_http.create_user(env.url, "bob", BOB_PASSWORD)
    except devpi_http.DevpiHTTPError as error:
        if error.status != 409:
            raise
    index = env.index("who", notify_targets="ci", acl_upload=["alice", "bob"])
    alice = devpi_http.basic("alice", PASSWORD)
    bob = devpi_http.basic("bob", BOB_PASSWORD)

    def submit(headers: dict[str, str], summary: str) -> None:
        devpi_http.request(
            "POST",
            f"{env.url}/{index}/",
            data={":action": "submit", "name": "who", "version": "1.0", "summary": summary},
            headers=headers,
        )

    submit(bob, "registered by bob")  # devpiserver_on_changed_versiondata, no file
    sentinel(env, index, 1)
    assert kinds_and_names(env, index, "who") == [("version_created", None)]
    assert version_event(env, index, "who", "version_created")["uploader"] == "bob"

    submit(alice, "changed by alice")
    sentinel(env, index, 2)
    assert kinds_and_names(env, index, "who")[1:] == [("version_changed", None)]
    assert version_event(env, index, "who", "version_changed")["uploader"] == "alice"

    devpi_http.request("DELETE", f"{env.url}/{index}/who/1.0", headers=bob)
    sentinel(env, index, 3)
    assert kinds_and_names(env, index, "who")[2:] == [("version_deleted", None)]
    assert version_event(env, index, "who", "version_deleted")["uploader"] == "bob"

    # alice's file, deleted by bob: file_removed names who removed it, not who uploaded it
    env.upload(index, "whose", "1.0")
    env.wait_for_event(index, "whose", "1.0", "file_uploaded")
    devpi_http.request("DELETE", f"{env.url}/{index}/whose/1.0", headers=bob)
    sentinel(env, index, 4)
    assert version_event(env, index, "whose", "file_uploaded")["uploader"] == "alice"
    assert version_event(env, index, "whose", "file_removed")["uploader"] == "bob"
