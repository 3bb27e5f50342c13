"""A real devpi-server with devpi-notify, real receivers on loopback (HTTP and SMTP)."""

from __future__ import annotations

import hashlib
import hmac
import json
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from testharness import devpi_http

from .conftest import Env

pytestmark = pytest.mark.slow

SECRET = "whsec-test-secret-0123456789"
PASSWORD = "alice-password"
WAIT = 60.0


def verify_signature(secret: str, header: str, body: bytes) -> bool:
    fields = dict(item.split("=", 1) for item in header.split(","))
    message = fields["t"].encode() + b"." + body
    expected = hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, fields["v1"])


def test_sdist_and_wheel_give_one_signed_event_each(env: Env) -> None:
    index = env.index_once("up", notify_targets="ci", notify_events="file_uploaded")
    sdist = env.upload(index, "alpha", "1.0")
    wheel = env.upload(index, "alpha", "1.0", kind="wheel")
    env.upload(index, "sentinel", "1.0")
    found = env.wait_events(env.ci, index, 3)
    assert [e["data"]["file"]["name"] for e in found] == [
        "alpha-1.0.tar.gz",
        "alpha-1.0-py3-none-any.whl",
        "sentinel-1.0.tar.gz",
    ]
    for event, content in zip(found[:2], (sdist, wheel), strict=True):
        headers = event["_headers"]
        assert headers["Content-Type"] == "application/cloudevents+json"
        assert verify_signature(SECRET, headers["X-Devpi-Notify-Signature"], event["_body"])
        assert not verify_signature("wrong", headers["X-Devpi-Notify-Signature"], event["_body"])
        assert event["specversion"] == "1.0"
        assert event["type"] == "net.devpi.notify.file_uploaded"
        assert event["id"] == headers["X-Devpi-Notify-Id"] == event["data"]["id"]
        assert event["source"] == f"{env.url}/{index}"
        data = event["data"]
        assert (data["project"], data["version"], data["uploader"]) == ("alpha", "1.0", "alice")
        assert data["file"]["sha256"] == hashlib.sha256(content).hexdigest()
        assert data["file"]["size"] == len(content)
        assert isinstance(data["serial"], int)
        with urllib.request.urlopen(data["urls"]["file"], timeout=10) as response:
            assert response.read() == content
    assert len({e["id"] for e in found}) == 3


def test_push_notifies_the_target_index(env: Env) -> None:
    source = env.index("src")
    target = env.index("dst", notify_targets="ci", notify_events="file_pushed")
    env.upload(source, "beta", "2.0")
    devpi_http.push(env.url, "alice", PASSWORD, "src", "beta", "2.0", target)
    (event,) = env.wait_events(env.ci, target, 1)
    assert event["type"] == "net.devpi.notify.file_pushed"
    assert event["data"]["push"] == {"by": "alice", "from": source}
    assert event["data"]["uploader"] == "alice"
    assert event["data"]["file"]["name"] == "beta-2.0.tar.gz"
    assert env.events(env.ci.snapshot(), source) == []


def test_deleting_a_version(env: Env) -> None:
    index = env.index("del", notify_targets="ci")
    env.upload(index, "gamma", "3.0")
    env.wait_events(env.ci, index, 1, kind="file_uploaded")
    devpi_http.delete_version(env.url, "alice", PASSWORD, "del", "gamma", "3.0")
    found = env.wait_events(env.ci, index, 1, kind="file_removed")
    found = env.wait_events(env.ci, index, 1, kind="version_deleted")
    kinds = [e["data"]["event"] for e in found]
    assert kinds.count("version_created") == 1
    removed = next(e for e in found if e["data"]["event"] == "file_removed")
    assert removed["data"]["file"]["name"] == "gamma-3.0.tar.gz"
    assert removed["data"]["project"] == "gamma"
    deleted = next(e for e in found if e["data"]["event"] == "version_deleted")
    assert (deleted["data"]["project"], deleted["data"]["version"]) == ("gamma", "3.0")


def test_index_without_opt_in_sends_nothing(env: Env) -> None:
    quiet = env.index("quiet")
    loud = env.index("loud", notify_targets="ci")
    env.upload(quiet, "delta", "1.0")
    env.upload(loud, "delta", "1.0")
    env.wait_events(env.ci, loud, 1, kind="file_uploaded")
    assert env.events(env.ci.snapshot(), quiet) == []
    assert env.rows(quiet) == []


def test_receiver_500_then_200_is_delivered_exactly_once(env: Env) -> None:
    env.flaky.statuses.append(500)
    index = env.index("flaky", notify_targets="flaky", notify_events="file_uploaded")
    env.upload(index, "epsilon", "1.0")
    env.upload(index, "epsilon", "1.1")  # same project: must wait for 1.0 (ordering)
    found = env.wait_events(env.flaky, index, 3)
    ids = [e["id"] for e in found]
    assert ids[0] == ids[1] != ids[2]
    assert [e["data"]["version"] for e in found] == ["1.0", "1.0", "1.1"]
    rows = {row["id"]: row for row in env.rows(index)}
    assert rows[ids[0]]["state"] == "delivered"
    assert rows[ids[0]]["attempts"] == 2
    assert rows[ids[2]]["attempts"] == 1


