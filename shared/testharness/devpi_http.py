"""Talk to a real devpi-server over HTTP (``requests``): logins, users, indexes, uploads, push.

One error behaviour: a response with status 400 or above raises :class:`DevpiHTTPError`
(``.status``, ``.body``; the message names method, URL and the body's start), unless the
caller passes ``check=False`` and inspects ``response.status_code`` itself (tests of refusals).
Every request has a timeout (``TIMEOUT``); nothing here can hang a test.

Authentication: ``basic(user, password)`` headers, or ``token_headers(url, user, password)``
for a devpi login token (``X-Devpi-Auth``), which skips auth plugins on later requests.
"""

from __future__ import annotations

import base64
import io
import tarfile
import zipfile
from collections.abc import Mapping
from typing import Any

import requests

__all__ = [
    "TIMEOUT",
    "DevpiHTTPError",
    "basic",
    "create_index",
    "create_user",
    "delete_version",
    "devpi_auth",
    "json_call",
    "login",
    "metrics",
    "push",
    "request",
    "sdist_bytes",
    "token_headers",
    "upload",
    "wheel_bytes",
]

TIMEOUT = 60.0  # no request may hang a test; outages must answer well before this


class DevpiHTTPError(RuntimeError):
    """devpi-server answered with an error status."""

    def __init__(self, method: str, url: str, status: int, body: str) -> None:
        super().__init__(f"{method} {url}: HTTP {status}: {body[:500]}")
        self.status = status
        self.body = body


def basic(user: str, password: str) -> dict[str, str]:
    token = base64.b64encode(f"{user}:{password}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


def devpi_auth(user: str, token: str) -> dict[str, str]:
    return {"X-Devpi-Auth": base64.b64encode(f"{user}:{token}".encode()).decode()}


def request(
    method: str,
    url: str,
    *,
    json: Any = None,
    data: Any = None,
    files: Any = None,
    headers: Mapping[str, str] | None = None,
    accept: str = "application/json",
    check: bool = True,
    timeout: float = TIMEOUT,
    session: requests.Session | None = None,
) -> requests.Response:
    """One HTTP request; raises :class:`DevpiHTTPError` on status >= 400 unless ``check=False``."""
    sender: Any = session or requests
    response: requests.Response = sender.request(
        method,
        url,
        json=json,
        data=data,
        files=files,
        headers={"Accept": accept, **(headers or {})},
        timeout=timeout,
        allow_redirects=False,
    )
    if check and response.status_code >= 400:
        raise DevpiHTTPError(method, url, response.status_code, response.text)
    return response


def json_call(method: str, url: str, data: Any, auth: tuple[str, str] | None = None) -> Any:
    """A JSON request (basic auth with ``auth``); returns the decoded body, or None if empty."""
    response = request(method, url, json=data, headers=basic(*auth) if auth else None)
    return response.json() if response.content else None


def login(server_url: str, user: str, password: str, *, check: bool = True) -> requests.Response:
    """``POST /+login``; the token is ``response.json()["result"]["password"]``."""
    return request(
        "POST", f"{server_url}/+login", json={"user": user, "password": password}, check=check
    )


def token_headers(server_url: str, user: str, password: str) -> dict[str, str]:
    """Headers carrying a devpi login token: no password check on every request."""
    token = login(server_url, user, password).json()["result"]["password"]
    return devpi_auth(user, token)


def create_user(server_url: str, user: str, password: str) -> None:
    json_call("PUT", f"{server_url}/{user}", {"password": password})


def create_index(server_url: str, user: str, password: str, index: str, **config: Any) -> None:
    json_call("PUT", f"{server_url}/{user}/{index}", {"bases": [], **config}, (user, password))


def upload(
    server_url: str,
    index: str,
    name: str,
    version: str,
    content: bytes,
    *,
    headers: Mapping[str, str],
    filename: str | None = None,
    action: str = "file_upload",
    check: bool = True,
) -> requests.Response:
    """Upload one file to ``index`` (``user/name``); ``action="doc_upload"`` for a doc zip."""
    return request(
        "POST",
        f"{server_url}/{index}/",
        data={":action": action, "name": name, "version": version},
        files={"content": (filename or f"{name}-{version}.tar.gz", content)},
        headers=headers,
        check=check,
    )


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


def metrics(server_url: str) -> dict[str, float]:
    """The ``+status`` metrics (plugins add theirs through ``devpiserver_metrics``)."""
    status = request("GET", f"{server_url}/+status").json()["result"]
    return {name: value for name, _kind, value in status["metrics"]}


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
