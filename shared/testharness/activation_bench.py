"""``conda-shell activate --eval --shell PLUGIN`` end to end, as a ratio to ``python -S -c
pass``: the generator only, never the shell (xonsh alone starts in about half a second).

Both are measured in the same run, interleaved, on the same machine; the median of each is
reported as one JSON row for ``scripts/bench.py``. The environment has an activate.d script
and env_vars.d variables, like a real one; the discovery cache is warmed first (it is built
once per change of installed packages).
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
WARM_UP = 3


def conda_shell() -> str:
    found = Path(sys.executable).with_name("conda-shell")
    return str(found) if found.exists() else (shutil.which("conda-shell") or "conda-shell")


def make_env(root: Path, script_name: str, script: str) -> Path:
    prefix = root / "envs" / "bench"
    (prefix / "conda-meta").mkdir(parents=True)
    (prefix / "bin").mkdir()
    scripts = prefix / "etc" / "conda" / "activate.d"
    scripts.mkdir(parents=True)
    (scripts / script_name).write_text(script)
    vars_dir = prefix / "etc" / "conda" / "env_vars.d"
    vars_dir.mkdir(parents=True)
    (vars_dir / "vars.json").write_text(json.dumps({"BENCH_VAR": "value with 'quotes' !$"}))
    return prefix


def timed(argv: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, check=True, timeout=60)
    return time.perf_counter() - started


def run(plugin: str, script_name: str, script: str, target: float, rounds: int = ROUNDS) -> None:
    """Print the bench row for activating an environment with ``plugin``'s generator."""
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        prefix = make_env(root, script_name, script)
        env = dict(os.environ)
        env["PLUGIN_CONTRACT_CACHE_DIR"] = str(root / "cache")
        env["HOME"] = str(root)
        for name in ("CONDA_SHLVL", "CONDA_PREFIX", "PYTHONDONTWRITEBYTECODE"):
            env.pop(name, None)  # bytecode is written once, as installs do
        activate = [conda_shell(), "activate", "--eval", "--shell", plugin, str(prefix)]
        baseline = [sys.executable, "-S", "-c", "pass"]
        for _ in range(WARM_UP):
            timed(activate, env)
            timed(baseline, env)
        ours: list[float] = []
        base: list[float] = []
        for _ in range(rounds):
            ours.append(timed(activate, env))
            base.append(timed(baseline, env))
        ratio = statistics.median(ours) / statistics.median(base)
        detail = (
            f"median {statistics.median(ours) * 1000:.1f} ms vs python -S "
            f"{statistics.median(base) * 1000:.1f} ms over {rounds} runs"
        )
        row = {
            "name": f"activate --eval --shell {plugin}",
            "value": round(ratio, 3),
            "unit": "x baseline",
            "target": f"<= {target:g}",
            "ok": ratio <= target,
            "detail": detail,
        }
        print(json.dumps(row), flush=True)
