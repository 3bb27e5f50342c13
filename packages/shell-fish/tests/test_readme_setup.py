"""The README's copy-paste set-up works in a real fish."""

from __future__ import annotations

from pathlib import Path

from plugin_contract.testing.readme_setup import RcSetup, check_rc_setup
from testharness import require_tool


def test_config_line_gives_conda_shell_activate_and_deactivate(tmp_path: Path) -> None:
    setup = RcSetup(
        executable=require_tool("fish", "apt-get install -y fish"),
        argv=(),
        rc_file=".config/fish/config.fish",
        rc_line="conda-shell hook --shell fish | source",
        show_prompt="fish_prompt",
        unset_check="set -q CONDA_PREFIX; or echo unset >> '{out}'",
        fish=True,
    )
    check_rc_setup(tmp_path, setup)
