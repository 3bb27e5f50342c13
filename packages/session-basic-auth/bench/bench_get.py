"""2,000 GETs of a small file through ``get_session(url)`` vs a plain ``requests.Session``.

Both use the same basic-auth credentials against the same keep-alive HTTP/1.1 channel server
(its own process on 127.0.0.1). 100 rounds of 20 GETs alternate which client goes first;
the result is the median of the per-round time ratios (ours / plain), which a busy machine
disturbs less than the ratio of totals (also shown). Target: at most 5 % overhead.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from pathlib import Path

from testharness.ports import free_port
from testharness.process import ServerProcess

ROOT = Path(__file__).resolve().parents[3]

TOTAL = 2000
ROUNDS = 100
USER, PASSWORD = "bench", "bench-password"
PATH = "/channel/noarch/repodata.json"


def timed(session, url: str, count: int) -> tuple[float, float]:
    """Wall time and this process's CPU time for ``count`` GETs."""
    started, cpu = time.perf_counter(), time.process_time()
    for _ in range(count):
        response = session.get(url)
        if response.status_code != 200:
            raise SystemExit(f"unexpected HTTP {response.status_code}")
    return time.perf_counter() - started, time.process_time() - cpu


def main() -> None:
    workdir = Path(tempfile.mkdtemp(prefix="bench-basic-auth-"))
    port = free_port()
    channel = f"http://127.0.0.1:{port}/channel"
    (workdir / "condarc").write_text(
        f"channel_settings:\n  - channel: {channel}\n    auth: basic-auth\n"
        "    env_prefix: BENCH_CHANNEL\n"
    )
    os.environ.update(
        {
            "HOME": str(workdir),
            "CONDARC": str(workdir / "condarc"),
            "BENCH_CHANNEL_USERNAME": USER,
            "BENCH_CHANNEL_PASSWORD": PASSWORD,
            "CONDA_SESSION_NO_PROMPT": "1",
        }
    )
    env = dict(os.environ)
    server = ServerProcess(
        "channel",
        [sys.executable, "-m", "testharness.channel", str(port), USER, PASSWORD],
        workdir / "server.log",
        env=env,
        ready=port,
        start_timeout=30,
    )
    server.start()
    try:
        import requests
        from requests.auth import HTTPBasicAuth

        from plugin_contract.session import get_session

        url = channel + PATH[len("/channel") :]
        plain = requests.Session()
        plain.auth = HTTPBasicAuth(USER, PASSWORD)
        per_round = TOTAL // ROUNDS
        # warm up both (connections, imports, credential lookup)
        timed(plain, url, 50)
        for _ in range(50):
            get_session(url).get(url)
        ours_total = plain_total = ours_cpu = plain_cpu = 0.0
        ratios = []
        for index in range(ROUNDS):

            class Ours:
                @staticmethod
                def get(target: str):
                    return get_session(target).get(target)

            order = (
                [("plain", plain), ("ours", Ours)]
                if index % 2
                else [("ours", Ours), ("plain", plain)]
            )
            spent = {}
            for name, client in order:
                spent[name] = timed(client, url, per_round)
            ours_total += spent["ours"][0]
            plain_total += spent["plain"][0]
            ours_cpu += spent["ours"][1]
            plain_cpu += spent["plain"][1]
            ratios.append(spent["ours"][0] / spent["plain"][0])
        ratios.sort()
        ratio = ratios[len(ratios) // 2]
        print(
            json.dumps(
                {
                    "name": "get_session GET vs plain requests.Session (median round)",
                    "value": round(ratio, 4),
                    "unit": "x baseline",
                    "target": "<= 1.05",
                    "ok": ratio <= 1.05,
                    "detail": (
                        f"{TOTAL} GETs each, {ROUNDS} interleaved rounds; "
                        f"ours {ours_total / TOTAL * 1e6:.0f} us/GET, "
                        f"plain {plain_total / TOTAL * 1e6:.0f} us/GET, "
                        f"ratio of totals {ours_total / plain_total:.3f}, "
                        f"client CPU ratio {ours_cpu / plain_cpu:.3f}"
                    ),
                }
            )
        )
    finally:
        server.stop()


if __name__ == "__main__":
    main()
