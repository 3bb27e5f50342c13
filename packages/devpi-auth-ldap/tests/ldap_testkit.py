"""Module-scoped real servers (slapd, devpi-server with the plugin) and small helpers."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path

import pytest
import yaml

from testharness import ServerProcess, require_tool
from testharness.slapd import SLAPD_INSTALL, Slapd, start_slapd


def write_yaml(path: Path, data: object) -> Path:
    path.write_text(yaml.safe_dump(data))
    return path


@pytest.fixture(scope="module")
def slapd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Slapd]:
    from ldap_directory_data import LDIF

    binary = require_tool("slapd", SLAPD_INSTALL)
    require_tool("ldapadd", SLAPD_INSTALL)
    server = start_slapd(binary, tmp_path_factory.mktemp("slapd"), ldif=LDIF, tls=True)
    yield server
    server.stop()


class ModuleServers:
    """A module-scoped stand-in for the harness's function-scoped ``start_server``."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.started: list[ServerProcess] = []

    def __call__(
        self,
        name: str,
        argv: Sequence[str],
        *,
        env: Mapping[str, str] | None = None,
        cwd: Path | None = None,
        ready: int | Callable[[], bool] | None = None,
        start_timeout: float = 60.0,
    ) -> ServerProcess:
        server = ServerProcess(
            name,
            argv,
            self.folder / "logs" / f"{name}.log",
            env=env,
            cwd=cwd,
            ready=ready,
            start_timeout=start_timeout,
        )
        self.started.append(server)
        return server.start()

    def stop_all(self) -> None:
        for server in reversed(self.started):
            server.stop()


@pytest.fixture(scope="module")
def module_servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModuleServers]:
    servers = ModuleServers(tmp_path_factory.mktemp("servers"))
    yield servers
    servers.stop_all()
