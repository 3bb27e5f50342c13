"""A real devpi-server process on a loopback port, for devpi plugin tests.

``start_devpi_server(start_server, tmp_path, ...)`` initialises a server directory with
``devpi-init`` (offline: no PyPI mirror, root password set) and starts ``devpi-server`` from
the same environment as the tests, so plugins installed there are loaded for real.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.request
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from testharness.ports import free_port
from testharness.process import ServerProcess

ROOT_PASSWORD = "root-test-password"  # noqa: S105 - a throwaway server's root account


@dataclass
class DevpiServer:
    """A running devpi-server: its URL, server directory and process."""

    url: str
    port: int
    serverdir: Path
    process: ServerProcess

    def get_json(self, path: str, headers: Mapping[str, str] | None = None) -> object:
        request = urllib.request.Request(
            self.url + path, headers={"Accept": "application/json", **(headers or {})}
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.load(response)


def devpi_script(name: str) -> str:
    """Path of a devpi console script in the running interpreter's environment."""
    candidate = Path(sys.executable).parent / name
    return str(candidate) if candidate.exists() else name


def init_serverdir(serverdir: Path, extra_args: Sequence[str] = (), timeout: float = 120) -> None:
    subprocess.run(
        [
            devpi_script("devpi-init"),
            "--serverdir",
            str(serverdir),
            "--no-root-pypi",
            "--root-passwd",
            ROOT_PASSWORD,
            *extra_args,
        ],
        check=True,
        capture_output=True,
        timeout=timeout,
    )


def start_devpi_server(
    start_server: Callable[..., ServerProcess],
    tmp_path: Path,
    *,
    args: Sequence[str] = (),
    env: Mapping[str, str] | None = None,
    name: str = "devpi-server",
    serverdir: Path | None = None,
    port: int | None = None,
    initialise: bool = True,
) -> DevpiServer:
    """Start devpi-server on 127.0.0.1 and wait until ``/+api`` answers (bounded)."""
    serverdir = serverdir or tmp_path / "devpi-serverdir"
    if initialise and not (serverdir / ".serverversion").exists():
        init_serverdir(serverdir)
    port = port or free_port()
    url = f"http://127.0.0.1:{port}"

    def ready() -> bool:
        with urllib.request.urlopen(url + "/+api", timeout=2) as response:
            return bool(response.status == 200)

    process = start_server(
        name,
        [
            devpi_script("devpi-server"),
            "--serverdir",
            str(serverdir),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            *args,
        ],
        env={**os.environ, "PYTHONWARNINGS": "ignore", **(env or {})},
        ready=ready,
        start_timeout=90,
    )
    return DevpiServer(url=url, port=port, serverdir=serverdir, process=process)
