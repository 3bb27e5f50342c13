"""Trigger types, auth, headers, unsigned mode and proxies, from a real devpi-server.

Each loopback receiver checks the request the way the real service documents it:
- GitHub ``POST /repos/{owner}/{repo}/dispatches``, ``Authorization: Bearer``,
  ``Accept: application/vnd.github+json``, ``X-GitHub-Api-Version``, a JSON body with
  ``event_type`` and at most 10 ``client_payload`` properties; answers 204.
- GitLab ``POST /api/v4/projects/:id/trigger/pipeline`` (``:id`` the URL-encoded path), form
  fields ``token``, ``ref`` and ``variables[KEY]``; answers 201.
- Jenkins ``POST /job/<folder>/job/<name>/buildWithParameters``, basic auth with user and API
  token, form parameters (and the job's ``token``); answers 201.
"""

from __future__ import annotations

import base64
import json
from urllib.parse import parse_qsl

import pytest

from testharness.recorder import Recorded

from .conftest import BASIC_PASSWORD, PROXIED_HOST, SECRET, TOKENS, Env

pytestmark = pytest.mark.slow
TARGETS = ("gh", "gl", "jk", "bearer", "basic", "proxied")


@pytest.fixture(scope="module")
def received(env: Env) -> dict[str, Recorded]:
    index = env.index("triggers", notify_targets=",".join(TARGETS), notify_events="file_uploaded")
    env.upload(index, "kappa", "1.0")
    return {
        name: env.receivers[name].wait_for(lambda seen: len(seen) >= 1, timeout=60)[0]
        for name in TARGETS
    }


def form(request: Recorded) -> dict[str, str]:
    assert request.headers["Content-Type"] == "application/x-www-form-urlencoded"
    return dict(parse_qsl(request.body.decode("ascii"), strict_parsing=True))


def basic_credentials(request: Recorded) -> str:
    scheme, _, value = request.headers["Authorization"].partition(" ")
    assert scheme == "Basic"
    return base64.b64decode(value).decode()


def test_github_repository_dispatch(received: dict[str, Recorded]) -> None:
    request = received["gh"]
    assert (request.method, request.path) == ("POST", "/repos/acme/app/dispatches")
    assert request.headers["Authorization"] == f"Bearer {TOKENS['GH_TOKEN']}"
    assert request.headers["Accept"] == "application/vnd.github+json"
    assert request.headers["X-GitHub-Api-Version"] == "2022-11-28"
    document = json.loads(request.body)
    assert set(document) == {"event_type", "client_payload"}
    assert document["event_type"] == "devpi-upload"
    payload = document["client_payload"]
    assert len(payload) <= 10
    assert (payload["event"], payload["project"], payload["version"]) == (
        "file_uploaded",
        "kappa",
        "1.0",
    )
    assert payload["file"]["name"] == "kappa-1.0.tar.gz"


def test_gitlab_pipeline_trigger(received: dict[str, Recorded]) -> None:
    request = received["gl"]
    assert (request.method, request.path) == (
        "POST",
        "/api/v4/projects/acme%2Fapp/trigger/pipeline",
    )
    fields = form(request)
    assert fields["token"] == TOKENS["GL_TOKEN"]
    assert fields["ref"] == "main"
    assert fields["variables[DEVPI_EVENT]"] == "file_uploaded"
    assert fields["variables[DEVPI_PROJECT]"] == "kappa"
    assert fields["variables[DEVPI_FILE]"] == "kappa-1.0.tar.gz"
    assert "Authorization" not in request.headers


def test_jenkins_build_with_parameters(received: dict[str, Recorded]) -> None:
    request = received["jk"]
    assert request.method == "POST"
    assert request.path == "/job/release/job/app/buildWithParameters"
    assert basic_credentials(request) == f"ci-bot:{TOKENS['JK_TOKEN']}"
    fields = form(request)
    assert fields["token"] == TOKENS["JK_BUILD"]
    assert fields["DEVPI_VERSION"] == "1.0"
    assert fields["DEVPI_URL"].endswith("/kappa-1.0.tar.gz")


def test_bearer_header_and_unsigned_webhook(received: dict[str, Recorded]) -> None:
    request = received["bearer"]
    assert request.headers["Authorization"] == f"Bearer {TOKENS['BEARER']}"
    assert request.headers["X-Team"] == "devpi"
    assert "X-Devpi-Notify-Signature" not in request.headers
    assert json.loads(request.body)["data"]["project"] == "kappa"


def test_basic_auth_from_a_file_on_a_signed_webhook(received: dict[str, Recorded]) -> None:
    request = received["basic"]
    assert basic_credentials(request) == f"hook:{BASIC_PASSWORD}"
    assert "X-Devpi-Notify-Signature" in request.headers


def test_proxy_is_used_and_no_proxy_bypasses_it(env: Env, received: dict[str, Recorded]) -> None:
    # the proxied host does not resolve: the request arrived, so it went through the proxy
    assert json.loads(received["proxied"].body)["data"]["project"] == "kappa"
    paths = [item.path for item in env.proxy.forwarded]
    assert f"http://{PROXIED_HOST}/hook" in paths
    # every other target is on 127.0.0.1, listed in NO_PROXY: none went through the proxy
    assert all(PROXIED_HOST in path for path in paths)


def test_no_secret_in_the_server_log(env: Env, received: dict[str, Recorded]) -> None:
    text = env.server.log_path.read_text(errors="replace")
    for secret in (*TOKENS.values(), BASIC_PASSWORD, SECRET):
        assert secret not in text
