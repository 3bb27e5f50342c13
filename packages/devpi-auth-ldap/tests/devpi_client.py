"""Small HTTP client for a devpi-server under test: JSON, basic auth, tokens, uploads."""

from __future__ import annotations

import base64
import json
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass

TIMEOUT = 60  # no request may hang a test; outages must answer well before this


@dataclass
class Reply:
    status: int
    body: bytes

    def json(self) -> dict:
        return json.loads(self.body)


def basic(user: str, password: str) -> dict[str, str]:
    token = base64.b64encode(f"{user}:{password}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


def devpi_auth(user: str, token: str) -> dict[str, str]:
    return {"X-Devpi-Auth": base64.b64encode(f"{user}:{token}".encode()).decode()}


def call(
    url: str,
    method: str = "GET",
    *,
    headers: dict[str, str] | None = None,
    data: bytes | None = None,
    json_body: object = None,
    accept: str = "application/json",
) -> Reply:
    all_headers = {"Accept": accept, **(headers or {})}
    if json_body is not None:
        data = json.dumps(json_body).encode()
        all_headers["Content-Type"] = "application/json"
    request = urllib.request.Request(url, data=data, method=method, headers=all_headers)
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
            return Reply(response.status, response.read())
    except urllib.error.HTTPError as error:
        return Reply(error.code, error.read())


def login(base: str, user: str, password: str) -> Reply:
    return call(f"{base}/+login", "POST", json_body={"user": user, "password": password})


def upload(
    base: str, index: str, headers: dict[str, str], name: str, version: str, content: bytes
) -> Reply:
    boundary = uuid.uuid4().hex
    filename = f"{name}-{version}.tar.gz"
    parts = []
    for key, value in ((":action", "file_upload"), ("name", name), ("version", version)):
        header = f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n'
        parts.append(f"{header}{value}\r\n".encode())
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="content"; '
        f'filename="{filename}"\r\nContent-Type: application/octet-stream\r\n\r\n'.encode()
        + content
        + b"\r\n"
    )
    parts.append(f"--{boundary}--\r\n".encode())
    return call(
        f"{base}/{index}/",
        "POST",
        headers={**headers, "Content-Type": f"multipart/form-data; boundary={boundary}"},
        data=b"".join(parts),
    )


def metrics(base: str) -> dict[str, float]:
    status = call(f"{base}/+status").json()["result"]
    return {name: value for name, _kind, value in status["metrics"]}
