"""conda 26.7.1's own tests, for ``scripts/run-conda-tests.sh``: the vendor archive, or its git tag.

Here ``../shared/vendor/conda-26.7.1-tests.tar.gz`` holds them; elsewhere (GitHub Actions) they
come from a shallow fetch of conda's tag ``26.7.1`` into ``~/.cache/conda-tests-26.7.1``, kept
only when its HEAD is that tag's commit. The runner turns either into the same tree.

    source = conda_tests_or_fail()           # skips locally, fails under CI=true, in one line
    subprocess.run(["bash", str(RUNNER), str(source), str(conda.prefix)])
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from testharness.conda import CONDA_VERSION, VENDOR
from testharness.repo import ROOT
from testharness.tools import in_ci

CONDA_REPO = "https://github.com/conda/conda"
ARCHIVE = VENDOR / f"conda-{CONDA_VERSION}-tests.tar.gz"
RUNNER = ROOT / "scripts" / "run-conda-tests.sh"
REQUIRED = ("tests/plugins", "tests/test_activate.py")


class CondaTestsUnavailable(RuntimeError):
    """Neither the vendor archive nor conda's git tag could provide the tests (one-line reason)."""


def default_cache() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / f"conda-tests-{CONDA_VERSION}"


def conda_tests_source(
    archive: Path = ARCHIVE, cache: Path | None = None, repo: str = CONDA_REPO
) -> Path:
    """The runner's SOURCE: ``archive`` when it is a file, else a checkout of the tag."""
    if archive.is_file():
        return archive
    return checkout_tag(cache or default_cache(), repo)


def checkout_tag(cache: Path, repo: str = CONDA_REPO, tag: str = CONDA_VERSION) -> Path:
    """``cache`` as a checkout of ``repo`` at ``tag``: reused when valid, else fetched afresh."""
    if _problem(cache, tag) is None:
        return cache
    partial = cache.with_name(f"{cache.name}.partial-{os.getpid()}")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    try:
        _git(partial, "init", "-q")
        _git(partial, "fetch", "-q", "--depth", "1", repo, f"refs/tags/{tag}:refs/tags/{tag}")
        _git(partial, "-c", "advice.detachedHead=false", "checkout", "-q", "--detach", tag)
        problem = _problem(partial, tag)
        if problem:
            raise CondaTestsUnavailable(f"{repo} at {tag}: {problem}")
        _replace(cache, partial, tag)
    finally:
        shutil.rmtree(partial, ignore_errors=True)
    return cache


def _replace(cache: Path, fetched: Path, tag: str) -> None:
    """Move ``fetched`` to ``cache``, unless another test process (xdist) got there first."""
    if _problem(cache, tag) is None:
        return
    shutil.rmtree(cache, ignore_errors=True)
    try:
        fetched.rename(cache)
    except OSError as error:
        problem = _problem(cache, tag)
        if problem:
            raise CondaTestsUnavailable(f"cannot keep the checkout in {cache}: {error}") from None


def _problem(checkout: Path, tag: str) -> str | None:
    """Why ``checkout`` is not conda's tests at ``tag`` (None when it is)."""
    if not (checkout / ".git").is_dir():
        return "not a git checkout"
    try:
        head = _git(checkout, "rev-parse", "HEAD")
        tagged = _git(checkout, "rev-parse", "--verify", "-q", f"refs/tags/{tag}^{{commit}}")
    except CondaTestsUnavailable as error:
        return str(error)
    if head != tagged:
        return f"HEAD {head[:12]} is not tag {tag} ({tagged[:12]})"
    missing = [path for path in REQUIRED if not (checkout / path).exists()]
    return f"no {', '.join(missing)} in the tag's tree" if missing else None


def _git(cwd: Path, *args: str) -> str:
    env = {**os.environ, "GIT_TERMINAL_PROMPT": "0"}
    try:
        proc = subprocess.run(
            ["git", *args],
            cwd=cwd,
            capture_output=True,
            text=True,
            timeout=300,
            env=env,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        raise CondaTestsUnavailable(f"git {args[0]}: {error}") from None
    if proc.returncode != 0:
        last = (proc.stderr.strip().splitlines() or [f"exit {proc.returncode}"])[-1]
        raise CondaTestsUnavailable(f"git {' '.join(args)}: {last}")
    return proc.stdout.strip()


def conda_tests_or_fail(
    archive: Path = ARCHIVE, cache: Path | None = None, repo: str = CONDA_REPO
) -> Path:
    """:func:`conda_tests_source`; when impossible, fail under ``CI=true`` or skip locally,
    with one line saying why."""
    try:
        return conda_tests_source(archive, cache, repo)
    except CondaTestsUnavailable as error:
        reason = " ".join(str(error).split())
        message = f"conda {CONDA_VERSION}'s own tests are unavailable: {reason}"
        if in_ci():
            pytest.fail(f"{message}; CI must be able to fetch the tag", pytrace=False)
        pytest.skip(message)
