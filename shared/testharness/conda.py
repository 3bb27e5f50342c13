"""A real conda 26.7.1 for tests, installed from ``../shared/vendor`` with our plugins beside it.

conda is not on PyPI. The vendor folder beside the repository holds its source archive and
``install-conda.sh``; on GitHub Actions (no vendor folder) conda comes from its git tag. Under
``CI=true`` a conda that cannot be installed fails the test; locally it skips with the reason.

    conda = real_conda_factory("session-basic-auth")    # conda + that plugin's wheel (+ contract)
    result = conda.run("search", "-c", url, "pkg", condarc=rc_text)
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from testharness.repo import ROOT, build_wheel, discover_packages
from testharness.tools import in_ci, require_tool

CONDA_VERSION = "26.7.1"
VENDOR = ROOT.parent / "shared" / "vendor"
CONDA_GIT = f"conda @ git+https://github.com/conda/conda@{CONDA_VERSION}"
BASE_CONDARC = "solver: classic\nnotify_outdated_conda: false\nreport_errors: false\n"


class CondaUnavailable(RuntimeError):
    """conda could not be installed here (no vendor archive and no network to its git tag)."""


@dataclass
class RealConda:
    """A venv that is a conda base prefix: ``bin/conda`` is conda's own entry point."""

    prefix: Path
    home: Path
    installed: tuple[str, ...] = ()
    extra_env: dict[str, str] = field(default_factory=dict)

    @property
    def exe(self) -> Path:
        return self.prefix / "bin" / "conda"

    @property
    def python(self) -> Path:
        return self.prefix / "bin" / "python"

    @property
    def condarc(self) -> Path:
        """The user condarc the runs read (``$HOME/.condarc``)."""
        return self.home / ".condarc"

    def env(self, extra: Mapping[str, str] | None = None) -> dict[str, str]:
        """A clean environment for conda: only this home, this condarc, no inherited CONDA_*."""
        base = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("CONDA", "_CONDA", "MAMBA", "PYTHON", "VIRTUAL_ENV"))
        }
        base.update(
            {
                "HOME": str(self.home),
                "CONDARC": str(self.condarc),
                "CONDA_OVERRIDE_CUDA": "",
                "CONDA_PKGS_DIRS": str(self.home / "pkgs"),
                "PATH": os.pathsep.join([str(self.prefix / "bin"), os.environ.get("PATH", "")]),
                "LANG": "C.UTF-8",
                "NO_COLOR": "1",
            }
        )
        base.update(self.extra_env)
        base.update(extra or {})
        return base

    def terminal_env(self) -> dict[str, str]:
        """:meth:`env` as a person at a terminal has it: no ``CI`` (a CI run of the tests sets
        it, and CI never prompts) and no ``CONDA_SESSION_NO_PROMPT``."""
        quiet = {"CI", "CONDA_SESSION_NO_PROMPT"}
        return {key: value for key, value in self.env().items() if key not in quiet}

    def write_condarc(self, text: str) -> Path:
        """Replace the user condarc with the base settings plus ``text``."""
        self.condarc.write_text(BASE_CONDARC + text, encoding="utf-8")
        return self.condarc

    def run(
        self,
        *args: str,
        condarc: str | None = None,
        env: Mapping[str, str] | None = None,
        input: str | None = None,
        timeout: float = 120,
        check: bool = False,
        cwd: Path | None = None,
    ) -> subprocess.CompletedProcess[str]:
        """Run ``conda ARGS`` as a user would; with ``condarc``, write it first."""
        if condarc is not None:
            self.write_condarc(condarc)
        elif not self.condarc.exists():
            self.write_condarc("")
        proc = subprocess.run(
            [str(self.exe), *args],
            capture_output=True,
            text=True,
            env=self.env(env),
            input=input if input is not None else "",
            timeout=timeout,
            check=False,
            cwd=cwd or self.home,
        )
        if check and proc.returncode != 0:
            raise AssertionError(
                f"conda {' '.join(args)} exited {proc.returncode}\n"
                f"stdout:\n{proc.stdout[-3000:]}\nstderr:\n{proc.stderr[-3000:]}"
            )
        return proc

    def make_env(self, name: str) -> Path:
        """An empty environment ``envs/NAME`` of this base, as conda's activation expects."""
        prefix = self.prefix / "envs" / name
        (prefix / "conda-meta").mkdir(parents=True, exist_ok=True)
        (prefix / "bin").mkdir(exist_ok=True)
        (prefix / "conda-meta" / "history").touch()
        return prefix

    def run_program(
        self,
        argv: list[str],
        stdin: str = "",
        env: Mapping[str, str] | None = None,
        timeout: float = 120,
    ) -> subprocess.CompletedProcess[str]:
        """Run ``argv`` in this conda's clean environment (base ``bin`` first on PATH)."""
        return subprocess.run(
            argv,
            input=stdin,
            capture_output=True,
            text=True,
            env=self.env({"TERM": "dumb", **(env or {})}),
            cwd=self.home,
            timeout=timeout,
            check=False,
        )

    def run_shell(
        self, program: str, script: str, **extra: str
    ) -> subprocess.CompletedProcess[str]:
        """``program -c script`` as the user's shell (``$SHELL``), in this conda's environment."""
        executable = require_tool(program, f"apt-get install -y {program}")
        return self.run_program([executable, "-c", script], env={"SHELL": executable, **extra})

    def python_run(
        self, code: str, env: Mapping[str, str] | None = None, timeout: float = 60
    ) -> subprocess.CompletedProcess[str]:
        """Run ``code`` with the conda prefix's Python (conda importable)."""
        return subprocess.run(
            [str(self.python), "-c", code],
            capture_output=True,
            text=True,
            env=self.env(env),
            timeout=timeout,
            check=False,
            cwd=self.home,
        )


