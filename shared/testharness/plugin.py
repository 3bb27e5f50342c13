"""pytest plugin of the repository: server fixtures, tool checks, no silent skips in CI."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from testharness.conda import RealConda, conda_or_skip, install_distributions
from testharness.ports import free_port
from testharness.process import ServerGroup, ServerProcess
from testharness.tools import in_ci

StartServer = Callable[..., ServerProcess]


@pytest.fixture
def loopback_port() -> int:
    """A TCP port on 127.0.0.1 that was free when the test started."""
    return free_port()


@pytest.fixture
def start_server(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[StartServer]:
    """Start servers for one test; all are stopped at teardown, their logs shown on failure."""
    group = ServerGroup(tmp_path)
    yield group
    group.stop_all()
    _attach_logs(request, group.started)


@pytest.fixture(scope="module")
def module_servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerGroup]:
    """Like ``start_server``, for servers shared by a module's tests (stopped after them)."""
    group = ServerGroup(tmp_path_factory.mktemp("servers"))
    yield group
    group.stop_all()


RealCondaFactory = Callable[..., RealConda]


@pytest.fixture(scope="session")
def conda_wheelhouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder where wheels of our distributions are built once per run, on demand."""
    return tmp_path_factory.mktemp("conda-wheels")


@pytest.fixture(scope="session")
def real_conda_factory(
    tmp_path_factory: pytest.TempPathFactory, conda_wheelhouse: Path
) -> RealCondaFactory:
    """``factory(*distributions)``: a real conda 26.7.1 base prefix with those wheels installed.

    One install per distinct set of distributions per run (about 10 s each); each call gets a
    fresh, empty ``HOME`` so tests never see each other's condarc or credentials.
    """
    prefixes: dict[tuple[str, ...], Path] = {}

    def make(*distributions: str) -> RealConda:
        key = tuple(sorted(distributions))
        if key not in prefixes:
            prefix = tmp_path_factory.mktemp("conda") / "base"
            conda_or_skip(prefix)
            if key:
                install_distributions(prefix / "bin" / "python", key, conda_wheelhouse)
            prefixes[key] = prefix
        home = tmp_path_factory.mktemp("conda-home")
        return RealConda(prefix=prefixes[key], home=home, installed=key)

    return make


def _attach_logs(request: pytest.FixtureRequest, servers: list[ServerProcess]) -> None:
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        for server in servers:
            report.sections.append((f"server log: {server.name}", server.log_tail()))


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[Any]) -> Any:
    report = yield
    if report.when == "call":
        item.rep_call = report  # type: ignore[attr-defined]
    if report.skipped and in_ci() and not hasattr(report, "wasxfail"):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr
        report.outcome = "failed"
        report.longrepr = f"skipped under CI=true, where nothing may be skipped: {reason}"
    return report


def pytest_report_header(config: pytest.Config) -> str:
    mode = "CI=true: skips fail" if in_ci() else "local: missing tools skip with a reason"
    return f"testharness: {mode}"
