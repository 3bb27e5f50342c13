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
BRACKETED_PASTE_OFF = "\x1b[?2004l"
BRACKETED_PASTE_ON = "\x1b[?2004h"


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
        activated = next_prompt(shell, f"conda-shell activate '{prefix}'")
        deactivated = next_prompt(shell, "conda-shell deactivate")
        shell.send("exit\n")
        shell.wait()
    assert activated == f"({prefix}) ", activated
    assert deactivated == "", deactivated


def next_prompt(shell: PtySession, line: str) -> str:
    """Type ``line`` at a shown prompt; the text of the prompt fish shows after it runs.

    fish redraws the whole line (prompt included) at each key and echoes type-ahead, so the
    prompt is found by fish's bracketed-paste switches: off when the line runs, on when fish
    reads the next one, then a carriage return and the prompt."""
    shell.send(line + "\n")
    shell.expect(BRACKETED_PASTE_OFF)
    shell.expect(BRACKETED_PASTE_ON)
    return shell.expect("USER> ").rsplit("\r", 1)[-1]
