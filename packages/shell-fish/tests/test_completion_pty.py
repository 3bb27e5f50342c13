"""Tab completion installed by the hook line, in a real interactive fish on a pty, as a
person types: commands, options, environment names (from envs_dirs) and folders."""

from __future__ import annotations

import subprocess
from pathlib import Path

from plugin_contract.testing.pty_run import PtySession
from plugin_contract.testing.shell import conda_shell_program
from testharness import require_tool

TYPED = [
    ("conda-shell act\t", "conda-shell activate"),
    ("conda-shell activate my\t", "conda-shell activate myenv"),
    ("conda-shell activate --no-s\t", "conda-shell activate --no-stack"),
    ("conda-shell activate ./sub\t", "conda-shell activate ./subdir/"),
    ("conda_shell deact\t", "conda_shell deactivate"),
    ("conda-shell activate --shell fi\t", "conda-shell activate --shell fish"),
]


def test_tab_completes_commands_options_envs_and_folders(tmp_path: Path) -> None:
    require_tool("fish", "apt-get install -y fish")
    conda_shell = conda_shell_program()
    envs = tmp_path / "envs"
    (envs / "myenv" / "conda-meta").mkdir(parents=True)
    (tmp_path / "subdir" / "inner").mkdir(parents=True)
    (tmp_path / ".condarc").write_text(f"envs_dirs: [{envs}]\n")
    hook = subprocess.run(
        [conda_shell, "hook", "--shell", "fish"], capture_output=True, text=True, timeout=60
    ).stdout
    (tmp_path / "fish").mkdir()
    (tmp_path / "fish" / "config.fish").write_text(f"{hook}\necho READY\n")
    env = {
        "HOME": str(tmp_path),
        "XDG_CONFIG_HOME": str(tmp_path),
        "PATH": f"{Path(conda_shell).parent}:/usr/bin:/bin",
        "TERM": "xterm",
        "LANG": "C.UTF-8",
        "PLUGIN_CONTRACT_CACHE_DIR": str(tmp_path / "cache"),
    }
    with PtySession(["fish", "-i"], env=env, cwd=str(tmp_path)) as shell:
        shell.expect("READY")
        for typed, wanted in TYPED:
            assert shell.complete(typed) == wanted, (typed, shell.transcript[-2000:])
        shell.send("exit\r")
        shell.wait()
