"""Real devpi-server processes on loopback ports: a primary, and replicas of it.

``start_devpi_server(workdir, servers=group)`` initialises a server directory with
``devpi-init`` (offline: no PyPI mirror, root password set) and starts ``devpi-server`` from the
same environment as the tests, so plugins installed there are loaded for real.
``start_replica(primary, workdir, servers=group)`` starts a ``--primary-url`` replica of it.

The port is picked free and may be taken by another process before devpi-server binds it; the
start is then retried on a new port (``PORT_ATTEMPTS``). With ``servers`` (a
:class:`~testharness.process.ServerGroup`, e.g. the ``start_server`` or ``module_servers``
fixture) the process is stopped with that group; without it the caller stops
``server.process``. Every start and stop is bounded in time.
"""

from __future__ import annotations

import functools
import os
import secrets
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests

from testharness.ports import free_port
from testharness.process import (
    PORT_ATTEMPTS,
    ServerGroup,
    ServerProcess,
    start_on_fresh_ports,
)

__all__ = [
    "PORT_ATTEMPTS",
    "ROOT_PASSWORD",
    "DevpiServer",
    "devpi_script",
    "init_serverdir",
    "start_devpi_server",
    "start_replica",
]

ROOT_PASSWORD = "root-test-password"  # noqa: S105 - a throwaway server's root account
START_TIMEOUT = 90.0
# devpi-server derives the replication signing key from the secret file with argon2 (default
# 512 MiB, 16 passes, unlocked: every concurrent first request derives it again) lazily on the
# first replica request after each start. On a loaded test machine that took longer than the
# replica's 37.5 s request timeout, so replicas stalled after a primary restart. The primary
# and its replicas must use the same parameters (both sign/verify with the derived key).
CHEAP_ARGON2 = ("--argon2-time-cost", "1", "--argon2-memory-cost", "8", "--argon2-parallelism", "1")


@dataclass
class DevpiServer:
    """A running devpi-server: its URL, server directory, process and (shared) secret file."""

    url: str
    port: int
    serverdir: Path
    process: ServerProcess
    secretfile: Path | None = None
    primary_url: str | None = None
    role: str = "standalone"

    @property
    def log_path(self) -> Path:
        return self.process.log_path

    def get_json(self, path: str, headers: Mapping[str, str] | None = None) -> Any:
        response = requests.get(
            self.url + path, headers={"Accept": "application/json", **(headers or {})}, timeout=10
        )
        response.raise_for_status()
        return response.json()

    def serial(self) -> int:
        """The server's current transaction serial (``X-Devpi-Serial`` of ``/+api``)."""
        response = requests.get(self.url + "/+api", timeout=10)
        return int(response.headers["X-Devpi-Serial"])

    def wait_serial(self, serial: int, timeout: float = 60.0) -> None:
        """Wait until this server (a replica) has applied ``serial``; bounded."""
        deadline = time.monotonic() + timeout
        while self.serial() < serial:
            if time.monotonic() > deadline:
                raise TimeoutError(f"{self.url} did not reach serial {serial} in {timeout:.0f} s")
            time.sleep(0.1)


def notify_webhook_args(
    path: Path, url: str, *, key_variable: str = "NOTIFY_SECRET", **worker: object
) -> list[str]:
    """Write a devpi-notify config to ``path``: one signed webhook target ``ci`` at ``url``,
    its signing key read from the environment variable ``key_variable``, and the ``worker``
    settings; answer the devpi-server arguments that load it."""
    import yaml  # devpi-notify's own dependency; only its tests and benches call this

    target = {"type": "webhook", "url": url, "secret_env": key_variable}
    path.write_text(yaml.safe_dump({"worker": dict(worker), "targets": {"ci": target}}))
    return ["--notify-config", str(path)]


def devpi_script(name: str, bin_dir: Path | None = None) -> str:
    """Path of a devpi console script in ``bin_dir`` or the running interpreter's environment."""
    candidate = (bin_dir or Path(sys.executable).parent) / name
    return str(candidate) if candidate.exists() else name


