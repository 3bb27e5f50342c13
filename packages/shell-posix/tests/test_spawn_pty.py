"""Spawn mode as a person runs it: ``conda-shell activate ENV`` typed in a real interactive
bash on a pty starts bash with the user's ``.bashrc`` (its alias and its EXIT trap kept), a
nested spawn stacks, and ``exit N`` comes back with N. Without a terminal (a script) the
default spawn refuses with one line instead of starting an interactive shell."""

from __future__ import annotations

import subprocess
from pathlib import Path

from plugin_contract.testing.pty_run import PtySession
from plugin_contract.testing.shell import conda_shell_program
from testharness import require_tool


def _environ(home: Path, program: str) -> dict[str, str]:
    return {
        "HOME": str(home),
        "SHELL": "/bin/bash",
        "PATH": f"{Path(program).parent}:/usr/bin:/bin",
        "TERM": "xterm",
        "LANG": "C.UTF-8",
        "PLUGIN_CONTRACT_CACHE_DIR": str(home / "cache"),
    }


def test_spawn_without_a_terminal_refuses_with_one_line(tmp_path: Path) -> None:
    program = conda_shell_program()
    prefix = tmp_path / "env"
    (prefix / "conda-meta").mkdir(parents=True)
    (tmp_path / ".bashrc").write_text(f"touch {tmp_path / 'rc-ran'}\n")
    proc = subprocess.run(
        ["bash", "-c", f"{program} activate --shell bash '{prefix}'; echo status=$?"],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        env=_environ(tmp_path, program),
        timeout=60,
        check=False,
    )
    assert proc.stdout.strip() == "status=2", proc.stdout
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert "not a terminal" in lines[0]
    assert "--eval" in lines[0]
    assert not (tmp_path / "rc-ran").exists(), "an interactive shell was started"


def test_spawn_on_a_pty_keeps_rc_alias_and_trap_nests_and_returns_the_exit_code(
    tmp_path: Path,
) -> None:
    require_tool("bash", "apt-get install -y bash")
    program = conda_shell_program()
    outer, inner = tmp_path / "outer", tmp_path / "inner"
    for prefix in (outer, inner):
        (prefix / "conda-meta").mkdir(parents=True)
    trap_log = tmp_path / "trap.log"
    (tmp_path / ".bashrc").write_text(
        f"alias hello='echo HEL\"\"LO-ALIAS'\ntrap 'echo user-trap >> {trap_log}' EXIT\nPS1='$ '\n"
    )
    with PtySession(
        ["bash", "--norc", "--noprofile", "-i"], env=_environ(tmp_path, program)
    ) as shell:
        shell.send("PS1='top$ '\n")
        shell.send(f"{program} activate '{outer}'\n")
        shell.send('echo "LEVEL=$CONDA_SHLVL"; hello\n')
        shell.expect("LEVEL=1")
        shell.expect("HELLO-ALIAS")
        shell.send(f"conda-shell activate --spawn --stack '{inner}'\n")
        shell.send('echo "NESTED=$CONDA_SHLVL:$CONDA_PREFIX"\n')
        shell.expect(f"NESTED=2:{inner}")
        shell.send("exit 4\n")
        shell.send('echo "BACK=$?:$CONDA_SHLVL"\n')
        shell.expect("BACK=4:1")
        shell.send("exit 3\n")
        shell.send('echo "TOP=$?"\n')
        shell.expect("TOP=3")
        shell.send("exit 0\n")
        shell.wait()
    assert trap_log.read_text().splitlines() == ["user-trap", "user-trap"]
