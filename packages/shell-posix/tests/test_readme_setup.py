"""The README's copy-paste set-up works in real interactive bash and zsh."""

from __future__ import annotations

from pathlib import Path

import pytest

from plugin_contract.testing.readme_setup import RcSetup, check_rc_setup
from testharness import require_tool

SHOW_PROMPT = {"bash": "printf '%s' \"${PS1@P}\"", "zsh": 'print -rn -- "${(%)PS1}"'}


@pytest.mark.parametrize(("program", "rc_file"), [("bash", ".bashrc"), ("zsh", ".zshrc")])
def test_rc_line_gives_conda_shell_activate_and_deactivate(
    tmp_path: Path, program: str, rc_file: str
) -> None:
    setup = RcSetup(
        executable=require_tool(program, f"apt-get install -y {program}"),
        argv=("-i",),
        rc_file=rc_file,
        rc_line='eval "$(conda-shell hook --shell posix)"',
        show_prompt=SHOW_PROMPT[program],
        unset_check="printf '%s\\n' \"${{CONDA_PREFIX-unset}}\" >> '{out}'",
    )
    check_rc_setup(tmp_path, setup)
