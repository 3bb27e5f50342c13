"""The contributor path, end to end: scaffold a shell plugin, fill it in, release it alone.

In a temporary copy of the repository: ``nox -s new -- shell-yash``, write its syntax for
yash (``proof_shell/yash_syntax.py``; a POSIX-family shell that shell-posix does not serve),
check that CI selection and the release check find it, build it, install it alone (with
plugin-contract) into a fresh venv and run its own tests there: the FILL IN check and the
contract's conformance kit against the real yash.
"""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

from testharness import require_tool
from testharness.repo import ROOT, build_wheel

pytestmark = pytest.mark.slow

DIST = "shell-yash"
IMPORT = "shell_yash"
COPIED = ("noxfile.py", "pyproject.toml", "scripts", "shared", "packages/contract")
IGNORED = shutil.ignore_patterns("__pycache__", ".venv", ".nox", "node_modules", "dist", "build")


def run(
    argv: list[str], *, cwd: Path | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        argv, capture_output=True, text=True, timeout=600, check=False, cwd=cwd, env=env
    )


def ok(proc: subprocess.CompletedProcess[str]) -> str:
    assert proc.returncode == 0, f"{proc.args}\n{proc.stdout[-4000:]}\n{proc.stderr[-4000:]}"
    return proc.stdout


def load(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"copied_{path.stem}", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def repo_copy(tmp_path: Path) -> Path:
    copy = tmp_path / "repo"
    for relative in COPIED:
        source = ROOT / relative
        if source.is_dir():
            shutil.copytree(source, copy / relative, ignore=IGNORED)
        else:
            (copy / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, copy / relative)
    return copy


def test_a_scaffolded_shell_plugin_filled_for_yash_passes_the_kit_installed_alone(
    repo_copy: Path, tmp_path: Path
) -> None:
    nox = require_tool("nox", "python3 -m pip install nox")
    uv = require_tool("uv", "python3 -m pip install uv")
    yash = require_tool("yash", "apt-get install -y yash")

    # 1. scaffold through nox, as a contributor would
    out = ok(run([nox, "-f", str(repo_copy / "noxfile.py"), "-s", "new", "--", DIST]))
    package = repo_copy / "packages" / DIST
    syntax = package / "src" / IMPORT / "syntax.py"
    assert syntax.is_file(), out
    assert "FILL IN" in syntax.read_text()
    text = (package / "pyproject.toml").read_text()
    assert '"plugin-contract[shell]>=' in text
    assert f'{DIST} = "{IMPORT}.plugin"' in text
    again = run([sys.executable, str(repo_copy / "scripts" / "new_package.py"), DIST])
    assert again.returncode == 2
    assert "exists already" in again.stderr

    # 2. found by CI selection and the release check without editing any list
    ci_matrix = load(repo_copy / "scripts" / "ci_matrix.py")
    changed = [f"packages/{DIST}/src/{IMPORT}/syntax.py"]
    assert ci_matrix.select(changed, ci_matrix.packages()) == [DIST]
    release = ok(
        run([sys.executable, str(repo_copy / "scripts" / "release_check.py"), f"{DIST}-v0.1.0"])
    )
    assert f"folder=packages/{DIST}" in release

    # 3. the contributor writes the syntax for yash
    shutil.copyfile(ROOT / "tests" / "proof_shell" / "yash_syntax.py", syntax)
    shutil.copyfile(ROOT / "tests" / "proof_shell" / "yash_kit.py", syntax.with_name("kit.py"))
    (package / "ci" / "apt.txt").write_text("yash\n")

    # 4. build, install alone into a fresh venv, run the package's own tests there
    wheels = tmp_path / "wheels"
    build_wheel(repo_copy / "packages" / "contract", wheels)
    build_wheel(package, wheels)
    venv = tmp_path / "venv"
    ok(run([uv, "venv", "--quiet", "--python", sys.executable, str(venv)]))
    python = venv / "bin" / "python"
    wheel = next(wheels.glob(f"{IMPORT}-0.1.0-*.whl"))
    ok(
        run(
            [
                *(uv, "pip", "install", "--quiet", "--python", str(python)),
                *("--find-links", str(wheels), str(wheel), "pytest"),
            ]
        )
    )
    listed = ok(run([uv, "pip", "list", "--format=freeze", "--python", str(python)]))
    names = {line.split("==")[0].lower() for line in listed.split()}
    assert not {"shell-posix", "shell-fish", "requests"} & names, names
    shells = ok(run([str(venv / "bin" / "conda-shell"), "shells"]))
    assert "yash" in shells

    tests = tmp_path / "plugin-tests"
    shutil.copytree(package / "tests", tests)
    result = run(
        [str(python), "-m", "pytest", "-q", "-p", "no:cacheprovider", "-rs", str(tests)],
        cwd=tmp_path,
        env={
            "PATH": f"{venv / 'bin'}:{Path(yash).parent}:/usr/bin:/bin",
            "HOME": str(tmp_path),
            "CI": "true",  # a missing yash must fail here, never skip
            "PLUGIN_CONTRACT_CACHE_DIR": str(tmp_path / "cache"),
        },
    )
    report = ok(result)
    assert " passed" in report
    assert "skipped" not in report
    assert "failed" not in report
