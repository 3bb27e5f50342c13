"""``conda-shell activate --eval --shell PLUGIN`` end to end, as a ratio to ``python -S -c
pass``: the generator only, never the shell (xonsh alone starts in about half a second).

Both are measured in the same run, interleaved, on the same machine; the median of each is
reported as one JSON row for ``scripts/bench.py``. The ratio is of CPU time (user + system of the
child), as shell-posix's bench does: on a shared machine wall time mostly measures the other
processes; the wall ratio is shown beside it. ``conda-shell`` runs from a fresh venv holding only
the plugin and what it needs (as ``pip install shell-NAME`` leaves it) when ``uv`` is there to
make one; the workspace venv's ``site`` reads every test tool's ``.pth`` file. The environment
has an activate.d script and env_vars.d variables, like a real one; the discovery cache is
warmed first (it is built once per change of installed packages).
"""

from __future__ import annotations

import json
import os
import resource
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


def timed(argv: list[str], env: dict[str, str]) -> tuple[float, float]:
    """CPU seconds (user + system) of the run and its children, and wall seconds."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, check=True, timeout=60)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return cpu, wall


def fresh_venv(folder: Path, package: Path) -> Path | None:
    """A venv with only ``package`` and plugin-contract (and their dependencies); its bin."""
    uv = shutil.which("uv")
    if not uv:
        print("uv not found: conda-shell is measured in the workspace venv")
        return None
    subprocess.run([uv, "venv", "-q", "-p", sys.executable, str(folder)], check=True)
    python = folder / "bin" / "python"
    packages = [str(package.parent / "contract"), str(package)]
    subprocess.run([uv, "pip", "install", "-q", "-p", str(python), *packages], check=True)
    return folder / "bin"


def compare(
    name: str,
    ours_argv: list[str],
    base_argv: list[str],
    env: dict[str, str],
    target: float,
    rounds: int = ROUNDS,
) -> None:
    """Print one bench row: the CPU-time ratio of ``ours_argv`` to ``base_argv``, interleaved
    in the same run after a warm-up, with the wall ratio beside it."""
    for _ in range(WARM_UP):
        timed(ours_argv, env)
        timed(base_argv, env)
    ours, base = [], []
    for _ in range(rounds):
        ours.append(timed(ours_argv, env))
        base.append(timed(base_argv, env))
    cpu = [statistics.median(t[0] for t in runs) * 1000 for runs in (ours, base)]
    wall = [statistics.median(t[1] for t in runs) * 1000 for runs in (ours, base)]
    ratio = cpu[0] / cpu[1]
    detail = (
        f"CPU median {cpu[0]:.1f} ms vs {cpu[1]:.1f} ms; wall {wall[0]:.1f} vs {wall[1]:.1f}"
        f" ms ({wall[0] / wall[1]:.2f}x) over {rounds} runs"
    )
    row = {
        "name": name,
        "value": round(ratio, 3),
        "unit": "x baseline",
        "target": f"<= {target:g}",
        "ok": ratio <= target,
        "detail": detail,
    }
    print(json.dumps(row), flush=True)


def run(
    plugin: str,
    script_name: str,
    script: str,
    target: float,
    rounds: int = ROUNDS,
    package: Path | None = None,
) -> None:
    """Print the bench row for activating an environment with ``plugin``'s generator
    (``package``: the plugin's folder, installed into a fresh venv when ``uv`` is there)."""
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        prefix = make_env(root, script_name, script)
        env = dict(os.environ)
        env["PLUGIN_CONTRACT_CACHE_DIR"] = str(root / "cache")
        env["HOME"] = str(root)
        for name in ("CONDA_SHLVL", "CONDA_PREFIX", "PYTHONDONTWRITEBYTECODE"):
            env.pop(name, None)  # bytecode is written once, as installs do
        program, where = conda_shell(), "workspace venv"
        fresh = fresh_venv(root / "venv", package) if package else None
        if fresh:
            program, where = str(fresh / "conda-shell"), "fresh venv"
        activate = [program, "activate", "--eval", "--shell", plugin, str(prefix)]
        baseline = [sys.executable, "-S", "-c", "pass"]
        compare(
            f"activate --eval --shell {plugin} ({where})", activate, baseline, env, target, rounds
        )
