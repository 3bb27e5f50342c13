"""Talk to a real devpi-server over plain HTTP: users, indexes, uploads, push, delete.

The devpi upload protocol is a multipart POST of ``:action=file_upload`` with ``name``,
``version`` and ``content``; authentication is HTTP basic with the user's password.
"""

from __future__ import annotations

import base64
import io
import json
import tarfile
import urllib.error
import urllib.request
import uuid
import zipfile
from collections.abc import Mapping
from typing import Any

TIMEOUT = 30.0


class DevpiHTTPError(RuntimeError):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(f"HTTP {status}: {message}")
        self.status = status


def _auth(user: str, password: str) -> dict[str, str]:
    token = base64.b64encode(f"{user}:{password}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


def request(
    method: str,
    url: str,
    *,
    body: bytes | None = None,
    headers: Mapping[str, str] | None = None,
    timeout: float = TIMEOUT,
) -> tuple[int, bytes, dict[str, str]]:
    req = urllib.request.Request(url, data=body, method=method, headers=dict(headers or {}))
    try:
        with urllib.request.urlopen(req, timeout=timeout) as response:
            return response.status, response.read(), dict(response.headers.items())
    except urllib.error.HTTPError as error:
        raise DevpiHTTPError(error.code, error.read().decode(errors="replace")[:500]) from None


def json_call(
    method: str,
    url: str,
    data: Any,
    auth: tuple[str, str] | None = None,
) -> Any:
    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    if auth:
        headers.update(_auth(*auth))
    body = None if data is None else json.dumps(data).encode()
    _, raw, _ = request(method, url, body=body, headers=headers)
    return json.loads(raw) if raw else None


def login(server_url: str, user: str, password: str) -> dict[str, str]:
    """Headers carrying a devpi login token: no password hashing on every request."""
    result = json_call("POST", f"{server_url}/+login", {"user": user, "password": password})
    token = result["result"]["password"]
    encoded = base64.b64encode(f"{user}:{token}".encode()).decode()
    return {"X-Devpi-Auth": encoded}


def create_user(server_url: str, user: str, password: str) -> None:
    json_call("PUT", f"{server_url}/{user}", {"password": password})


def create_index(server_url: str, user: str, password: str, index: str, **config: Any) -> None:
    json_call("PUT", f"{server_url}/{user}/{index}", {"bases": [], **config}, (user, password))


def sdist_bytes(name: str, version: str) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        pkg_info = f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n".encode()
        info = tarfile.TarInfo(f"{name}-{version}/PKG-INFO")
        info.size = len(pkg_info)
        archive.addfile(info, io.BytesIO(pkg_info))
    return buffer.getvalue()


def wheel_bytes(name: str, version: str) -> bytes:
    buffer = io.BytesIO()
    dist_info = f"{name.replace('-', '_')}-{version}.dist-info"
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(
            f"{dist_info}/METADATA", f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n"
        )
        archive.writestr(f"{dist_info}/WHEEL", "Wheel-Version: 1.0\nRoot-Is-Purelib: true\n")
    return buffer.getvalue()


def upload(
    server_url: str,
    user: str,
    password: str,
    index: str,
    name: str,
    version: str,
    filename: str,
    content: bytes,
    *,
    action: str = "file_upload",
    auth_headers: Mapping[str, str] | None = None,
) -> int:
    """Upload one file (``action="doc_upload"`` for a doc zip); returns the HTTP status."""
    boundary = uuid.uuid4().hex
    fields = {":action": action, "name": name, "version": version}
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'.encode()
        for key, value in fields.items()
    ]
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="content"; '
        f'filename="{filename}"\r\nContent-Type: application/octet-stream\r\n\r\n'.encode()
        + content
        + b"\r\n"
    )
    body = b"".join(parts) + f"--{boundary}--\r\n".encode()
    headers = {
        "Content-Type": f"multipart/form-data; boundary={boundary}",
        **(auth_headers or _auth(user, password)),
    }
    status, _, _ = request("POST", f"{server_url}/{user}/{index}/", body=body, headers=headers)
    return status


def push(
    server_url: str, user: str, password: str, index: str, name: str, version: str, target: str
) -> None:
    json_call(
        "POST",
        f"{server_url}/{user}/{index}",
        {"name": name, "version": version, "targetindex": target},
        (user, password),
    )


def delete_version(
    server_url: str, user: str, password: str, index: str, name: str, version: str
) -> None:
    json_call("DELETE", f"{server_url}/{user}/{index}/{name}/{version}", None, (user, password))
