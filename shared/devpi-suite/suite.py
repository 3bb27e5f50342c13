"""devpi-server 6.20.3's own test suite, run with and without our devpi plugins.

Stdlib only: the gate test (``tests/test_devpi_server_own_suite.py``) and ``run.sh`` use it.
The suite comes from devpi-server's sdist on PyPI (``test_devpi_server/``,
``pytest_devpi_server``), downloaded once into a cache folder.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import subprocess
import sys
import tarfile
import tempfile
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
VERSION = "6.20.3"
PYPI_SIMPLE = "https://pypi.org/simple"
# What devpi-server's tox.ini installs for its tests, less pytest-instafail and the GitHub
# annotations plugin (output only), plus pytest-xdist.
REQUIREMENTS = (
    f"devpi-server=={VERSION}",
    "webtest",
    "pytest<10",
    "pytest-asyncio",
    "pytest-timeout",
    "beautifulsoup4!=4.12.1",
    "execnet!=2.1.0",
    "pytest-xdist",  # ours: two workers
)
# devpi-server's own flaky tests: they fail now and then without any plugin.
FLAKY = ("doczip", "test_fetch_later_deleted", "test_simplelinks_timeout")
DESELECT_EXPRESSION = " and ".join(f"not {name}" for name in FLAKY)
# tox.ini's 60 s per test is too short where the suite's server subprocesses start on a busy
# machine (2 cores, the rest of our suite beside it): they time out with or without plugins.
TEST_TIMEOUT_SECONDS = 300
FAILED = ("failed", "error")


def cache_folder() -> Path:
    default = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "devpi-suite"
    return Path(os.environ.get("DEVPI_SUITE_CACHE", default))


def suite_source(cache: Path | None = None) -> Path:
    """The unpacked sdist, downloaded from PyPI on first use (its sha256 checked)."""
    cache = cache or cache_folder()
    source = cache / f"devpi_server-{VERSION}"
    if (source / "test_devpi_server").is_dir():
        return source
    cache.mkdir(parents=True, exist_ok=True)
    index = urllib.request.Request(  # noqa: S310 (https constant); PEP 691 simple index JSON
        f"{PYPI_SIMPLE}/devpi-server/", headers={"Accept": "application/vnd.pypi.simple.v1+json"}
    )
    with urllib.request.urlopen(index, timeout=60) as reply:  # noqa: S310 (https constant)
        files = json.load(reply)["files"]
    sdist = next(f for f in files if f["filename"] == f"devpi_server-{VERSION}.tar.gz")
    if not sdist["url"].startswith("https://"):
        raise RuntimeError(f"{PYPI_SIMPLE}: the sdist is not on https: {sdist['url']}")
    with urllib.request.urlopen(sdist["url"], timeout=300) as reply:  # noqa: S310 (checked)
        data = reply.read()
    if hashlib.sha256(data).hexdigest() != sdist["hashes"]["sha256"]:
        raise RuntimeError(f"{sdist['url']}: sha256 does not match PyPI's")
    with tempfile.TemporaryDirectory(dir=cache) as download:
        with tarfile.open(fileobj=io.BytesIO(data)) as archive:
            archive.extractall(download, filter="data")
        (Path(download) / source.name).replace(source)
    return source


def run(
    venv: Path,
    source: Path,
    *,
    with_plugins: bool,
    node_ids: list[str] | None = None,
    workers: int = 2,
    timeout: float = 3600,
) -> tuple[dict[str, str], subprocess.CompletedProcess[str]]:
    """Run the suite (or ``node_ids`` of it) in ``venv``; answer node id -> outcome
    ("passed", "failed", "error", "skipped") and the finished process.

    With plugins, ``our_plugins`` registers devpi-notify and devpi-auth-ldap in every
    in-process server, and a run of the whole suite fails unless it registered them at least
    once.
    """
    with tempfile.TemporaryDirectory() as scratch:
        outcomes_file = Path(scratch) / "outcomes.json"
        registrations = Path(scratch) / "registrations"
        plugins = ["-p", "record_outcomes"] + (["-p", "our_plugins"] if with_plugins else [])
        selection = node_ids or ["-k", DESELECT_EXPRESSION, "test_devpi_server"]
        parallel = ["-n", str(workers)] if workers else ["-p", "no:xdist"]
        env = {
            **os.environ,
            "PATH": f"{venv / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}",  # devpi-init
            "PYTHONPATH": str(HERE),
            "LANG": "C",
            "DEVPI_SUITE_OUTCOMES": str(outcomes_file),
            "DEVPI_SUITE_REGISTRATIONS": str(registrations),
        }
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env.pop("CI", None)  # the suite reads GITHUB_ACTIONS only; our harness reads CI
        proc = subprocess.run(
            [str(venv / "bin" / "python"), "-m", "pytest", "-p", "no:cacheprovider",
             "-p", "pytest_devpi_server", *plugins, "-c", "tox.ini", "--rootdir", ".",
             f"--timeout={TEST_TIMEOUT_SECONDS}", "-q", "-rfE", *parallel, *selection],
            cwd=source, env=env, capture_output=True, text=True, timeout=timeout, check=False,
        )  # fmt: skip
        if not outcomes_file.is_file():
            raise RuntimeError(f"the suite did not run:\n{proc.stdout[-3000:]}{proc.stderr}")
        outcomes: dict[str, str] = json.loads(outcomes_file.read_text())
        # The whole suite must have had our plugins in; a re-run of a few tests need not
        # build a server at all (test_keyfs's subscriber tests use a bare KeyFS).
        if with_plugins and node_ids is None and not registrations.is_file():
            raise RuntimeError("our_plugins never registered our plugins in a devpi server")
    return outcomes, proc


def failed(outcomes: dict[str, str]) -> list[str]:
    return sorted(node for node, outcome in outcomes.items() if outcome in FAILED)


if __name__ == "__main__":
    venv_arg, *rest = sys.argv[1:] or [str(Path(sys.executable).parent.parent)]
    result, finished = run(Path(venv_arg), suite_source(), with_plugins="--without" not in rest)
    print(finished.stdout[-5000:])
    print(json.dumps({"failed": failed(result), "total": len(result)}, indent=1))
