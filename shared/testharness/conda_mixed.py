"""Real conda 26.7.1's activation and a shell plugin's, following each other in any order.

A shell plugin's test module subclasses :class:`CondaMixedSequences`, gives the ``conda``
and ``program`` fixtures, and says in :meth:`script` how its shell loads both hooks, runs
the steps (stopping at the first failure) and dumps its environment with ``env -0``.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from plugin_contract.testing.shell import read_env
from testharness.conda import RealConda

CONDA_VARS = ("CONDA_PREFIX", "CONDA_DEFAULT_ENV", "CONDA_PROMPT_MODIFIER", "CONDA_STACKED_2")

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


def _path(environ: dict[str, str]) -> list[str]:
    return environ["PATH"].split(os.pathsep)


def _state_names(environ: dict[str, str]) -> list[str]:
    return [name for name in environ if name.startswith("__CONDA_SHELL_STATE")]


class CondaMixedSequences:
    """The cases; subclass with ``conda`` and ``program`` fixtures and :meth:`script`."""

    def script(self, steps: list[str], dump: Path) -> str:
        raise NotImplementedError

    def shell_environ(self, tmp_path: Path) -> dict[str, str]:
        return {}

    def environment_after(
        self, conda: RealConda, program: str, tmp_path: Path, steps: list[str]
    ) -> dict[str, str]:
        dump = tmp_path / "after.env"
        proc = conda.run_shell(program, self.script(steps, dump), **self.shell_environ(tmp_path))
        assert proc.returncode == 0, f"stdout:\n{proc.stdout}\nstderr:\n{proc.stderr}"
        assert "Traceback" not in proc.stderr, proc.stderr
        return read_env(dump)

    def test_after_conda_auto_activates_base_ours_returns_to_base(
        self, conda: RealConda, program: str, tmp_path: Path
    ) -> None:
        env = conda.make_env("xenv")
        base = self.environment_after(conda, program, tmp_path, [])
        assert base["CONDA_SHLVL"] == "1", base
        steps = [f"conda_shell activate '{env}'", "conda_shell deactivate"]
        after = self.environment_after(conda, program, tmp_path, steps)
        assert after["CONDA_PREFIX"] == str(conda.prefix)
        assert after["CONDA_SHLVL"] == "1"
        assert _path(after) == _path(base)
        assert not _state_names(after)

    @pytest.mark.parametrize("sequence", sorted(SEQUENCES))
    def test_mixed_sequences_return_to_the_start(
        self, conda: RealConda, program: str, tmp_path: Path, sequence: str
    ) -> None:
        a, b = conda.make_env("aenv"), conda.make_env("benv")
        conda.write_condarc("auto_activate: false\n")
        start = self.environment_after(conda, program, tmp_path, [])
        steps = [step.format(a=f"'{a}'", b=f"'{b}'") for step in SEQUENCES[sequence]]
        after = self.environment_after(conda, program, tmp_path, steps)
        assert _path(after) == _path(start), sequence
        for name in CONDA_VARS:
            assert after.get(name, "") == start.get(name, ""), (name, after.get(name))
        assert after.get("CONDA_SHLVL", "0") in ("0", ""), after.get("CONDA_SHLVL")
        # conda "unsets" by exporting an empty value; nothing non-empty of a level may stay.
        leftovers = [n for n in after if n.startswith("CONDA_PREFIX_") and after[n]]
        assert not leftovers, leftovers
        ours = _state_names(after)
        if not steps[-1].startswith("conda "):
            assert not ours, ours
        elif ours:
            # conda's own deactivate cannot know our bookkeeping: it is stale, inert, and the
            # next command of ours drops it without changing anything else.
            cleaned = self.environment_after(
                conda, program, tmp_path, [*steps, "conda_shell deactivate"]
            )
            assert not _state_names(cleaned)
            assert {k: v for k, v in after.items() if k not in ours} == cleaned
