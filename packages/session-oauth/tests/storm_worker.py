"""One process of the refresh storm: THREADS threads share one oauth session and fetch.

Usage: python storm_worker.py CHANNEL_URL SETTINGS_JSON THREADS READY_FILE GO_FILE
Prints one JSON line: the status codes the threads got (or the errors they raised).
"""

from __future__ import annotations

import json
import sys
import threading
import time
from pathlib import Path

from session_oauth.session import OAuthSession

from plugin_contract.session.channels import ChannelMatch, ChannelPattern
from plugin_contract.session.config import SessionConfig


def main() -> None:
    channel_url, settings_json, threads, ready_file, go_file = sys.argv[1:6]
    match = ChannelMatch(ChannelPattern.parse(channel_url), "oauth", json.loads(settings_json))
    session = OAuthSession(
        channel=match, config=SessionConfig(channels=(match,), max_retries=2, backoff_factor=0.0)
    )
    results: list[object] = []
    lock = threading.Lock()
    barrier = threading.Barrier(int(threads))

    def fetch() -> None:
        barrier.wait(timeout=90)
        try:
            outcome: object = session.get(channel_url + "/noarch/repodata.json").status_code
        except Exception as error:
            outcome = f"{type(error).__name__}: {error}"
        with lock:
            results.append(outcome)

    Path(ready_file).touch()
    deadline = time.monotonic() + 90
    while not Path(go_file).exists() and time.monotonic() < deadline:
        time.sleep(0.005)
    workers = [threading.Thread(target=fetch) for _ in range(int(threads))]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=150)
    print(json.dumps(results))


if __name__ == "__main__":
    main()
