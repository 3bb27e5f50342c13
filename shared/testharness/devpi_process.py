"""A devpi-server process not tied to one test: for module-scoped fixtures and benchmarks.

The caller stops it (``server.process.stop()``); every start and stop is bounded in time.
"""

from __future__ import annotations

import os
import urllib.request
from collections.abc import Mapping, Sequence
from pathlib import Path

from testharness.devpi import DevpiServer, devpi_script, init_serverdir
from testharness.ports import free_port
from testharness.process import ServerProcess, ServerStartError

PORT_ATTEMPTS = 3


def _devpi_process(
    name: str,
    command: Sequence[str],
    url: str,
    port: int,
    args: Sequence[str],
    workdir: Path,
    env: Mapping[str, str] | None,
    start_timeout: float,
) -> ServerProcess:
    def ready() -> bool:
        with urllib.request.urlopen(url + "/+api", timeout=2) as response:
            return bool(response.status == 200)

    return ServerProcess(
        name,
        [*command, "--host", "127.0.0.1", "--port", str(port), *args],
        workdir / "logs" / f"{name}.log",
        env={**os.environ, "PYTHONWARNINGS": "ignore", **(env or {})},
        ready=ready,
        start_timeout=start_timeout,
    )


def launch_devpi(
    workdir: Path,
    *,
    args: Sequence[str] = (),
    env: Mapping[str, str] | None = None,
    name: str = "devpi-server",
    serverdir: Path | None = None,
    command: Sequence[str] | None = None,
    start_timeout: float = 90.0,
) -> DevpiServer:
    """Initialise ``serverdir`` (once) and start devpi-server on a free loopback port.

    ``command`` replaces the ``devpi-server`` script, e.g. ``[python, launcher.py]``.
    """
    serverdir = serverdir or workdir / "serverdir"
    server_command = list(command or [devpi_script("devpi-server")])
    if not (serverdir / ".serverversion").exists():
        init_serverdir(serverdir)
    for attempt in range(PORT_ATTEMPTS):
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        process = _devpi_process(
            name,
            [*server_command, "--serverdir", str(serverdir)],
            url,
            port,
            args,
            workdir,
            env,
            start_timeout,
        )
        try:
            process.start()
        except ServerStartError as error:
            # another process took the free port before devpi-server bound it
            if "Address already in use" not in str(error) or attempt == PORT_ATTEMPTS - 1:
                raise
            continue
        break
    return DevpiServer(url=url, port=port, serverdir=serverdir, process=process)
