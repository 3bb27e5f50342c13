"""Spawn mode as a person runs it: ``conda-shell activate ENV`` typed in a real interactive
bash or zsh on a pty starts that shell with the user's ``.bashrc`` or ``.zshrc`` (its alias,
its EXIT trap and zsh's ``zshexit`` kept), a nested spawn stacks, and ``exit N`` comes back
with N. Without a terminal (a script) the default spawn refuses with one line instead of
starting an interactive shell."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from plugin_contract.testing.pty_run import PtySession
from plugin_contract.testing.shell import conda_shell_program
from testharness import require_tool


def _environ(home: Path, program: str, shell: str = "bash") -> dict[str, str]:
    return {
        "HOME": str(home),
        "SHELL": f"/bin/{shell}",
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


READY = "RDY> "  # the prompt every shell here shows; a line is typed only once it is shown

RC_FILES = {
    "bash": (
        ".bashrc",
        "alias hello='echo HEL\"\"LO-ALIAS'\n"
        "trap 'echo user-trap >> {log}' EXIT\n"
        f"PS1='{READY}'\n",
    ),
    "zsh": (
        ".zshrc",
        "alias hello='echo HEL\"\"LO-ALIAS'\n"
        "trap 'echo user-trap >> {log}' EXIT\n"
        "zshexit() {{ echo user-zshexit >> {log}; }}\n"
        f"PS1='{READY}'\n",
    ),
}
EXIT_LINES = {"bash": ["user-trap"], "zsh": ["user-trap", "user-zshexit"]}


def _type(shell: PtySession, line: str) -> None:
    shell.expect(READY)
    shell.send(line + "\n")


@pytest.mark.parametrize("name", ["bash", "zsh"])
def test_spawn_on_a_pty_keeps_rc_alias_and_trap_nests_and_returns_the_exit_code(
    name: str, tmp_path: Path
) -> None:
    require_tool(name, f"apt-get install -y {name}")
    program = conda_shell_program()
    outer, inner = tmp_path / "outer", tmp_path / "inner"
    for prefix in (outer, inner):
        (prefix / "conda-meta").mkdir(parents=True)
    trap_log = tmp_path / "trap.log"
    rc_name, rc_text = RC_FILES[name]
    (tmp_path / rc_name).write_text(rc_text.format(log=trap_log))
    top = ["bash", "--norc", "--noprofile", "-i"] if name == "bash" else ["zsh", "-f", "-i"]
    env = _environ(tmp_path, program, shell=name) | {"PS1": READY}
    with PtySession(top, env=env) as shell:
        _type(shell, f"{program} activate '{outer}'")
        _type(shell, 'echo "LEVEL=$CONDA_SHLVL"; hello')
        shell.expect("LEVEL=1")
        shell.expect("HELLO-ALIAS")
        _type(shell, f"conda-shell activate --spawn --stack '{inner}'")
        _type(shell, 'echo "NESTED=$CONDA_SHLVL:$CONDA_PREFIX"')
        shell.expect(f"NESTED=2:{inner}")
        _type(shell, "exit 4")
        _type(shell, 'echo "BACK=$?:$CONDA_SHLVL"')
        shell.expect("BACK=4:1")
        _type(shell, "exit 3")
        _type(shell, 'echo "TOP=$?"')
        shell.expect("TOP=3")
        _type(shell, "exit 0")
        shell.wait()
    assert trap_log.read_text().splitlines() == EXIT_LINES[name] * 2


LOST = "the environment is not active here"


@pytest.mark.parametrize(("spawned", "replacement"), [("bash", "zsh"), ("zsh", "bash")])
def test_an_rc_file_that_execs_another_shell_warns_the_activation_is_lost(
    spawned: str, replacement: str, tmp_path: Path
) -> None:
    """``exec zsh`` in ``.bashrc`` replaces the spawned shell before its activation runs: the
    hook line in the new shell's rc says so in one line, the private folder is gone, and
    activating again there works (no stale "already spawned")."""
    for name in (spawned, replacement):
        require_tool(name, f"apt-get install -y {name}")
    program = conda_shell_program()
    prefix = tmp_path / "env"
    (prefix / "conda-meta").mkdir(parents=True)
    rc = {"bash": tmp_path / ".bashrc", "zsh": tmp_path / ".zshrc"}
    rc[spawned].write_text(f"exec {replacement}\n")
    rc[replacement].write_text(f"eval \"$({program} hook --shell posix)\"\nPS1='{READY}'\n")
    runtime = tmp_path / "run"
    runtime.mkdir(mode=0o700)
    env = _environ(tmp_path, program, shell=spawned) | {
        "PS1": READY,
        "XDG_RUNTIME_DIR": str(runtime),
    }
    with PtySession(["bash", "--norc", "--noprofile", "-i"], env=env) as shell:
        _type(shell, f"{program} activate --shell posix '{prefix}'")
        started = shell.expect(READY)
        shell.send(
            'echo "LOST=${CONDA_SHLVL:-none}:${__CONDA_SHELL_SPAWNING:-gone}:'
            '${CONDA_SHELL_SPAWN:-none}"\n'
        )
        shell.expect("LOST=none:gone:none")
        _type(shell, f"conda-shell activate '{prefix}'")
        _type(shell, 'echo "AGAIN=$CONDA_SHLVL"')
        shell.expect("AGAIN=1")
        _type(shell, "exit 5")
        _type(shell, 'echo "TOP=$?"')
        shell.expect("TOP=5")
        _type(shell, "exit 0")
        shell.wait()
    warnings = [line for line in started.splitlines() if "conda-shell: warning:" in line]
    assert len(warnings) == 1, started
    assert LOST in warnings[0]
    assert "exec" in warnings[0]
    assert str(prefix) in warnings[0]
    assert list(runtime.glob("conda-shell-*")) == [], "the spawn's private folder was left behind"
