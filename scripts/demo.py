"""The tour behind ``nox -s demo``: what the installed distributions give their users."""

from __future__ import annotations

import subprocess
import sys
import time


def step(title: str, argv: list[str]) -> int:
    print(f"\n== {title}\n$ {' '.join(argv)}", flush=True)
    started = time.perf_counter()
    code = subprocess.run(argv, check=False).returncode
    print(
        f"-- {'ok' if code == 0 else f'failed ({code})'} in {time.perf_counter() - started:.2f} s"
    )
    return code


def main() -> int:
    failures = 0
    failures += (
        step(
            "installed plugins, their hooks and versions",
            [sys.executable, "-m", "plugin_contract.cli", "plugins"],
        )
        != 0
    )
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
