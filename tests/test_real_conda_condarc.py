"""The one condarc reader agrees with real conda 26.7.1's context on the same files."""

from __future__ import annotations

import json

import pytest

from testharness.plugin import RealCondaFactory

pytestmark = pytest.mark.slow

CODE = """
import json
from plugin_contract import condarc
ours = condarc.load(use_conda=False)
from conda.base.context import reset_context
reset_context()  # what conda's CLI does before running a command
theirs = condarc.load(use_conda=True)
print(json.dumps([
    [ours.channel_alias, ours.channel_settings, ours.changeps1, ours.env_prompt],
    [theirs.channel_alias, theirs.channel_settings, theirs.changeps1, theirs.env_prompt],
]))
"""


def test_reader_matches_conda_context(real_conda_factory: RealCondaFactory) -> None:
    conda = real_conda_factory("session-basic-auth")
    conda.write_condarc(
        "channel_alias: http://127.0.0.1:9\nchangeps1: false\n"
        "channel_settings:\n  - channel: basic\n    auth: basic-auth\n"
    )
    drop_in = conda.home / ".conda" / "condarc.d"
    drop_in.mkdir(parents=True, exist_ok=True)
    (drop_in / "extra.yml").write_text("env_prompt: '[{name}] '\n", encoding="utf-8")
    proc = conda.python_run(CODE)
    assert proc.returncode == 0, proc.stderr
    ours, theirs = json.loads(proc.stdout.strip().splitlines()[-1])
    assert ours == theirs
