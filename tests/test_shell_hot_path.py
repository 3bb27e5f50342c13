"""The activation hot path imports nothing beyond Python's own start-up and our modules
(``python -X importtime``, warm plugin cache): no ``re``, ``pathlib``, ``json``, pluggy."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

PROGRAM = str(Path(sys.executable).with_name("conda-shell"))
OURS = ("plugin_contract", "shell_posix", "shell_fish", "__future__")
# What the hook's `python -I -S` start adds to Python's own: `os` and what `os` imports.
OS_MODULES = {"os", "stat", "_stat", "posixpath", "genericpath", "_collections_abc"}


def _imported(argv: list[str], env: dict[str, str]) -> set[str]:
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", *argv],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    return {
        line.split("|")[-1].strip()
        for line in proc.stderr.splitlines()
        if line.startswith("import time:") and not line.rstrip().endswith("package")
    }


def _env_with_vars(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """A conda env with one env_vars.d file, and a minimal environment with its own cache."""
    prefix = tmp_path / "env"
    (prefix / "conda-meta").mkdir(parents=True)
    (prefix / "etc" / "conda" / "env_vars.d").mkdir(parents=True)
    (prefix / "etc" / "conda" / "env_vars.d" / "v.json").write_text('{"A": "1"}')
    env = {
        "HOME": str(tmp_path),
        "PATH": "/usr/bin:/bin",
        "PLUGIN_CONTRACT_CACHE_DIR": str(tmp_path / "cache"),
        "LANG": "C.UTF-8",
    }
    return prefix, env


def test_activation_imports_only_the_allow_list(tmp_path: Path) -> None:
    prefix, env = _env_with_vars(tmp_path)
    baseline = _imported(["-c", "pass"], env)
    for shell in ("posix", "fish"):
        argv = [PROGRAM, "activate", "--eval", "--shell", shell, str(prefix)]
        _imported(argv, env)  # builds the plugin cache
        extra = sorted(
            name for name in _imported(argv, env) - baseline if not name.startswith(OURS)
        )
        assert extra == [], f"activation in {shell} imports {extra}"


def _fast_argv(env: dict[str, str]) -> list[str]:
    """The command the posix and fish hooks run (``python -I -S -c ...``), from conda-shell."""
    code = "import json, plugin_contract.shell.program as p; print(json.dumps(p.fast_argv()))"
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60
    )
    assert proc.returncode == 0, proc.stderr
    argv: list[str] = json.loads(proc.stdout)
    return argv


def test_hook_path_skips_site_and_imports_only_the_allow_list(tmp_path: Path) -> None:
    """The hook calls Python with -I -S and the import path written out: no `site`, no .pth
    files, no `re`; beyond Python's own start-up only `os` and our modules are imported."""
    prefix, env = _env_with_vars(tmp_path)
    python, *flags = _fast_argv(env)
    assert flags[:2] == ["-I", "-S"]
    hook = subprocess.run(
        [PROGRAM, "hook", "--shell", "posix"], capture_output=True, text=True, env=env, timeout=60
    )
    assert "'-I' '-S' '-c'" in hook.stdout, hook.stdout
    baseline = _imported(["-S", "-c", "pass"], env)
    for shell in ("posix", "fish"):
        argv = [*flags, "activate", "--eval", "--shell", shell, str(prefix)]
        proc = subprocess.run(
            [python, *argv], capture_output=True, text=True, env=env, timeout=60, check=False
        )
        assert "CONDA_PREFIX" in proc.stdout, proc.stderr
        imported = _imported(argv, env)
        assert "site" not in imported
        extra = sorted(
            name for name in imported - baseline - OS_MODULES if not name.startswith(OURS)
        )
        assert extra == [], f"activation through the {shell} hook imports {extra}"


def test_detected_shell_path_imports_no_psutil(tmp_path: Path) -> None:
    """Without --shell, the shell is read from /proc (psutil costs ~15 ms to import)."""
    bash = "/bin/bash"
    prefix = tmp_path / "env"
    (prefix / "conda-meta").mkdir(parents=True)
    env = {
        "HOME": str(tmp_path),
        "PATH": "/usr/bin:/bin",
        "PLUGIN_CONTRACT_CACHE_DIR": str(tmp_path / "cache"),
    }
    line = f"{sys.executable} -X importtime {PROGRAM} activate --eval '{prefix}'"
    for _ in range(2):  # the first run builds the plugin cache
        proc = subprocess.run(
            [bash, "-c", f"{line}; true"],
            capture_output=True,
            text=True,
            env=env,
            timeout=60,
            check=False,
        )
    assert "CONDA_PREFIX" in proc.stdout, proc.stderr
    assert "psutil" not in proc.stderr
