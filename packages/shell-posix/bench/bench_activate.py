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
import shlex
import subprocess
import sys
import tempfile
from pathlib import Path

from testharness.activation_bench import compare, conda_shell, fresh_venv

ROUNDS = 40
TARGET = 2.0


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


def fast_argv(env: dict[str, str]) -> list[str]:
    code = "import json, plugin_contract.shell.program as p; print(json.dumps(p.fast_argv()))"
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    argv: list[str] = json.loads(out.stdout)
    return argv


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
        compare("hook: conda-shell activate ENV", hooked, baseline, env, TARGET, ROUNDS)
        python, program, where = sys.executable, conda_shell(), "workspace venv"
        fresh = fresh_venv(root / "venv", Path(__file__).resolve().parents[1])
        if fresh:
            python, program, where = str(fresh / "python"), str(fresh / "conda-shell"), "fresh"
        line = shlex.join([program, "activate", "--eval", str(prefix)])
        compare(
            f"no hook: eval $(conda-shell activate --eval ENV) ({where})",
            ["/bin/sh", "-c", f"{line} >/dev/null; true"],
            ["/bin/sh", "-c", f"{shlex.join([python, '-S', '-c', 'pass'])}; true"],
            env,
            TARGET,
            ROUNDS,
        )


if __name__ == "__main__":
    main()
