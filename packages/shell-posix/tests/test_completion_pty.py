"""Tab completion installed by the hook line, in real interactive bash and zsh on a pty, as a
person types: commands, options, environment names (from envs_dirs) and folders. zsh's
``compinit`` runs after the hook line, as in most ``.zshrc`` files."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from plugin_contract.testing.pty_run import PtySession
from plugin_contract.testing.shell import conda_shell_program
from testharness import require_tool

TYPED = [
    ("conda-shell act\t", ["conda-shell activate"]),
    ("conda-shell activate my\t", ["conda-shell activate myenv"]),
    ("conda-shell activate --no-s\t", ["conda-shell activate --no-stack"]),
    (
        "conda-shell activate ./sub\t",
        ["conda-shell activate ./subdir/", "conda-shell activate ./subdir"],
    ),
    ("conda_shell deact\t", ["conda_shell deactivate"]),
    ("conda-shell activate --shell fi\t", ["conda-shell activate --shell fish"]),
]


@pytest.mark.parametrize("program", ["bash", "zsh"])
def test_tab_completes_commands_options_envs_and_folders(program: str, tmp_path: Path) -> None:
    require_tool(program, f"apt-get install -y {program}")
    conda_shell = conda_shell_program()
    envs = tmp_path / "envs"
    (envs / "myenv" / "conda-meta").mkdir(parents=True)
    (tmp_path / "subdir" / "inner").mkdir(parents=True)
    (tmp_path / ".condarc").write_text(f"envs_dirs: [{envs}]\n")
    hook = subprocess.run(
        [conda_shell, "hook", "--shell", "posix"], capture_output=True, text=True, timeout=60
    ).stdout
    compinit = "autoload -Uz compinit && compinit -u\n" if program == "zsh" else ""
    rc = tmp_path / ".zshrc"
    rc.write_text(f"{hook}\n{compinit}PS1='$ '\necho READY\n")
    argv = {"bash": ["bash", "--noprofile", "--rcfile", str(rc), "-i"], "zsh": ["zsh", "-i"]}
    env = {
        "HOME": str(tmp_path),
        "ZDOTDIR": str(tmp_path),
        "PATH": f"{Path(conda_shell).parent}:/usr/bin:/bin",
        "TERM": "xterm",
        "LANG": "C.UTF-8",
        "PLUGIN_CONTRACT_CACHE_DIR": str(tmp_path / "cache"),
    }
    with PtySession(argv[program], env=env, cwd=str(tmp_path)) as shell:
        shell.expect("READY")
        for typed, wanted in TYPED:
            assert shell.complete(typed) in wanted, (typed, shell.transcript[-2000:])
        shell.send("exit\r")
        shell.wait()
