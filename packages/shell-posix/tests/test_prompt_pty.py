"""The prompt a person sees, in real interactive shells on a pty: an environment name with
``%``, ``\\`` and ``$(...)`` is shown as it is (zsh with PROMPT_SUBST reads no ``%`` code in
it, busybox keeps the ``\\``, bash with ``promptvars`` off shows the name, not a variable
reference), runs nothing, and deactivation gives the prompt back."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from plugin_contract.testing.pty_run import PtySession
from plugin_contract.testing.shell import conda_shell_program
from testharness import require_tool

NAME = "e%Bn\\t$(touch PWNED)"
CASES = {
    "bash promptvars off": (
        ["bash", "--noprofile", "--rcfile", "{rc}", "-i"],
        "shopt -u promptvars",
    ),
    "zsh PROMPT_SUBST": (["zsh", "-i"], "setopt promptsubst"),
    "zsh": (["zsh", "-i"], ":"),
    "busybox": (["busybox", "sh", "-i"], ":"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_prompt_shows_the_name_as_it_is(case: str, tmp_path: Path) -> None:
    argv, option = CASES[case]
    require_tool(argv[0], f"apt-get install -y {argv[0]}")
    program = conda_shell_program()
    prefix = tmp_path / NAME
    (prefix / "conda-meta").mkdir(parents=True)
    hook = subprocess.run(
        [program, "hook", "--shell", "posix"], capture_output=True, text=True, timeout=60
    ).stdout
    rc = tmp_path / ".zshrc"
    rc.write_text(f"{hook}\nPS1='$ '\n{option}\necho READY\n")
    env = {
        "HOME": str(tmp_path),
        "ZDOTDIR": str(tmp_path),
        "ENV": str(rc),
        "PATH": f"{Path(program).parent}:/usr/bin:/bin",
        "TERM": "xterm",
        "LANG": "C.UTF-8",
        "PLUGIN_CONTRACT_CACHE_DIR": str(tmp_path / "cache"),
    }
    quoted = "'" + str(prefix).replace("'", "'\\''") + "'"
    with PtySession([arg.format(rc=rc) for arg in argv], env=env, cwd=str(tmp_path)) as shell:
        # Type each line only once its prompt is shown: zsh echoes type-ahead before the prompt.
        shell.expect("READY")
        shell.expect("$ ")
        shell.send(f"conda-shell activate {quoted}\n")
        shell.expect("activate")  # the typed line
        activated = shell.expect("$ ")
        shell.send("conda-shell deactivate\n")
        shell.expect("deactivate")
        deactivated = shell.expect("$ ")
        shell.send("exit\n")
        shell.wait()
    assert f"({prefix}) " in activated.rsplit("\n", 1)[-1], activated
    assert "CONDA_PROMPT_MODIFIER" not in activated
    assert f"({prefix})" not in deactivated, deactivated
    assert not (tmp_path / "PWNED").exists(), "the prompt ran a command"