def init_serverdir(
    serverdir: Path,
    extra_args: Sequence[str] = (),
    timeout: float = 120,
    bin_dir: Path | None = None,
) -> None:
    subprocess.run(
        [
            devpi_script("devpi-init", bin_dir),
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


def write_secretfile(path: Path) -> Path:
    """A devpi ``--secretfile`` (random, owner-only), shared by a primary and its replicas."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(secrets.token_urlsafe(48))
    path.chmod(0o600)
    return path


def _api_ready(url: str) -> bool:
    return requests.get(url + "/+api", timeout=2).status_code == 200


def _start_on_free_port(
    name: str,
    argv: Sequence[str],
    workdir: Path,
    env: Mapping[str, str] | None,
    servers: ServerGroup | None,
    start_timeout: float,
) -> tuple[ServerProcess, int, str]:
    def build() -> tuple[ServerProcess, tuple[int, str]]:
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        process = ServerProcess(
            name,
            [*argv, "--host", "127.0.0.1", "--port", str(port)],
            (servers.folder if servers else workdir) / "logs" / f"{name}.log",
            env={**os.environ, "PYTHONWARNINGS": "ignore", **(env or {})},
            ready=functools.partial(_api_ready, url),
            start_timeout=start_timeout,
        )
        if servers is not None:
            servers.started.append(process)
        return process, (port, url)

    process, (port, url) = start_on_fresh_ports(
        build, taken="Address already in use", attempts=PORT_ATTEMPTS
    )
    return process, port, url


def start_devpi_server(
    workdir: Path,
    *,
    servers: ServerGroup | None = None,
    args: Sequence[str] = (),
    env: Mapping[str, str] | None = None,
    name: str = "devpi-server",
    serverdir: Path | None = None,
    command: Sequence[str] | None = None,
    bin_dir: Path | None = None,
    secretfile: Path | bool = False,
    primary: bool = False,
    initialise: bool = True,
    start_timeout: float = START_TIMEOUT,
) -> DevpiServer:
    """Initialise ``serverdir`` (once) and start devpi-server on a free loopback port.

    ``command`` replaces the ``devpi-server`` script, e.g. ``[python, launcher.py]``;
    ``bin_dir`` takes ``devpi-init`` and ``devpi-server`` from another venv (benchmarks).
    ``secretfile=True`` writes a fresh secret (tokens survive restarts, replicas share it).
    ``primary=True`` enables the replication protocol (``--role primary``) for
    :func:`start_replica`, with cheap argon2 key derivation (see ``CHEAP_ARGON2``).
    """
    serverdir = serverdir or workdir / "serverdir"
    if initialise and not (serverdir / ".serverversion").exists():
        init_serverdir(serverdir, bin_dir=bin_dir)
    secret = _secret(secretfile, workdir / f"{name}.secret")
    argv = [*(command or [devpi_script("devpi-server", bin_dir)]), "--serverdir", str(serverdir)]
    if secret:
        argv += ["--secretfile", str(secret)]
    if primary:
        argv += ["--role", "primary", *CHEAP_ARGON2]
    process, port, url = _start_on_free_port(
        name, [*argv, *args], workdir, env, servers, start_timeout
    )
    return DevpiServer(
        url=url,
        port=port,
        serverdir=serverdir,
        process=process,
        secretfile=secret,
        role="primary" if primary else "standalone",
    )


def start_replica(
    primary: DevpiServer,
    workdir: Path,
    *,
    servers: ServerGroup | None = None,
    args: Sequence[str] = (),
    env: Mapping[str, str] | None = None,
    name: str = "devpi-replica",
    serverdir: Path | None = None,
    start_timeout: float = START_TIMEOUT,
) -> DevpiServer:
    """Start a replica of ``primary`` (``--primary-url``) and wait until it caught up.

    It shares the primary's secret file, so login tokens of one work on the other. Give the
    replica the same plugin options (``args``/``env``) as the primary.
    """
    if primary.role != "primary":
        raise ValueError("start the primary with start_devpi_server(..., primary=True)")
    serverdir = serverdir or workdir / f"{name}-serverdir"
    if not (serverdir / ".serverversion").exists():
        subprocess.run(
            [
                devpi_script("devpi-init"),
                "--serverdir",
                str(serverdir),
                "--primary-url",
                primary.url,
            ],
            check=True,
            capture_output=True,
            timeout=120,
        )
    argv = [devpi_script("devpi-server"), "--serverdir", str(serverdir)]
    argv += ["--primary-url", primary.url]
    if primary.secretfile:
        argv += ["--secretfile", str(primary.secretfile)]
    argv += CHEAP_ARGON2
    serial = primary.serial()
    process, port, url = _start_on_free_port(
        name, [*argv, *args], workdir, env, servers, start_timeout
    )
    replica = DevpiServer(
        url=url,
        port=port,
        serverdir=serverdir,
        process=process,
        secretfile=primary.secretfile,
        primary_url=primary.url,
        role="replica",
    )
    replica.wait_serial(serial, timeout=start_timeout)
    return replica


def _secret(secretfile: Path | bool, default: Path) -> Path | None:
    if secretfile is True:
        return write_secretfile(default)
    if isinstance(secretfile, Path):
        return secretfile if secretfile.exists() else write_secretfile(secretfile)
    return None
