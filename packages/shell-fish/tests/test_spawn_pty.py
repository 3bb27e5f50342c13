"""Spawn mode as a fish user runs it: ``conda-shell activate ENV`` typed in a real
interactive fish on a pty starts fish with the user's ``config.fish`` (its alias, function and
``fish_exit`` handler kept), a nested spawn stacks, and ``exit N`` comes back with N; a
spawn that a start-up file replaced with ``exec fish`` says its activation is lost."""

from __future__ import annotations

import subprocess
from pathlib import Path

from plugin_contract.testing.pty_run import PtySession
from plugin_contract.testing.shell import conda_shell_program
from testharness import require_tool

READY = "RDY> "  # the user's prompt; a line is typed only once it is shown


def _type(shell: PtySession, line: str) -> None:
    shell.expect(READY)
    shell.send(line + "\n")


def _environ(home: Path, program: str, shell: str) -> dict[str, str]:
    return {
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home),
        "SHELL": shell,
        "PATH": f"{Path(program).parent}:/usr/bin:/bin",
        "TERM": "dumb",
        "LANG": "C.UTF-8",
        "PLUGIN_CONTRACT_CACHE_DIR": str(home / "cache"),
    }


def test_spawn_on_a_pty_keeps_config_alias_function_and_exit_handler(tmp_path: Path) -> None:
    require_tool("fish", "apt-get install -y fish")
    program = conda_shell_program()
    outer, inner = tmp_path / "outer", tmp_path / "inner"
    for prefix in (outer, inner):
        (prefix / "conda-meta").mkdir(parents=True)
    exit_log = tmp_path / "exit.log"
    config = tmp_path / "fish"
    config.mkdir()
    (config / "config.fish").write_text(
        "alias hello 'echo HEL\"\"LO-ALIAS'\n"
        'function greet; echo GREET""-FUNCTION; end\n'
        f"function user_exit --on-event fish_exit; echo user-exit >> {exit_log}; end\n"
        f"function fish_prompt; printf '{READY}'; end\n"
    )
    env = _environ(tmp_path, program, "/usr/bin/fish")
    with PtySession(["fish", "-i"], env=env, cwd=str(tmp_path)) as shell:
        _type(shell, f"{program} activate '{outer}'")
        shell.expect(f"({outer}) {READY}")
        shell.send('echo "LEVEL=$CONDA_SHLVL"; hello; greet\n')
        shell.expect("LEVEL=1")
        shell.expect("HELLO-ALIAS")
        shell.expect("GREET-FUNCTION")
        _type(shell, f"conda-shell activate --spawn --stack '{inner}'")
        _type(shell, 'echo "NESTED=$CONDA_SHLVL:$CONDA_PREFIX"')
        shell.expect(f"NESTED=2:{inner}")
        _type(shell, "exit 4")
        _type(shell, 'echo "BACK=$status:$CONDA_SHLVL"')
        shell.expect("BACK=4:1")
        _type(shell, "exit 3")
        _type(shell, 'echo "TOP=$status"')
        shell.expect("TOP=3")
        _type(shell, "exit 0")
        assert shell.wait() == 0
    # the top fish, the spawned one and the nested one each ran the user's handler once
    assert exit_log.read_text().splitlines() == ["user-exit"] * 3


def test_a_bashrc_that_execs_fish_warns_the_activation_is_lost(tmp_path: Path) -> None:
    """``exec fish`` in ``.bashrc`` replaces the spawned bash before its activation runs: the
    hook in config.fish says so in one line at the first prompt, the private folder is
    gone, and activating again there works (no stale "already spawned")."""
    for name in ("fish", "bash"):
        require_tool(name, f"apt-get install -y {name}")
    program = conda_shell_program()
    prefix = tmp_path / "env"
    (prefix / "conda-meta").mkdir(parents=True)
    (tmp_path / ".bashrc").write_text("exec fish\n")
    hook = subprocess.run(
        [program, "hook", "--shell", "fish"], capture_output=True, text=True, timeout=60
    ).stdout
    (tmp_path / "fish").mkdir()
    (tmp_path / "fish" / "config.fish").write_text(
        f"{hook}\nfunction fish_prompt; printf '{READY}'; end\n"
    )
    runtime = tmp_path / "run"
    runtime.mkdir(mode=0o700)
    env = _environ(tmp_path, program, "/bin/bash") | {
        "PS1": READY,
        "XDG_RUNTIME_DIR": str(runtime),
    }
    with PtySession(["bash", "--norc", "--noprofile", "-i"], env=env) as shell:
        _type(shell, f"{program} activate --shell posix '{prefix}'")
        started = shell.expect(READY)
        shell.send('echo "LOST=$CONDA_SHLVL:$__CONDA_SHELL_SPAWNING:$CONDA_SHELL_SPAWN:"\n')
        shell.expect("LOST=:::")
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
    assert "not active here" in warnings[0]
    assert str(prefix) in warnings[0]
    assert list(runtime.glob("conda-shell-*")) == [], "the spawn's private folder was left behind"


def test_a_config_fish_that_execs_bash_warns_and_leaves_nothing_behind(tmp_path: Path) -> None:
    """The other way round: ``exec bash`` in config.fish, before fish's activation ran."""
    for name in ("fish", "bash"):
        require_tool(name, f"apt-get install -y {name}")
    program = conda_shell_program()
    prefix = tmp_path / "env"
    (prefix / "conda-meta").mkdir(parents=True)
    (tmp_path / "fish").mkdir()
    (tmp_path / "fish" / "config.fish").write_text("exec bash\n")
    (tmp_path / ".bashrc").write_text(f"eval \"$({program} hook --shell posix)\"\nPS1='{READY}'\n")
    runtime = tmp_path / "run"
    runtime.mkdir(mode=0o700)
    env = _environ(tmp_path, program, "/usr/bin/fish") | {
        "PS1": READY,
        "XDG_RUNTIME_DIR": str(runtime),
    }
    with PtySession(["bash", "--norc", "--noprofile", "-i"], env=env) as shell:
        _type(shell, f"{program} activate --shell fish '{prefix}'")
        started = shell.expect(READY)
        shell.send('echo "LOST=${CONDA_SHLVL:-none}:${CONDA_SHELL_SPAWN:-none}"\n')
        shell.expect("LOST=none:none")
        _type(shell, "exit 6")
        _type(shell, 'echo "TOP=$?"')
        shell.expect("TOP=6")
        _type(shell, "exit 0")
        shell.wait()
    warnings = [line for line in started.splitlines() if "conda-shell: warning:" in line]
    assert len(warnings) == 1, started
    assert list(runtime.glob("conda-shell-*")) == [], "the spawn's private folder was left behind"
