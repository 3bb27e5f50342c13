"""pytest plugin: write each test's outcome to ``$DEVPI_SUITE_OUTCOMES`` (JSON, node id ->
"passed", "failed", "error" or "skipped") when the session ends. Under xdist the controller
sees every worker's reports, so one file holds the whole run."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

_outcomes: dict[str, str] = {}


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.when == "call" or report.outcome != "passed":
        if report.failed and report.when != "call":
            outcome = "error"
        elif hasattr(report, "wasxfail"):
            outcome = "skipped"  # xfail and xpass (non-strict) count as not run
        else:
            outcome = report.outcome
        if _outcomes.get(report.nodeid) not in ("failed", "error"):
            _outcomes[report.nodeid] = outcome


def pytest_sessionfinish(session: pytest.Session) -> None:
    target = os.environ.get("DEVPI_SUITE_OUTCOMES")
    if target and not hasattr(session.config, "workerinput"):  # the controller, or no xdist
        Path(target).write_text(json.dumps(_outcomes, indent=0, sort_keys=True))
