"""End-to-end delivery latency: a standalone server, and a primary with two replicas.

Every server runs with the same ``--notify-config`` (``send_from: primary``). Three scenarios
in one run, ``UPLOADS`` uploads each: a standalone server; a cluster with every upload sent to
the primary; the same cluster with uploads round-robin through all three servers (replicas
forward writes to the primary). The latency of one event is from the upload's answer to the
arrival of its ``file_uploaded`` event at a loopback receiver; p50 and p99 per scenario. The
detail splits the median into hook lag (upload answer to the outbox row the primary's
devpi-server notification thread wrote, ``created_at``) and our delivery (outbox row to
arrival), and counts the primary's ``Waiting for file`` log lines: devpi-server's
notification thread sleeps 5 s when it runs before the upload's file is renamed into place;
it also waits for sqlite's write lock that back-to-back uploads hold (see the README,
"Speed"). ``--keep-logs DIR`` copies the server logs to DIR.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from testharness import devpi_http
from testharness.devpi import DevpiServer, notify_webhook_args, start_devpi_server, start_replica
from testharness.process import ServerGroup
from testharness.recorder import Recorded, Recorder, recording_server

UPLOADS = 100
PASSWORD = "bench-password"  # noqa: S105 - a throwaway benchmark account
WAITING_FOR_FILE = "Waiting for file"


@dataclass
class Measured:
    scenario: str
    latencies: list[float]
    hook_lags: list[float]
    deliveries: list[float]
    file_waits: int
    upload_gap: float  # mean time between two upload answers
    hook_gap: float  # mean time between two file_uploaded rows the hook wrote


def arrivals(requests: list[Recorded]) -> dict[str, float]:
    found = {}
    for item in requests:
        data = json.loads(item.body)["data"]
        if data["event"] == "file_uploaded":
            found[f"{data['project']}-{data['version']}"] = item.at
    return found


def recorded_at(outbox: Path) -> dict[str, float]:
    """When the primary's hook wrote each ``project-version``'s ``file_uploaded`` row."""
    with sqlite3.connect(outbox) as conn:
        rows = conn.execute(
            "SELECT event, created_at FROM deliveries WHERE event_type='file_uploaded'"
        ).fetchall()
    described = (json.loads(event) for event, _ in rows)
    return {
        f"{data['project']}-{data['version']}": float(at)
        for data, (_, at) in zip(described, rows, strict=True)
    }


def mean_gap(times: list[float]) -> float:
    ordered = sorted(times)
    return (ordered[-1] - ordered[0]) / (len(ordered) - 1)


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def write_config(work: Path, hook_url: str) -> list[str]:
    # new events wake the worker at once; the poll is only the fallback
    return notify_webhook_args(work / "notify.yaml", hook_url, key_variable="S", poll_interval=2)


def measure(
    scenario: str, primary: DevpiServer, through: list[DevpiServer], hook: Recorder, project: str
) -> Measured:
    auth = devpi_http.basic("bench", PASSWORD)
    answered: dict[str, float] = {}
    for number in range(UPLOADS):
        version = f"1.{number}"
        content = devpi_http.sdist_bytes(project, version)
        url = through[number % len(through)].url
        devpi_http.upload(url, "bench/dev", project, version, content, headers=auth)
        answered[f"{project}-{version}"] = time.time()
    seen = hook.wait_for(lambda got: set(answered) <= set(arrivals(got)), timeout=300)
    got = arrivals(seen)
    recorded = recorded_at(primary.serverdir / ".devpi-notify-outbox.sqlite3")
    return Measured(
        scenario,
        latencies=[max(0.0, got[v] - answered[v]) for v in answered],
        hook_lags=[recorded[v] - answered[v] for v in answered],
        deliveries=[got[v] - recorded[v] for v in answered],
        file_waits=primary.log_path.read_text(errors="replace").count(WAITING_FOR_FILE),
        upload_gap=mean_gap(list(answered.values())),
        hook_gap=mean_gap([recorded[v] for v in answered]),
    )


def run_scenarios(work: Path, keep_logs: Path | None) -> list[Measured]:
    results = []
    env = {"S": "bench-secret", "PYTHONUNBUFFERED": "1"}  # the log is counted while it runs
    with recording_server() as hook:
        args = write_config(work, hook.url)
        group = ServerGroup(work / "standalone")
        try:
            alone = start_devpi_server(work / "standalone", servers=group, args=args, env=env)
            devpi_http.create_user(alone.url, "bench", PASSWORD)
            devpi_http.create_index(alone.url, "bench", PASSWORD, "dev", notify_targets="ci")
            results.append(measure("standalone server", alone, [alone], hook, "alone"))
        finally:
            group.stop_all()
            _keep(group.folder, keep_logs, "standalone")
    with recording_server() as hook:
        group = ServerGroup(work / "cluster")
        try:
            args = write_config(work, hook.url)
            primary = start_devpi_server(
                work / "cluster", servers=group, primary=True, secretfile=True, args=args, env=env
            )
            devpi_http.create_user(primary.url, "bench", PASSWORD)
            devpi_http.create_index(primary.url, "bench", PASSWORD, "dev", notify_targets="ci")
            replicas = [
                start_replica(
                    primary, work / "cluster", servers=group, name=f"r{n}", args=args, env=env
                )
                for n in (1, 2)
            ]
            direct = measure("cluster, uploads to the primary", primary, [primary], hook, "direct")
            results.append(direct)
            round_robin = measure(
                "cluster, uploads round-robin", primary, [primary, *replicas], hook, "roundrobin"
            )
            round_robin.file_waits -= direct.file_waits  # the primary's log holds both
            results.append(round_robin)
        finally:
            group.stop_all()
            _keep(group.folder, keep_logs, "cluster")
    return results


def _keep(folder: Path, keep_logs: Path | None, name: str) -> None:
    if keep_logs is not None and (folder / "logs").is_dir():
        shutil.copytree(folder / "logs", keep_logs / name, dirs_exist_ok=True)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--keep-logs", type=Path, help="copy the server logs to this folder")
    keep_logs = parser.parse_args().keep_logs
    with tempfile.TemporaryDirectory(prefix="bench-cluster-") as tmp:
        results = run_scenarios(Path(tmp), keep_logs)
    for measured in results:
        for name, fraction in (("p50", 0.5), ("p99", 0.99)):
            value = percentile(measured.latencies, fraction) * 1000
            row = {
                "name": f"delivery latency {name}, {measured.scenario}",
                "value": round(value, 1),
                "unit": "ms",
                "target": "",
                "detail": f"{UPLOADS} uploads, upload answer to arrival (mean "
                f"{statistics.mean(measured.latencies) * 1000:.1f} ms; median hook lag "
                f"{statistics.median(measured.hook_lags) * 1000:.1f} ms, median outbox to "
                f"arrival {statistics.median(measured.deliveries) * 1000:.1f} ms; "
                f"{measured.file_waits} 'Waiting for file' 5 s sleeps in the primary's log; "
                f"mean gap between upload answers {measured.upload_gap * 1000:.0f} ms, "
                f"between outbox rows {measured.hook_gap * 1000:.0f} ms)",
            }
            print(json.dumps(row), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
