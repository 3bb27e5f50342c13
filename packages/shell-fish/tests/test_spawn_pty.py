"""Spawn mode as a fish user runs it: ``conda-shell activate ENV`` typed in a real
interactive fish on a pty starts fish with the user's ``config.fish`` (its alias, function and
``fish_exit`` handler kept), a nested spawn stacks, and ``exit N`` comes back with N."""

from __future__ import annotations

from pathlib import Path

from plugin_contract.testing.pty_run import PtySession
from plugin_contract.testing.shell import conda_shell_program
from testharness import require_tool

READY = "RDY> "  # the user's prompt; a line is typed only once it is shown


def _type(shell: PtySession, line: str) -> None:
    shell.expect(READY)
    shell.send(line + "\n")


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
        "function greet; echo GREET\"\"-FUNCTION; end\n"
        f"function user_exit --on-event fish_exit; echo user-exit >> {exit_log}; end\n"
        f"function fish_prompt; printf '{READY}'; end\n"
    )
    env = {
        "HOME": str(tmp_path),
        "XDG_CONFIG_HOME": str(tmp_path),
        "SHELL": "/usr/bin/fish",
        "PATH": f"{Path(program).parent}:/usr/bin:/bin",
        "TERM": "dumb",
        "LANG": "C.UTF-8",
        "PLUGIN_CONTRACT_CACHE_DIR": str(tmp_path / "cache"),
    }
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