def test_hanging_receiver_does_not_block_uploads(env: Env) -> None:
    index = env.index("slow", notify_targets="slow", notify_events="file_uploaded")
    env.slow.hang()
    env.upload(index, "zeta", "1.0")
    env.wait_events(env.slow, index, 1)  # the worker now waits on a receiver that does not answer
    uploaded = threading.Event()

    def upload_more() -> None:
        env.upload(index, "zeta", "1.1")
        uploaded.set()

    worker = threading.Thread(target=upload_more)
    worker.start()
    worker.join(WAIT)
    assert uploaded.is_set(), "an upload waited for a hanging receiver"
    assert env.slow.hanging.is_set()
    env.slow.release()
    found = env.wait_events(env.slow, index, 2)
    assert [e["data"]["version"] for e in found] == ["1.0", "1.1"]


def test_slack_target_gets_text(env: Env) -> None:
    index = env.index("chat", notify_targets="chat", notify_events="file_uploaded")
    env.upload(index, "iota", "1.0")
    (request,) = env.chat.wait_for(lambda seen: len(seen) >= 1, timeout=WAIT)
    text = json.loads(request.body)["text"]
    assert text.startswith("[alice/chat] iota-1.0.tar.gz: uploaded by alice (<http")
    assert "X-Devpi-Notify-Signature" not in request.headers


def test_email_target_uses_starttls_and_auth(env: Env) -> None:
    index = env.index("mail", notify_targets="mail", notify_events="file_uploaded")
    env.upload(index, "eta", "1.0")
    with env.smtp.changed:
        assert env.smtp.changed.wait_for(
            lambda: any("eta-1.0.tar.gz" in m["content"] for m in env.smtp.messages), WAIT
        )
    message = next(m for m in env.smtp.messages if "eta-1.0.tar.gz" in m["content"])
    assert message["tls"]
    assert message["authenticated"]
    assert message["rcpt"] == ["ops@example.org"]
    assert "X-Devpi-Notify-Id:" in message["content"]


def test_anonymous_index_config_shows_no_secret(env: Env) -> None:
    env.index("public", notify_targets="ci,mail")
    response = devpi_http.request("GET", f"{env.url}/alice/public")
    assert response.status_code == 200
    raw = response.content
    config = json.loads(raw)["result"]
    assert config["notify_targets"] == ["ci", "mail"]
    text = raw.decode()
    for secret in (SECRET, "smtp-password-for-tests", env.ci.url, env.chat.url, "127.0.0.1:"):
        assert secret not in text


def test_metrics_and_cli_status(env: Env) -> None:
    index = env.index("metrics", notify_targets="ci", notify_events="file_uploaded")
    env.upload(index, "theta", "1.0")
    env.wait_events(env.ci, index, 1)
    # The receiver records the request before the worker has read the answer and marked the
    # delivery done in the outbox, so the counter may lag the arrival briefly (the race that
    # made this test flaky): poll it, bounded.
    deadline = time.monotonic() + 30
    while True:
        status = env.server.get_json("/+status")
        assert isinstance(status, dict)
        metrics = {name: value for name, _, value in status["result"]["metrics"]}
        if metrics["devpi_notify_delivered"] >= 1 or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert metrics["devpi_notify_delivered"] >= 1
    for name in ("devpi_notify_queued", "devpi_notify_failed"):
        assert name in metrics
    assert "devpi_notify_oldest_pending_age_seconds" in metrics
    cli = Path(sys.executable).parent / "devpi-notify"
    proc = subprocess.run(
        [str(cli), "status", "--serverdir", str(env.server.serverdir), "--json"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    report = json.loads(proc.stdout)
    assert report["stats"]["delivered"] >= 1
    assert SECRET not in proc.stdout


@pytest.mark.parametrize(
    ("method", "path", "body", "message"),
    [
        ("PUT", "/alice/typo", {"bases": [], "notify_targets": "ci,nope"}, "target(s) nope"),
        ("PATCH", "/alice/up", ["notify_targets+=nope"], "target(s) nope"),
        ("PATCH", "/alice/up", ["notify_events=uploaded"], "event(s) uploaded"),
        ("PATCH", "/alice/up", {"notify_targets": ["ci", "nope"]}, "target(s) nope"),
    ],
)
def test_index_settings_with_unknown_names_are_refused(
    env: Env, method: str, path: str, body: Any, message: str
) -> None:
    if method == "PATCH":
        env.index_once("up", notify_targets="ci", notify_events="file_uploaded")
    with pytest.raises(devpi_http.DevpiHTTPError) as caught:
        devpi_http.json_call(method, env.url + path, body, ("alice", PASSWORD))
    assert caught.value.status == 400
    assert message in str(caught.value)
    assert "; known: " in str(caught.value)
    if method == "PATCH":
        config = devpi_http.json_call("GET", env.url + "/alice/up", None)
        assert config["result"]["notify_targets"] == ["ci"]
    else:
        with pytest.raises(devpi_http.DevpiHTTPError, match="404"):
            devpi_http.json_call("GET", env.url + path, None)


def test_index_settings_with_known_names_are_stored(env: Env) -> None:
    env.index("known", notify_targets="ci")
    devpi_http.json_call(
        "PATCH", env.url + "/alice/known", ["notify_targets+=mail"], ("alice", PASSWORD)
    )
    config = devpi_http.json_call("GET", env.url + "/alice/known", None)
    assert config["result"]["notify_targets"] == ["ci", "mail"]
