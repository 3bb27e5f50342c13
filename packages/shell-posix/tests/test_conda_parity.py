"""Parity with real conda 26.7.1: activate, stack, deactivate, reactivate on the same
prefixes, through ``conda shell.posix+json`` and ``shell.fish+json`` and our ``--json``.

Every difference is printed (``pytest -s`` or the failure report); deliberate ones are those
listed in :data:`plugin_contract.testing.conda_parity.DELIBERATE` and the READMEs.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from plugin_contract.testing.conda_parity import conda_change, differences, our_change
from testharness.conda import RealConda
from testharness.plugin import RealCondaFactory

pytestmark = pytest.mark.slow


def _env(conda: RealConda, name: str, variables: dict[str, str]) -> Path:
    prefix = conda.prefix / "envs" / name
    (prefix / "conda-meta").mkdir(parents=True, exist_ok=True)
    (prefix / "conda-meta" / "history").touch()
    (prefix / "bin").mkdir(exist_ok=True)
    for kind, ext in (("activate", ".sh"), ("deactivate", ".sh"), ("activate", ".fish")):
        folder = prefix / "etc" / "conda" / f"{kind}.d"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{name}{ext}").write_text("true\n")
    folder = prefix / "etc" / "conda" / "env_vars.d"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "vars.json").write_text(json.dumps(variables))
    return prefix


STEPS = [
    ("activate", ["{a}"]),
    ("activate", ["--stack", "{b}"]),
    ("deactivate", []),
    ("reactivate", []),
    ("activate", ["{b}"]),
    ("deactivate", []),
    ("deactivate", []),
]


@pytest.mark.parametrize("shell", ["posix", "fish"])
def test_parity_with_conda(
    real_conda_factory: RealCondaFactory, shell: str, capsys: pytest.CaptureFixture[str]
) -> None:
    conda = real_conda_factory("shell-posix", "shell-fish")
    conda.write_condarc("")
    a = _env(conda, "aenv", {"A_VAR": "a", "SHARED": "from a"})
    b = _env(conda, "benv", {"B_VAR": "b", "SHARED": "from b"})
    environ = conda.env({"PS1": "$ "})
    program = str(conda.prefix / "bin" / "conda-shell")
    report: list[str] = []
    unexplained: list[str] = []
    for command, raw in STEPS:
        args = [item.format(a=a, b=b) for item in raw]
        theirs = conda_change(str(conda.exe), shell, command, args, environ)
        ours = our_change(program, shell, command, args, environ)
        found, chosen = differences(environ, ours, theirs)
        step = " ".join([command, *raw])
        report += [f"[{shell}] {step}: {line}" for line in found]
        report += [f"[{shell}] {step}: deliberate: {line}" for line in chosen]
        unexplained += [f"{step}: {line}" for line in found]
        environ = theirs.applied(environ)
    with capsys.disabled():
        print("\n" + "\n".join(report))
    assert not unexplained, "\n".join(unexplained)


@pytest.mark.parametrize("shell", ["posix", "fish"])
def test_parity_with_conda_for_changeps1_false_and_envs_dirs_by_name(
    real_conda_factory: RealCondaFactory, shell: str, tmp_path: Path
) -> None:
    """``changeps1: false`` and ``envs_dirs: [a, b]`` (flow style), read by our one condarc
    reader: activating by a name found in the second folder matches conda, prompt untouched."""
    conda = real_conda_factory("shell-posix", "shell-fish")
    first, second = tmp_path / "first", tmp_path / "second"
    first.mkdir()
    conda.write_condarc(f"changeps1: false\nenvs_dirs: [{first}, {second}]\n")
    prefix = second / "named"
    (prefix / "conda-meta").mkdir(parents=True)
    (prefix / "conda-meta" / "history").touch()
    (prefix / "bin").mkdir()
    environ = conda.env({"PS1": "$ "})
    program = str(conda.prefix / "bin" / "conda-shell")
    unexplained: list[str] = []
    for command, args in (("activate", ["named"]), ("deactivate", [])):
        theirs = conda_change(str(conda.exe), shell, command, args, environ)
        ours = our_change(program, shell, command, args, environ)
        if command == "activate":
            assert ours.export.get("CONDA_PREFIX") == str(prefix)
            assert ours.export.get("CONDA_PROMPT_MODIFIER", "") == ""
            assert "PS1" not in ours.set
        found, _ = differences(environ, ours, theirs)
        unexplained += [f"{command}: {line}" for line in found]
        environ = theirs.applied(environ)
    assert not unexplained, "\n".join(unexplained)
