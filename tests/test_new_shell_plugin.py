"""The contributor path, end to end: scaffold a shell plugin, fill it in, release it alone.

Twice, in a temporary copy of the repository: ``nox -s new -- shell-NAME``, write its syntax
and kit driver (``proof_shell/NAME_syntax.py`` and ``NAME_kit.py``) for yash (a POSIX-family
shell that shell-posix does not serve) and for elvish (a family neither we nor conda serve),
with no edit outside the new package; check that CI selection and the release check find it,
build it, install it alone (with plugin-contract) into a fresh venv and run its own tests
there: the FILL IN check and the contract's conformance kit against the real shell.
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

#: (shell, extra pytest arguments for the package's own tests)
WALKTHROUGHS = [("yash", []), ("elvish", ["-n", "2"])]
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


@pytest.mark.parametrize(("shell", "pytest_args"), WALKTHROUGHS, ids=[w[0] for w in WALKTHROUGHS])
def test_a_scaffolded_shell_plugin_filled_in_passes_the_kit_installed_alone(
    repo_copy: Path, tmp_path: Path, shell: str, pytest_args: list[str]
) -> None:
    nox = require_tool("nox", "python3 -m pip install nox")
    uv = require_tool("uv", "python3 -m pip install uv")
    program = require_tool(shell, f"apt-get install -y {shell}")
    dist, import_name = f"shell-{shell}", f"shell_{shell}"

    # 1. scaffold through nox, as a contributor would
    out = ok(run([nox, "-f", str(repo_copy / "noxfile.py"), "-s", "new", "--", dist]))
    package = repo_copy / "packages" / dist
    syntax = package / "src" / import_name / "syntax.py"
    assert syntax.is_file(), out
    assert "FILL IN" in syntax.read_text()
    text = (package / "pyproject.toml").read_text()
    assert '"plugin-contract[shell]>=' in text
    assert f'{dist} = "{import_name}.plugin"' in text
    again = run([sys.executable, str(repo_copy / "scripts" / "new_package.py"), dist])
    assert again.returncode == 2
    assert "exists already" in again.stderr

    # 2. found by CI selection and the release check without editing any list
    ci_matrix = load(repo_copy / "scripts" / "ci_matrix.py")
    changed = [f"packages/{dist}/src/{import_name}/syntax.py"]
    assert ci_matrix.select(changed, ci_matrix.packages()) == [dist]
    release = ok(
        run([sys.executable, str(repo_copy / "scripts" / "release_check.py"), f"{dist}-v0.1.0"])
    )
    assert f"folder=packages/{dist}" in release

    # 3. the contributor writes the syntax and the kit driver, inside the new package only
    before = sorted(p for p in repo_copy.rglob("*") if package not in p.parents)
    shutil.copyfile(ROOT / "tests" / "proof_shell" / f"{shell}_syntax.py", syntax)
    shutil.copyfile(ROOT / "tests" / "proof_shell" / f"{shell}_kit.py", syntax.with_name("kit.py"))
    (package / "ci" / "apt.txt").write_text(f"{shell}\n")
    assert sorted(p for p in repo_copy.rglob("*") if package not in p.parents) == before

    # 4. build, install alone into a fresh venv, run the package's own tests there
    wheels = tmp_path / "wheels"
    build_wheel(repo_copy / "packages" / "contract", wheels)
    build_wheel(package, wheels)
    venv = tmp_path / "venv"
    ok(run([uv, "venv", "--quiet", "--python", sys.executable, str(venv)]))
    python = venv / "bin" / "python"
    wheel = next(wheels.glob(f"{import_name}-0.1.0-*.whl"))
    extra = ["pytest-xdist"] if "-n" in pytest_args else []
    ok(
        run(
            [
                *(uv, "pip", "install", "--quiet", "--python", str(python)),
                *("--find-links", str(wheels), str(wheel), "pytest", *extra),
            ]
        )
    )
    listed = ok(run([uv, "pip", "list", "--format=freeze", "--python", str(python)]))
    names = {line.split("==")[0].lower() for line in listed.split()}
    assert not {"shell-posix", "shell-fish", "requests"} & names, names
    shells = ok(run([str(venv / "bin" / "conda-shell"), "shells"]))
    assert shell in shells

    tests = tmp_path / "plugin-tests"
    shutil.copytree(package / "tests", tests)
    pytest_argv = [str(python), "-m", "pytest", "-q", "-p", "no:cacheprovider", "-rs"]
    result = run(
        [*pytest_argv, *pytest_args, str(tests)],
        cwd=tmp_path,
        env={
            "PATH": f"{venv / 'bin'}:{Path(program).parent}:/usr/bin:/bin",
            "HOME": str(tmp_path),
            "CI": "true",  # a missing shell must fail here, never skip
            "PLUGIN_CONTRACT_CACHE_DIR": str(tmp_path / "cache"),
        },
    )
    report = ok(result)
    assert " passed" in report
    assert "skipped" not in report
    assert "failed" not in report
