"""CI is defined once: the workflows run the sessions `.ci/run` runs, after the system setup."""

from __future__ import annotations

import ast
import re
import shlex
from typing import Any

import yaml

from testharness.repo import ROOT

WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
SESSIONS_THAT_NEED_THE_SYSTEM = {"tests", "typecheck", "demo", "bench", "conda"}


def default_sessions() -> list[str]:
    """``nox.options.sessions`` in the noxfile: what plain ``nox`` (and so ``.ci/run``) runs."""
    for node in ast.walk(ast.parse((ROOT / "noxfile.py").read_text())):
        if isinstance(node, ast.Assign) and ast.unparse(node.targets[0]) == "nox.options.sessions":
            return [str(item) for item in ast.literal_eval(node.value)]
    raise AssertionError("noxfile.py sets no nox.options.sessions")


def nox_sessions(command: str) -> list[str]:
    """The sessions of every ``nox -s A B ...`` in a shell step, in order."""
    found: list[str] = []
    for line in command.splitlines():
        words = shlex.split(line.replace("${{", "'").replace("}}", "'"), comments=True)
        for index, word in enumerate(words):
            if (
                word == "nox"
                and index + 2 < len(words)
                and words[index + 1] in {"-s", "--sessions"}
            ):
                for name in words[index + 2 :]:
                    if name.startswith("-") or name in {"&&", "||", ";"}:
                        break
                    found.append(name)
    return found


def jobs() -> dict[str, dict[str, Any]]:
    found = {}
    for workflow in WORKFLOWS:
        for name, job in yaml.safe_load(workflow.read_text())["jobs"].items():
            found[f"{workflow.name}:{name}"] = job
    return found


def test_every_job_that_tests_runs_the_system_setup_first() -> None:
    checked = 0
    for name, job in jobs().items():
        seen: list[str] = []
        for step in job.get("steps", []):
            command = step.get("run", "")
            for session in nox_sessions(command):
                if session in SESSIONS_THAT_NEED_THE_SYSTEM:
                    checked += 1
                    assert "system" in seen, f"{name}: `nox -s {session}` before `nox -s system`"
                seen.append(session)
            assert "pytest" not in command, f"{name}: run tests through nox, not pytest"
    assert checked >= 3


def test_workflows_run_exactly_the_sessions_ci_run_runs() -> None:
    assert (ROOT / ".ci" / "run").read_text().rstrip().endswith("nox uv && nox")
    in_workflows = {
        s
        for job in jobs().values()
        for step in job.get("steps", [])
        for s in nox_sessions(step.get("run", ""))
    }
    assert in_workflows == set(default_sessions())


def test_the_system_setup_is_defined_once() -> None:
    setups = [
        f"{name}: {step['run']}"
        for name, job in jobs().items()
        for step in job.get("steps", [])
        if "install-system-deps" in step.get("run", "") or "apt-get" in step.get("run", "")
    ]
    assert setups == [], "call `nox -s system` instead of the script or apt-get"


def test_no_lockfile_pretends_to_pin_ci() -> None:
    """CI installs from the pyproject ranges; a committed uv.lock would be a second truth."""
    assert not (ROOT / "uv.lock").exists()
    assert "uv.lock" in (ROOT / ".gitignore").read_text().split()


def test_every_testing_job_installs_real_conda_from_its_git_tag() -> None:
    """Outside this workplace there is no vendor archive: conda comes from its git tag."""
    from testharness.conda import CONDA_GIT, CONDA_VERSION

    checked = 0
    for name, job in jobs().items():
        steps = job.get("steps", [])
        for index, step in enumerate(steps):
            if "tests" not in nox_sessions(step.get("run", "")):
                continue
            checked += 1
            installs = [
                earlier
                for earlier in steps[:index]
                if CONDA_GIT in earlier.get("run", "")
                and earlier.get("env", {}).get("SETUPTOOLS_SCM_PRETEND_VERSION") == CONDA_VERSION
            ]
            assert installs, f"{name}: install {CONDA_GIT!r} before `nox -s tests`"
    assert checked >= 2


NOX_NEEDS = (3, 11)  # the noxfile imports tomllib


def setup_python_versions(job: dict[str, Any]) -> list[str]:
    """The ``python-version`` lines of the job's setup-python step; the last is ``python``."""
    for step in job.get("steps", []):
        if str(step.get("uses", "")).startswith("actions/setup-python@"):
            lines = str(step.get("with", {}).get("python-version", "")).splitlines()
            return [line.strip() for line in lines if line.strip()]
    return []


def nox_python_problem(job: dict[str, Any]) -> str | None:
    """Why nox (``python -m pip install nox`` then ``nox``) would not run in ``job``, or None."""
    commands = [step.get("run", "") for step in job.get("steps", [])]
    if not any(nox_sessions(command) for command in commands):
        return None
    versions = setup_python_versions(job)
    if not versions:
        return "runs nox without actions/setup-python"
    default = versions[-1]
    if not re.fullmatch(r"\d+\.\d+", default) or tuple(map(int, default.split("."))) < NOX_NEEDS:
        return f"nox would run on python {default!r}; list a 3.11+ version last"
    for command in commands:
        for forced in re.findall(r"--force-python\s+(\S+(?: \S+ }})?)", command):
            if forced not in versions:
                return f"--force-python {forced} is not set up by setup-python"
    return None


def test_nox_runs_on_a_python_that_can_load_the_noxfile() -> None:
    problems = {name: nox_python_problem(job) for name, job in jobs().items()}
    assert {name: p for name, p in problems.items() if p} == {}
    assert sum(1 for job in jobs().values() if setup_python_versions(job)) >= 4


def job_with(python_version: str, run: str) -> dict[str, Any]:
    setup = {"uses": "actions/setup-python@v5", "with": {"python-version": python_version}}
    return {"steps": [setup, {"run": run}]}


def test_the_python_check_catches_a_matrix_only_setup() -> None:
    """As ci.yml's tests job had it: `python` was 3.10, which cannot load the noxfile."""
    run = "nox -s conda tests --force-python ${{ matrix.python }} -- pkg"
    matrix_only = nox_python_problem(job_with("${{ matrix.python }}", run))
    assert "list a 3.11+ version last" in str(matrix_only)
    assert nox_python_problem(job_with("${{ matrix.python }}\n3.12\n", run)) is None
    assert "is not set up" in str(nox_python_problem(job_with("3.12", run)))
    assert "list a 3.11+ version last" in str(nox_python_problem(job_with("3.10", "nox -s tests")))
