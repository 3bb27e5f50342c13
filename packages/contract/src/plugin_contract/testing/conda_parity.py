"""Parity with real conda: our activation next to ``conda shell.<shell>+json`` on one prefix.

Both sides compute a change from the SAME environment; the environment for the next step is
conda's result, so every step after the first also checks that we read conda's own state.
Each difference is a line of text; the deliberate ones (see the shell READMEs) are filtered
out by :data:`DELIBERATE` and reported separately.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

TIMEOUT = 120

#: Differences we chose, each with the reason (also listed in the shell plugins' READMEs).
DELIBERATE: dict[str, str] = {
    "__CONDA_SHELL_STATE_": "our bookkeeping of what a level changed, for exact restores",
    "_CE_M": "conda unsets its dev-mode variables on every activation; we leave them alone",
    "_CE_CONDA": "conda unsets its dev-mode variables on every activation; we leave them alone",
    "PS1": "we set the prompt only when the shell has one; conda always sets PS1",
    "condabin": "conda adds ROOT/condabin even when it does not exist; we add it when it does",
    "__CONDA_SHLVL_": "conda's backups of overwritten variables; ours are in our bookkeeping",
    "switch": "switching environments unsets the previous one's variables (conda #11726)",
}


@dataclass
class Change:
    """One side's change, normalized: PATH entries, variables, scripts."""

    path: list[str] | None = None
    export: dict[str, str] = field(default_factory=dict)
    unset: set[str] = field(default_factory=set)
    set: dict[str, str] = field(default_factory=dict)
    activate: list[str] = field(default_factory=list)
    deactivate: list[str] = field(default_factory=list)

    @classmethod
    def from_json(cls, text: str) -> Change:
        raw = json.loads(text)
        path = raw.get("path")
        if isinstance(path, dict):  # conda: {"PATH": [...]}
            path = path.get("PATH")
        variables = raw.get("vars", {})
        return cls(
            path=list(path) if path is not None else None,
            export={k: str(v) for k, v in variables.get("export", {}).items()},
            unset=set(variables.get("unset", [])),
            set={k: str(v) for k, v in variables.get("set", {}).items()},
            activate=list(raw.get("scripts", {}).get("activate", [])),
            deactivate=list(raw.get("scripts", {}).get("deactivate", [])),
        )

    def applied(self, environ: Mapping[str, str]) -> dict[str, str]:
        """The environment after this change (conda's ``unset`` exports an empty value)."""
        after = {k: v for k, v in environ.items() if k not in self.unset}
        after.update(self.export)
        if self.path is not None:
            after["PATH"] = ":".join(self.path)
        return after


def _run(argv: Sequence[str], environ: Mapping[str, str]) -> str:
    proc = subprocess.run(
        list(argv),
        capture_output=True,
        text=True,
        env=dict(environ),
        timeout=TIMEOUT,
        check=False,
    )
    if proc.returncode != 0:
        raise AssertionError(f"{' '.join(argv)} exited {proc.returncode}: {proc.stderr}")
    return proc.stdout


def conda_change(
    conda_exe: str, shell: str, command: str, args: Sequence[str], environ: Mapping[str, str]
) -> Change:
    """``conda shell.<shell>+json COMMAND ARGS`` (shell: posix or fish)."""
    return Change.from_json(_run([conda_exe, f"shell.{shell}+json", command, *args], environ))


def our_change(
    conda_shell: str, plugin: str, command: str, args: Sequence[str], environ: Mapping[str, str]
) -> Change:
    """``conda-shell COMMAND --json --shell PLUGIN ARGS``."""
    argv = [conda_shell, command, "--json", "--shell", plugin, *args]
    return Change.from_json(_run(argv, environ))


def _deliberate(name: str) -> str | None:
    for key, reason in DELIBERATE.items():
        if name == key or (key.endswith("_") and name.startswith(key)):
            return reason
    return None


def differences(
    before: Mapping[str, str], ours: Change, theirs: Change
) -> tuple[list[str], list[str]]:
    """``(differences, deliberate)``: every way the two resulting environments differ."""
    mine, conda = ours.applied(before), theirs.applied(before)
    found: list[str] = []
    chosen: list[str] = []
    for name in sorted(set(mine) | set(conda)):
        left, right = mine.get(name), conda.get(name)
        if name == "PATH" or left == right:
            continue
        if right == "" and left is None and name in theirs.unset:
            chosen.append(f"{name}: conda exports '' to unset it; we unset it")
            continue
        reason = _deliberate(name)
        if left is None and right == before.get(name) and name not in theirs.export:
            reason = DELIBERATE["switch"]  # conda left the old value untouched, we unset it
        line = f"{name}: ours {left!r}, conda {right!r}"
        (chosen if reason else found).append(f"{line} ({reason})" if reason else line)
    my_path, conda_path = mine.get("PATH", "").split(":"), conda.get("PATH", "").split(":")
    if my_path != conda_path:
        extra = [p for p in conda_path if p not in my_path]
        if extra and all(p.endswith("/condabin") for p in extra):
            chosen.append(f"PATH: conda adds {extra} ({DELIBERATE['condabin']})")
            conda_path = [p for p in conda_path if p not in extra]
        if my_path != conda_path:
            found.append(f"PATH: ours {my_path}, conda {conda_path}")
    for kind in ("activate", "deactivate"):
        left_scripts, right_scripts = getattr(ours, kind), getattr(theirs, kind)
        if left_scripts != right_scripts:
            found.append(f"{kind}.d scripts: ours {left_scripts}, conda {right_scripts}")
    for name in sorted(set(ours.set) | set(theirs.set)):
        if ours.set.get(name) != theirs.set.get(name):
            reason = _deliberate(name)
            line = f"shell variable {name}: ours {ours.set.get(name)!r}, conda "
            line += repr(theirs.set.get(name))
            (chosen if reason else found).append(f"{line} ({reason})" if reason else line)
    return found, chosen
