"""fish's prompt in a real interactive fish on a pty shows ``(env) `` whether the hook line
comes before or after the user's own ``fish_prompt`` function in config.fish."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from plugin_contract.testing.pty_run import PtySession
from plugin_contract.testing.shell import conda_shell_program
from testharness import require_tool

USER_PROMPT = "function fish_prompt; printf 'USER> '; end"


@pytest.mark.parametrize("hook_first", [True, False], ids=["hook-first", "prompt-first"])
def test_prompt_shows_the_env_with_the_users_prompt(hook_first: bool, tmp_path: Path) -> None:
    require_tool("fish", "apt-get install -y fish")
    program = conda_shell_program()
    prefix = tmp_path / "fenv"
    (prefix / "conda-meta").mkdir(parents=True)
    hook = subprocess.run(
        [program, "hook", "--shell", "fish"], capture_output=True, text=True, timeout=60
    ).stdout
    lines = [hook, USER_PROMPT] if hook_first else [USER_PROMPT, hook]
    (tmp_path / "fish").mkdir()
    (tmp_path / "fish" / "config.fish").write_text("\n".join(lines) + "\n")
    env = {
        "HOME": str(tmp_path),
        "XDG_CONFIG_HOME": str(tmp_path),
        "PATH": f"{Path(program).parent}:/usr/bin:/bin",
        "TERM": "dumb",
        "LANG": "C.UTF-8",
        "PLUGIN_CONTRACT_CACHE_DIR": str(tmp_path / "cache"),
    }
    with PtySession(["fish", "-i"], env=env, cwd=str(tmp_path)) as shell:
        shell.expect("USER> ")
        shell.send(f"conda-shell activate '{prefix}'\necho ONE\n")
        shell.expect("ONE")
        shell.expect("ONE")
        shell.send("conda-shell deactivate\necho TWO\n")
        activated = shell.expect("TWO")
        shell.expect("TWO")
        shell.send("echo THREE\n")
        deactivated = shell.expect("THREE")
        shell.send("exit\n")
        shell.wait()
    assert f"({prefix}) USER> " in activated, activated
    assert "USER> " in deactivated
    assert f"({prefix})" not in deactivated, deactivated
