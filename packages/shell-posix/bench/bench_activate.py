"""`conda-shell activate --eval` end to end, as a ratio to `python -S -c pass`.

Both are measured in the same run, interleaved, on the same machine; the median of each is
reported. The environment has an activate.d script and env_vars.d variables, like a real one.
The discovery cache is warmed first (it is built once per change of installed packages).
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROUNDS = 40
TARGET = 3.0


def conda_shell() -> str:
    found = Path(sys.executable).with_name("conda-shell")
    return str(found) if found.exists() else (shutil.which("conda-shell") or "conda-shell")


def make_env(root: Path) -> Path:
    prefix = root / "envs" / "bench"
    (prefix / "conda-meta").mkdir(parents=True)
    (prefix / "bin").mkdir()
    scripts = prefix / "etc" / "conda" / "activate.d"
    scripts.mkdir(parents=True)
    (scripts / "hello.sh").write_text("BENCH_HELLO=1\n")
    vars_dir = prefix / "etc" / "conda" / "env_vars.d"
    vars_dir.mkdir(parents=True)
    (vars_dir / "vars.json").write_text(json.dumps({"BENCH_VAR": "value with 'quotes'"}))
    return prefix


def timed(argv: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, check=True, timeout=60)
    return time.perf_counter() - started


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        prefix = make_env(root)
        env = dict(os.environ)
        env["PLUGIN_CONTRACT_CACHE_DIR"] = str(root / "cache")
        env["HOME"] = str(root)
        env.pop("CONDA_SHLVL", None)
        env.pop("CONDA_PREFIX", None)
        env.pop("PYTHONDONTWRITEBYTECODE", None)  # bytecode is written once, as installs do
        activate = [conda_shell(), "activate", "--eval", "--shell", "bash", str(prefix)]
        baseline = [sys.executable, "-S", "-c", "pass"]
        for _ in range(3):
            timed(activate, env)
            timed(baseline, env)
        ours, base = [], []
        for _ in range(ROUNDS):
            ours.append(timed(activate, env))
            base.append(timed(baseline, env))
        ratio = statistics.median(ours) / statistics.median(base)
        detail = (
            f"median {statistics.median(ours) * 1000:.1f} ms vs python -S "
            f"{statistics.median(base) * 1000:.1f} ms over {ROUNDS} runs"
        )
        row = {
            "name": "activate --eval",
            "value": round(ratio, 3),
            "unit": "x baseline",
            "target": f"<= {TARGET:g}",
            "ok": ratio <= TARGET,
            "detail": detail,
        }
        print(json.dumps(row))


if __name__ == "__main__":
    main()
