"""The conformance kit's hostile prefixes and values, activated by real conda 26.7.1 and by us
in the same real shell, counted per side (for the shell plugins' READMEs and closing notes).

The cases: every kit hostile text as an environment name (so in the prefix) and as a value,
and every companion value alone. A case *holds* when activation exits 0, runs no command
hidden in a name or value, and leaves ``CONDA_PREFIX``, the first PATH entry and every
env_vars.d value exact. For our side, a prefix or value the plugin refuses with a clear
error (``ShellDriver.refuses_prefix`` and ``refuses_value``) also holds: it sets nothing.
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from plugin_contract.testing.shell import (
    HOSTILE,
    HOSTILE_COMPANIONS,
    HOSTILE_IDS,
    TIMEOUT,
    ShellWorld,
    read_env,
)
from testharness.conda import RealConda


@dataclass(frozen=True)
class HostileCase:
    name: str
    prefix: Path
    values: dict[str, str]


@dataclass(frozen=True)
class Tally:
    """How many of ``total`` cases held on one side, and a line for each that did not."""

    side: str
    total: int
    failures: list[str]

    @property
    def held(self) -> int:
        return self.total - len(self.failures)

    def report(self) -> list[str]:
        lines = [f"{self.side}: {self.held} of {self.total} hostile cases held"]
        return lines + [f"  {self.side}: {line}" for line in self.failures]


#: ``lines(prefix)``: the shell lines that activate ``prefix`` (before the environment dump).
Activation = Callable[[Path], Sequence[str]]


def hostile_cases(world: ShellWorld) -> list[HostileCase]:
    """The kit's texts: each hostile one as an environment name and as a value, then each
    companion value (multi-line, ``-n``, empty) alone in a plain environment."""
    cases = []
    for name, raw in zip(HOSTILE_IDS, HOSTILE, strict=True):
        text = world.hostile(raw)
        cases.append(
            HostileCase(
                name, world.make_env(f"h-{text}", env_vars={"HOSTILE": text}), {"HOSTILE": text}
            )
        )
    for index, (variable, value) in enumerate(HOSTILE_COMPANIONS.items()):
        values = {variable: value}
        prefix = world.make_env(f"value-{index}", env_vars=values)
        cases.append(HostileCase(f"value {value!r}", prefix, values))
    return cases


def tally(side: str, world: ShellWorld, cases: Sequence[HostileCase], lines: Activation) -> Tally:
    """Activate every case with ``lines`` in ``world``'s shell and check what held."""
    failures = []
    for case in cases:
        problem = _problem(side, world, case, lines)
        if world.canary.exists():
            world.canary.unlink()
            problem = "a hostile text ran a command"
        if problem:
            failures.append(f"{case.name}: {problem}")
    return Tally(side, len(cases), failures)


def ours(world: ShellWorld) -> Activation:
    """Our activation: the ``conda_shell`` function of our hook (as the kit uses it)."""
    return lambda prefix: [world.activate(prefix)]


def conda_lines(conda: RealConda, shell: str, world: ShellWorld, run: str) -> Activation:
    """Real conda's activation: ``conda shell.SHELL activate PREFIX``'s text in a file, run
    by ``run`` as conda's own shell wrapper runs it (a format string with ``{file}``, the file
    as a shell word, or ``{path}``, as a Python literal)."""

    def lines(prefix: Path) -> list[str]:
        proc = subprocess.run(
            [str(conda.exe), f"shell.{shell}", "activate", str(prefix)],
            capture_output=True,
            text=True,
            env=conda.env(),
            timeout=TIMEOUT,
            check=False,
        )
        if proc.returncode != 0:
            error = proc.stderr.strip().splitlines()[-1:] or ["(no message)"]
            raise CaseFailedError(f"conda shell.{shell} exited {proc.returncode}: {error[0]}")
        script = world.root / f"conda-activate-{abs(hash(str(prefix)))}.txt"
        script.write_text(proc.stdout, encoding="utf-8")
        return [run.format(file=world.quote(script), path=repr(str(script)))]

    return lines


class CaseFailedError(Exception):
    """Activation could not even be produced for a case (the message says why)."""


def _problem(side: str, world: ShellWorld, case: HostileCase, lines: Activation) -> str:
    refused = side == "ours" and world.driver.refuses_prefix(str(case.prefix))
    try:
        activation = list(lines(case.prefix))
    except CaseFailedError as error:
        return str(error)
    command, dump = world.dump()
    proc = world.run([*activation, command])
    if refused:
        clear = proc.returncode != 0 and len(proc.stderr.strip().splitlines()) == 1
        return "" if clear and "Traceback" not in proc.stderr else f"unclear refusal: {proc}"
    if proc.returncode != 0:
        last = proc.stderr.strip().splitlines()[-1:] or ["(no message)"]
        return f"exit {proc.returncode}: {last[0][:160]}"
    if not dump.exists():
        return "the shell stopped before the environment dump"
    active = read_env(dump)
    wrong = []
    if active.get("CONDA_PREFIX") != str(case.prefix):
        wrong.append(f"CONDA_PREFIX={active.get('CONDA_PREFIX')!r}")
    first = active.get("PATH", "").split(":")[0]
    if first != str(case.prefix / "bin"):
        wrong.append(f"PATH[0]={first!r}")
    for name, value in case.values.items():
        if side == "ours" and world.driver.refuses_value(value):
            if name in active:
                wrong.append(f"{name} set although refused")
        elif active.get(name) != value:
            wrong.append(f"{name}={active.get(name)!r} (wanted {value!r})")
    return "; ".join(wrong)