def _pip(python: Path) -> list[str]:
    uv = shutil.which("uv")
    if uv:
        return [uv, "pip", "install", "--python", str(python), "-q"]
    return [str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check"]


def install_conda(prefix: Path, timeout: float = 600) -> Path:
    """Install conda 26.7.1 into the venv ``prefix``; return ``prefix / 'bin' / 'conda'``.

    Uses the vendor archive when it is there (the script is copied next to the conda archive
    alone, because it picks the newest ``conda-*.tar.gz`` and the tests archive sorts after it).
    """
    archive = VENDOR / f"conda-{CONDA_VERSION}.tar.gz"
    script = VENDOR / "install-conda.sh"
    if archive.is_file() and script.is_file():
        staging = prefix.parent / f".{prefix.name}-vendor"
        staging.mkdir(parents=True, exist_ok=True)
        shutil.copy2(script, staging / script.name)
        shutil.copy2(archive, staging / archive.name)
        cmd = ["bash", str(staging / script.name), str(prefix)]
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)
        shutil.rmtree(staging, ignore_errors=True)
    else:
        subprocess.run([sys.executable, "-m", "venv", str(prefix)], check=True, timeout=timeout)
        env = {**os.environ, "SETUPTOOLS_SCM_PRETEND_VERSION": CONDA_VERSION}
        proc = subprocess.run(
            [*_pip(prefix / "bin" / "python"), CONDA_GIT],
            capture_output=True,
            text=True,
            timeout=timeout,
            env=env,
            check=False,
        )
        if proc.returncode == 0:
            _write_entry_point(prefix)
    if proc.returncode != 0:
        raise CondaUnavailable(f"installing conda {CONDA_VERSION} failed:\n{proc.stderr[-2000:]}")
    return prefix / "bin" / "conda"


def _write_entry_point(prefix: Path) -> None:
    exe = prefix / "bin" / "conda"
    exe.write_text(
        f"#!{prefix / 'bin' / 'python'}\nimport sys\nfrom conda.cli import main\n"
        "if __name__ == '__main__':\n    sys.exit(main())\n"
    )
    exe.chmod(0o755)
    (prefix / "conda-meta").mkdir(exist_ok=True)
    (prefix / "conda-meta" / "history").touch()


def install_distributions(
    python: Path, distributions: Iterable[str], wheelhouse: Path, timeout: float = 600
) -> tuple[str, ...]:
    """Build (once per wheelhouse) and install the named distributions' wheels into ``python``.

    The contract comes along as a dependency from the same wheelhouse, never from PyPI.
    """
    known = discover_packages()
    names = tuple(distributions)
    unknown = [name for name in names if name not in known]
    if unknown:
        raise ValueError(f"unknown distributions {unknown}; known: {sorted(known)}")
    wanted = {"plugin-contract", *names}
    wheels = []
    for name in sorted(wanted):
        stem = name.replace("-", "_")
        found = sorted(wheelhouse.glob(f"{stem}-*.whl"))
        if not found:
            build_wheel(known[name], wheelhouse)
            found = sorted(wheelhouse.glob(f"{stem}-*.whl"))
        wheels.append(str(found[-1]))
    proc = subprocess.run(
        [*_pip(python), "--find-links", str(wheelhouse), *wheels],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if proc.returncode != 0:
        raise AssertionError(f"installing {names} failed:\n{proc.stderr[-3000:]}")
    return names


def conda_or_skip(prefix: Path) -> Path:
    """Install conda into ``prefix``; skip locally or fail under CI when that is impossible."""
    try:
        return install_conda(prefix)
    except (CondaUnavailable, subprocess.SubprocessError, OSError) as error:
        message = f"real conda {CONDA_VERSION} is not available: {error}"
        if in_ci():
            pytest.fail(f"{message}; CI must provide it", pytrace=False)
        pytest.skip(message)
