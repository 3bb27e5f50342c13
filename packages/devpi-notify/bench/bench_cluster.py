"""End-to-end delivery latency in a 3-server cluster: a primary and two replicas.

Every server runs with the same ``--notify-config`` (``send_from: primary``); uploads go
round-robin through all three (replicas forward writes to the primary). The latency of one
event is from the upload's answer to the arrival of its ``file_uploaded`` event at a
loopback receiver; p50 and p99 over ``UPLOADS`` uploads. The detail splits the median into
hook lag (upload answer to the outbox row the primary's devpi-server notification thread
wrote, ``created_at``) and our delivery (outbox row to arrival).
"""

from __future__ import annotations

import json
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

import yaml

from testharness import devpi_http
from testharness.devpi import start_devpi_server, start_replica
from testharness.process import ServerGroup
from testharness.recorder import Recorded, recording_server

UPLOADS = 100
PASSWORD = "bench-password"  # noqa: S105 - a throwaway benchmark account


def arrivals(requests: list[Recorded]) -> dict[str, float]:
    found = {}
    for item in requests:
        data = json.loads(item.body)["data"]
        if data["event"] == "file_uploaded":
            found[data["version"]] = item.at
    return found


def recorded_at(outbox: Path) -> dict[str, float]:
    """When the primary's hook wrote each version's ``file_uploaded`` row."""
    with sqlite3.connect(outbox) as conn:
        rows = conn.execute(
            "SELECT event, created_at FROM deliveries WHERE event_type='file_uploaded'"
        ).fetchall()
    return {json.loads(event)["version"]: float(at) for event, at in rows}


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="bench-cluster-") as tmp, recording_server() as hook:
        work = Path(tmp)
        config = work / "notify.yaml"
        config.write_text(
            yaml.safe_dump(
                {
                    "worker": {"poll_interval": 2},  # new events wake the worker at once
                    "targets": {"ci": {"type": "webhook", "url": hook.url, "secret_env": "S"}},
                }
            )
        )
        args = ["--notify-config", str(config)]
        env = {"S": "bench-secret"}
        group = ServerGroup(work)
        try:
            primary = start_devpi_server(
                work, servers=group, primary=True, secretfile=True, args=args, env=env
            )
            devpi_http.create_user(primary.url, "bench", PASSWORD)
            devpi_http.create_index(primary.url, "bench", PASSWORD, "dev", notify_targets="ci")
            servers = [primary] + [
                start_replica(primary, work, servers=group, name=f"r{n}", args=args, env=env)
                for n in (1, 2)
            ]
            auth = devpi_http.basic("bench", PASSWORD)
            answered: dict[str, float] = {}
            for number in range(UPLOADS):
                version = f"1.{number}"
                content = devpi_http.sdist_bytes("latency", version)
                url = servers[number % 3].url
                devpi_http.upload(url, "bench/dev", "latency", version, content, headers=auth)
                answered[version] = time.time()
            seen = hook.wait_for(lambda got: len(arrivals(got)) >= UPLOADS, timeout=300)
            got = arrivals(seen)
            latencies = [max(0.0, got[v] - answered[v]) for v in answered]
            recorded = recorded_at(primary.serverdir / ".devpi-notify-outbox.sqlite3")
            hook_lags = [recorded[v] - answered[v] for v in answered]
            deliveries = [got[v] - recorded[v] for v in answered]
        finally:
            group.stop_all()
    for name, fraction in (("p50", 0.5), ("p99", 0.99)):
        value = percentile(latencies, fraction) * 1000
        row = {
            "name": f"cluster delivery latency {name}",
            "value": round(value, 1),
            "unit": "ms",
            "target": "",
            "detail": f"{UPLOADS} uploads through a primary and 2 replicas, upload answer to "
            f"arrival (mean {statistics.mean(latencies) * 1000:.1f} ms; median hook lag "
            f"{statistics.median(hook_lags) * 1000:.1f} ms, median outbox to arrival "
            f"{statistics.median(deliveries) * 1000:.1f} ms)",
        }
        print(json.dumps(row), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
