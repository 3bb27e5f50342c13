"""Facts about this repository: where it is and which distributions live in packages/."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib


ROOT = Path(__file__).resolve().parent.parent.parent


def discover_packages(root: Path = ROOT) -> dict[str, Path]:
    """Distribution name -> folder for every ``packages/*`` holding a pyproject.toml."""
    found = {}
    for folder in sorted((root / "packages").iterdir()):
        if (folder / "pyproject.toml").is_file():
            with (folder / "pyproject.toml").open("rb") as handle:
                found[str(tomllib.load(handle)["project"]["name"])] = folder
    return found


def build_wheel(folder: Path, out: Path, timeout: float = 300) -> None:
    """Build ``folder``'s wheel into ``out`` (PEP 517, isolated, uv); raise with the log tail."""
    import subprocess

    proc = subprocess.run(
        [
            *(sys.executable, "-m", "build", "--wheel", "--installer", "uv"),
            *("--outdir", str(out), str(folder)),
        ],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if proc.returncode != 0:
        raise AssertionError(f"building {folder.name} failed:\n{proc.stderr[-3000:]}")


def load_script(name: str, root: Path = ROOT) -> ModuleType:
    """Import ``scripts/<name>.py`` (the repository's scripts are no package) for a test."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        f"repo_script_{name}", root / "scripts" / f"{name}.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def uv() -> str:
    """The uv executable (the fresh venvs of the closure tests are made with it)."""
    found = shutil.which("uv")
    if found is None:
        import pytest

        pytest.fail("uv is needed for fresh virtual environments (pip install uv)", pytrace=False)
    return found


def fresh_venv_with(tmp_path: Path, wheelhouse: Path, dist: str) -> Path:
    """A fresh venv in ``tmp_path`` with ``dist``'s wheel and its declared closure only."""
    venv = tmp_path / "venv"
    subprocess.run(
        [uv(), "venv", "--quiet", "--python", sys.executable, str(venv)], check=True, timeout=120
    )
    python = venv / "bin" / "python"
    wheel = next(wheelhouse.glob(f"{dist.replace('-', '_')}-*.whl"))
    subprocess.run(
        [
            uv(),
            "pip",
            "install",
            "--quiet",
            "--python",
            str(python),
            "--find-links",
            str(wheelhouse),
            str(wheel),
        ],
        check=True,
        timeout=600,
    )
    return venv
