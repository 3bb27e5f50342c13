"""The ``conda-shell`` program: real processes, real shells for detection, no conda."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from testharness import require_tool

PROGRAM = str(Path(sys.executable).with_name("conda-shell"))


def run(
    *args: str, env: dict[str, str] | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [PROGRAM, *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=60,
        check=False,
    )


@pytest.fixture
def environ(tmp_path: Path) -> dict[str, str]:
    env = {
        "HOME": str(tmp_path / "home"),
        "PATH": f"{Path(PROGRAM).parent}:/usr/bin:/bin",
        "PLUGIN_CONTRACT_CACHE_DIR": str(tmp_path / "cache"),
        "LANG": "C.UTF-8",
    }
    (tmp_path / "home").mkdir()
    return env


def one_line_error(proc: subprocess.CompletedProcess[str]) -> str:
    assert proc.returncode != 0
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("conda-shell: error: ")
    return lines[0]


def test_unknown_shell_lists_installed_plugins(environ: dict[str, str], tmp_path: Path) -> None:
    (tmp_path / "e" / "conda-meta").mkdir(parents=True)
    line = one_line_error(
        run("activate", "--eval", "--shell", "nosuchsh", str(tmp_path / "e"), env=environ)
    )
    assert "unknown shell 'nosuchsh'" in line
    assert "posix (" in line
    assert "fish (" in line


def test_bad_usage_is_one_line(environ: dict[str, str]) -> None:
    assert "unknown command" in one_line_error(run("activat", env=environ))
    assert "takes one ENV" in one_line_error(run("activate", "--eval", "a", "b", env=environ))
    assert "cannot be combined" in one_line_error(
        run("activate", "--eval", "--json", "x", env=environ)
    )
    assert "unrecognized option" in one_line_error(run("deactivate", "--stack", env=environ))


def test_deactivate_needs_eval_or_hook(environ: dict[str, str]) -> None:
    line = one_line_error(run("deactivate", "--shell", "bash", env=environ))
    assert "--eval" in line
    assert "hook" in line


def test_missing_env_suggests_close_names(environ: dict[str, str], tmp_path: Path) -> None:
    (tmp_path / "envs" / "science" / "conda-meta").mkdir(parents=True)
    environ["CONDA_ENVS_PATH"] = str(tmp_path / "envs")
    line = one_line_error(run("activate", "--eval", "--shell", "bash", "sceince", env=environ))
    assert "did you mean 'science'" in line


def test_json_reports_the_change(environ: dict[str, str], tmp_path: Path) -> None:
    prefix = tmp_path / "e"
    (prefix / "conda-meta").mkdir(parents=True)
    (prefix / "etc" / "conda" / "activate.d").mkdir(parents=True)
    (prefix / "etc" / "conda" / "activate.d" / "a.sh").write_text("")
    (prefix / "etc" / "conda" / "activate.d" / "a.fish").write_text("")
    proc = run("activate", "--json", "--shell", "fish", str(prefix), env=environ)
    assert proc.returncode == 0, proc.stderr
    change = json.loads(proc.stdout)
    assert change["path"][0] == str(prefix / "bin")
    assert change["vars"]["export"]["CONDA_PREFIX"] == str(prefix)
    assert change["scripts"]["activate"] == [str(prefix / "etc/conda/activate.d/a.fish")]


def test_plugin_from_environment_variable_and_condarc(
    environ: dict[str, str], tmp_path: Path
) -> None:
    prefix = tmp_path / "e"
    (prefix / "conda-meta").mkdir(parents=True)
    proc = run("activate", "--eval", str(prefix), env=environ | {"CONDA_SHELL_PLUGIN": "fish"})
    assert proc.returncode == 0, proc.stderr
    assert "set -gx CONDA_PREFIX" in proc.stdout
    rc = tmp_path / "condarc"
    rc.write_text("shell_plugin: posix\nchangeps1: false\n")
    proc = run("activate", "--eval", str(prefix), env=environ | {"CONDARC": str(rc)})
    assert proc.returncode == 0, proc.stderr
    assert "export CONDA_PROMPT_MODIFIER=''" in proc.stdout


@pytest.mark.parametrize(
    ("program", "wrapper", "expected"),
    [("bash", [], "posix"), ("dash", ["env"], "posix"), ("fish", [], "fish")],
)
def test_detects_the_parent_shell_past_wrappers(
    environ: dict[str, str], program: str, wrapper: list[str], expected: str
) -> None:
    executable = require_tool(program, f"apt-get install -y {program}")
    command = " ".join([*wrapper, f"'{PROGRAM}'", "shells", "--json"])
    # A second command keeps the shell from replacing itself with the last one (bash -c).
    command += "; exit $status" if program == "fish" else "; exit $?"
    proc = subprocess.run(
        [executable, "-c", command],
        capture_output=True,
        text=True,
        env=environ,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    current = [row["name"] for row in json.loads(proc.stdout) if row["current"]]
    assert current == [expected]


def test_undetectable_shell_is_a_clear_error(environ: dict[str, str], tmp_path: Path) -> None:
    (tmp_path / "e" / "conda-meta").mkdir(parents=True)
    # `find -exec` is a parent that is neither a shell nor a wrapper to look past.
    proc = subprocess.run(
        [
            "find",
            str(tmp_path / "e"),
            "-maxdepth",
            "0",
            "-exec",
            PROGRAM,
            "activate",
            "--eval",
            "{}",
            "+",
        ],
        capture_output=True,
        text=True,
        env=environ,
        timeout=60,
        check=False,
    )
    line = one_line_error(proc)
    assert "parents: find" in line
    assert "pass --shell NAME" in line
    assert "installed shell plugins" in line


def test_hook_is_valid_shell_code(environ: dict[str, str], tmp_path: Path) -> None:
    for plugin, program, check in (("posix", "bash", ["-n"]), ("fish", "fish", ["--no-execute"])):
        executable = shutil.which(program)
        if executable is None:
            require_tool(program, f"apt-get install -y {program}")
            continue
        proc = run("hook", "--shell", plugin, env=environ)
        assert proc.returncode == 0, proc.stderr
        # posix and fish call conda-shell as `python -I -S -c ...` (no `site`)
        assert sys.executable in proc.stdout
        assert "plugin_contract.shell.cli import main" in proc.stdout
        hook = tmp_path / f"hook-{plugin}"
        hook.write_text(proc.stdout)
        syntax = subprocess.run(
            [executable, *check, str(hook)], capture_output=True, text=True, timeout=60, check=False
        )
        assert syntax.returncode == 0, syntax.stderr


def test_discovery_cache_is_used_and_rebuilt_on_change(
    environ: dict[str, str], tmp_path: Path
) -> None:
    prefix = tmp_path / "e"
    (prefix / "conda-meta").mkdir(parents=True)
    assert run("activate", "--eval", "--shell", "bash", str(prefix), env=environ).returncode == 0
    cache = Path(environ["PLUGIN_CONTRACT_CACHE_DIR"])
    (first,) = cache.glob("conda-shell-plugins-*.tsv")
    text = first.read_text()
    assert "shell_posix.syntax:POSIX" in text
    assert "shell_fish.syntax:FISH" in text
    # A stale location is noticed and the cache rebuilt, not trusted blindly.
    first.write_text(text.replace("shell_posix.syntax:POSIX", "shell_posix.syntax:MISSING"))
    proc = run("activate", "--eval", "--shell", "bash", str(prefix), env=environ)
    assert proc.returncode == 0, proc.stderr
    assert "shell_posix.syntax:POSIX" in next(cache.glob("conda-shell-plugins-*.tsv")).read_text()


def test_cache_key_follows_installed_packages(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from plugin_contract import discovery

    site = tmp_path / "site"
    site.mkdir()
    monkeypatch.setattr(sys, "path", [str(site)])
    monkeypatch.setenv("PLUGIN_CONTRACT_CACHE_DIR", str(tmp_path / "cache"))
    builds: list[int] = []

    def build() -> list[list[str]]:
        builds.append(1)
        return [["a\tb", "c\nd", "e\\f"]]

    assert discovery.cached_rows("k", build) == [["a\tb", "c\nd", "e\\f"]]
    assert discovery.cached_rows("k", build) == [["a\tb", "c\nd", "e\\f"]]
    assert len(builds) == 1
    (site / "new_dist-1.0.dist-info").mkdir()
    stat = site.stat()
    os.utime(site, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    discovery.cached_rows("k", build)
    assert len(builds) == 2


def test_conda_bridge_registers_shell_once_with_a_stub_conda(
    environ: dict[str, str], tmp_path: Path
) -> None:
    stub = tmp_path / "stub" / "conda" / "plugins"
    stub.mkdir(parents=True)
    (stub.parent / "__init__.py").write_text("")
    (stub / "__init__.py").write_text("")
    (stub / "types.py").write_text(
        "class CondaSubcommand:\n    def __init__(self, **kw):\n        self.__dict__.update(kw)\n"
    )
    prefix = tmp_path / "e"
    (prefix / "conda-meta").mkdir(parents=True)
    code = (
        "import argparse, sys\n"
        "import importlib\n"
        "from plugin_contract.shell.registry import installed_rows\n"
        "modules = {importlib.import_module(row.module) for row in installed_rows()}\n"
        "assert len(modules) >= 2, modules\n"
        "subs = [s for m in modules for s in m.conda_subcommands()]\n"
        "assert [s.name for s in subs] == ['shell'], subs\n"
        "parser = argparse.ArgumentParser()\n"
        "subs[0].configure_parser(parser)\n"
        f"args = parser.parse_args(['activate', '--eval', '--shell', 'bash', {str(prefix)!r}])\n"
        "sys.exit(subs[0].action(args))\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env=environ | {"PYTHONPATH": str(tmp_path / "stub")},
        timeout=60,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert f"export CONDA_PREFIX='{prefix}'" in proc.stdout


def test_without_conda_the_bridge_yields_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PLUGIN_CONTRACT_CACHE_DIR", str(tmp_path))
    import shell_fish.plugin
    import shell_posix.plugin

    assert list(shell_posix.plugin.conda_subcommands()) == []
    assert list(shell_fish.plugin.conda_subcommands()) == []


def test_activate_without_env_activates_conda_base(environ: dict[str, str], tmp_path: Path) -> None:
    """As ``conda activate``: no argument (or ``base``) is the root prefix of the conda that
    runs this shell, found from ``CONDA_EXE``; conda's meta variables and condabin follow."""
    root = tmp_path / "miniconda"
    for folder in ("conda-meta", "bin", "condabin"):
        (root / folder).mkdir(parents=True)
    (root / "bin" / "conda").touch()
    environ = environ | {"CONDA_EXE": str(root / "bin" / "conda")}
    for args in ((), ("base",)):
        proc = run("activate", "--json", "--shell", "posix", *args, env=environ)
        assert proc.returncode == 0, proc.stderr
        change = json.loads(proc.stdout)
        assert change["vars"]["export"]["CONDA_PREFIX"] == str(root)
        assert change["vars"]["export"]["CONDA_DEFAULT_ENV"] == "base"
        assert change["vars"]["export"]["_CONDA_ROOT"] == str(root)
        assert change["vars"]["export"]["CONDA_PYTHON_EXE"] == str(root / "bin" / "python")
        assert change["path"][:2] == [str(root / "bin"), str(root / "condabin")]


def test_stack_and_no_stack_cannot_be_combined(environ: dict[str, str]) -> None:
    line = one_line_error(run("activate", "--eval", "--stack", "--no-stack", "x", env=environ))
    assert "cannot be combined" in line
