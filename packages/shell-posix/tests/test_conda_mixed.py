"""Real conda 26.7.1's activation and ours follow each other in any order (bash, zsh)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from testharness.conda import RealConda
from testharness.plugin import RealCondaFactory
from testharness.tools import require_tool

pytestmark = pytest.mark.slow

TIMEOUT = 120

CONDA_VARS = ("CONDA_PREFIX", "CONDA_DEFAULT_ENV", "CONDA_PROMPT_MODIFIER", "CONDA_STACKED_2")


@pytest.fixture
def conda(real_conda_factory: RealCondaFactory) -> RealConda:
    conda = real_conda_factory("shell-posix")
    conda.write_condarc("")
    return conda


def make_env(conda: RealConda, name: str) -> Path:
    prefix = conda.prefix / "envs" / name
    (prefix / "conda-meta").mkdir(parents=True, exist_ok=True)
    (prefix / "bin").mkdir(exist_ok=True)
    (prefix / "conda-meta" / "history").touch()
    return prefix


def run_shell(
    conda: RealConda, program: str, script: str, **extra: str
) -> subprocess.CompletedProcess[str]:
    """``program -c script`` with the conda base's bin first on PATH."""
    executable = require_tool(program, f"apt-get install -y {program}")
    return _run(conda, [str(executable), "-c", script], "", SHELL=str(executable), **extra)


def _run(
    conda: RealConda, argv: list[str], stdin: str, **extra: str
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        argv,
        input=stdin,
        capture_output=True,
        text=True,
        env=conda.env({"TERM": "dumb", **extra}),
        cwd=conda.home,
        timeout=TIMEOUT,
        check=False,
    )


def _environment_after(
    conda: RealConda, program: str, tmp_path: Path, steps: list[str]
) -> dict[str, str]:
    dump = tmp_path / "after.env"
    script = "\n".join(
        [
            "set -e",
            'eval "$(conda shell.posix hook)"',
            'eval "$(conda-shell hook --shell posix)"',
            *steps,
            f"env -0 > '{dump}'",
        ]
    )
    proc = run_shell(conda, program, script)
    assert proc.returncode == 0, f"stdout:\n{proc.stdout}\nstderr:\n{proc.stderr}"
    assert "Traceback" not in proc.stderr, proc.stderr
    found = {}
    for item in dump.read_bytes().split(b"\0"):
        if item:
            name, _, value = item.decode("utf-8", "surrogateescape").partition("=")
            found[name] = value
    return found


def _path(environ: dict[str, str]) -> list[str]:
    return environ["PATH"].split(os.pathsep)


@pytest.fixture(params=["bash", "zsh"])
def program(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def test_after_conda_auto_activates_base_ours_returns_to_base(
    conda: RealConda, program: str, tmp_path: Path
) -> None:
    env = make_env(conda, "xenv")
    base = _environment_after(conda, program, tmp_path, [])
    assert base["CONDA_SHLVL"] == "1", base
    after = _environment_after(
        conda, program, tmp_path, [f"conda_shell activate '{env}'", "conda_shell deactivate"]
    )
    assert after["CONDA_PREFIX"] == str(conda.prefix)
    assert after["CONDA_SHLVL"] == "1"
    assert _path(after) == _path(base)
    assert not [name for name in after if name.startswith("__CONDA_SHELL_STATE")]


SEQUENCES = {
    "conda-ours-conda-ours": [
        "conda activate {a}",
        "conda_shell activate {b}",
        "conda deactivate",
        "conda_shell deactivate",
    ],
    "ours-conda-ours-conda": [
        "conda_shell activate {a}",
        "conda activate {b}",
        "conda_shell deactivate",
        "conda deactivate",
    ],
    "conda-stack-ours-deactivate-twice": [
        "conda activate {a}",
        "conda_shell activate --stack {b}",
        "conda deactivate",
        "conda_shell deactivate",
    ],
    "ours-then-conda-deactivate": ["conda_shell activate {a}", "conda deactivate"],
    "conda-then-ours-deactivate": ["conda activate {a}", "conda_shell deactivate"],
}


@pytest.mark.parametrize("sequence", sorted(SEQUENCES))
def test_mixed_sequences_return_to_the_start(
    conda: RealConda, program: str, tmp_path: Path, sequence: str
) -> None:
    a, b = make_env(conda, "aenv"), make_env(conda, "benv")
    conda.write_condarc("auto_activate: false\n")
    start = _environment_after(conda, program, tmp_path, [])
    steps = [step.format(a=f"'{a}'", b=f"'{b}'") for step in SEQUENCES[sequence]]
    after = _environment_after(conda, program, tmp_path, steps)
    assert _path(after) == _path(start), sequence
    for name in CONDA_VARS:
        assert after.get(name, "") == start.get(name, ""), (name, after.get(name))
    assert after.get("CONDA_SHLVL", "0") in ("0", ""), after.get("CONDA_SHLVL")
    # conda "unsets" by exporting an empty value; nothing non-empty of a level may stay.
    leftovers = [n for n in after if n.startswith("CONDA_PREFIX_") and after[n]]
    assert not leftovers, leftovers
    ours = [n for n in after if n.startswith("__CONDA_SHELL_STATE")]
    if not steps[-1].startswith("conda "):
        assert not ours, ours
    elif ours:
        # conda's own deactivate cannot know our bookkeeping: it is stale, inert, and the
        # next command of ours drops it without changing anything else.
        cleaned = _environment_after(conda, program, tmp_path, [*steps, "conda_shell deactivate"])
        assert not [n for n in cleaned if n.startswith("__CONDA_SHELL_STATE")]
        assert {k: v for k, v in after.items() if k not in ours} == cleaned
