"""Every documented activation path end to end, as a ratio to `python -S -c pass`.

- the hook (`eval "$(conda-shell hook)"`, then `conda-shell activate ENV`): the command the
  hook function runs, `python -I -S -c ...` (see `plugin_contract.shell.program`);
- the line without the hook, `eval "$(conda-shell activate --eval ENV)"`: the installed
  `conda-shell` script under `sh -c`, the shell found from /proc; its baseline runs under
  `sh -c` too. It pays for Python's `site`, so it is measured in a fresh venv holding only
  shell-posix and what it needs (as `pip install shell-posix` leaves it), when `uv` is
  there to make one; the workspace venv's `site` reads every package's and test tool's
  `.pth` files.

Each is measured in the same run as its baseline, interleaved, on the same machine; the
median of each is reported. The ratio is of CPU time (user + system, the process and its
children): on a shared machine wall time mostly measures the other processes; the wall
ratio is shown beside it. The environment has an activate.d script and env_vars.d
variables, like a real one. The discovery cache is warmed first (it is built once per change
of installed packages).
"""

from __future__ import annotations

import json
import os
import resource
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROUNDS = 40
TARGET = 2.0


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


def timed(argv: list[str], env: dict[str, str]) -> tuple[float, float]:
    """CPU seconds (user + system) of the run and its children, and wall seconds."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, check=True, timeout=60)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return cpu, wall


def fast_argv(env: dict[str, str]) -> list[str]:
    code = "import json, plugin_contract.shell.program as p; print(json.dumps(p.fast_argv()))"
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    argv: list[str] = json.loads(out.stdout)
    return argv


def compare(name: str, ours_argv: list[str], base_argv: list[str], env: dict[str, str]) -> None:
    for _ in range(3):
        timed(ours_argv, env)
        timed(base_argv, env)
    ours, base = [], []
    for _ in range(ROUNDS):
        ours.append(timed(ours_argv, env))
        base.append(timed(base_argv, env))
    cpu = [statistics.median(t[0] for t in runs) * 1000 for runs in (ours, base)]
    wall = [statistics.median(t[1] for t in runs) * 1000 for runs in (ours, base)]
    ratio = cpu[0] / cpu[1]
    detail = (
        f"CPU median {cpu[0]:.1f} ms vs {cpu[1]:.1f} ms; wall {wall[0]:.1f} vs {wall[1]:.1f}"
        f" ms ({wall[0] / wall[1]:.2f}x) over {ROUNDS} runs"
    )
    row = {
        "name": name,
        "value": round(ratio, 3),
        "unit": "x baseline",
        "target": f"<= {TARGET:g}",
        "ok": ratio <= TARGET,
        "detail": detail,
    }
    print(json.dumps(row), flush=True)


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        prefix = make_env(root)
        env = dict(os.environ)
        env["PLUGIN_CONTRACT_CACHE_DIR"] = str(root / "cache")
        env["HOME"] = str(root)
        env.pop("CONDA_SHLVL", None)
        env.pop("CONDA_PREFIX", None)
        env.pop("CONDA_SHELL_PLUGIN", None)
        env.pop("PYTHONDONTWRITEBYTECODE", None)  # bytecode is written once, as installs do
        baseline = [sys.executable, "-S", "-c", "pass"]
        hooked = [*fast_argv(env), "activate", "--eval", "--shell", "posix", str(prefix)]
        compare("hook: conda-shell activate ENV", hooked, baseline, env)
        python, program, where = sys.executable, conda_shell(), "workspace venv"
        fresh = fresh_venv(root / "venv")
        if fresh:
            python, program, where = str(fresh / "python"), str(fresh / "conda-shell"), "fresh"
        line = shlex.join([program, "activate", "--eval", str(prefix)])
        compare(
            f"no hook: eval $(conda-shell activate --eval ENV) ({where})",
            ["/bin/sh", "-c", f"{line} >/dev/null; true"],
            ["/bin/sh", "-c", f"{shlex.join([python, '-S', '-c', 'pass'])}; true"],
            env,
        )


def fresh_venv(folder: Path) -> Path | None:
    """A venv with only shell-posix (and plugin-contract, psutil, pluggy); its bin folder."""
    uv = shutil.which("uv")
    if not uv:
        print("uv not found: the line without the hook is measured in the workspace venv")
        return None
    here = Path(__file__).resolve().parent.parent
    subprocess.run([uv, "venv", "-q", "-p", sys.executable, str(folder)], check=True)
    python = folder / "bin" / "python"
    packages = [str(here.parent / "contract"), str(here)]
    subprocess.run([uv, "pip", "install", "-q", "-p", str(python), *packages], check=True)
    return folder / "bin"


if __name__ == "__main__":
    main()
