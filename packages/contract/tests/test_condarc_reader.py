"""The one condarc reader: conda 26.7's search order, condarc.d, env overrides, lazy YAML."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from plugin_contract import condarc


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {"HOME": str(tmp_path / "home")}
    env.update(extra)
    return env


def test_search_order_matches_conda(tmp_path: Path) -> None:
    home = tmp_path / "home"
    root = tmp_path / "root"
    prefix = tmp_path / "prefix"
    for directory in (home / ".conda" / "condarc.d", root, prefix):
        directory.mkdir(parents=True)
    (root / ".condarc").write_text("changeps1: false\nenv_prompt: root\n")
    (home / ".conda" / "condarc.d" / "b.yml").write_text("env_prompt: b\n")
    (home / ".conda" / "condarc.d" / "a.yaml").write_text("env_prompt: a\nauto_stack: 2\n")
    (home / ".conda" / "condarc.d" / "ignored.txt").write_text("env_prompt: no\n")
    (home / ".condarc").write_text("channel_alias: http://127.0.0.1:9/\n")
    (prefix / "condarc").write_text("envs_dirs:\n  - /envs\n")
    explicit = tmp_path / "explicit.yml"
    explicit.write_text("ssl_verify: false\n")
    env = _env(tmp_path, CONDA_ROOT=str(root), CONDA_PREFIX=str(prefix), CONDARC=str(explicit))
    found = condarc.search_path(env)
    assert found == [
        str(root / ".condarc"),
        str(home / ".conda" / "condarc.d" / "a.yaml"),
        str(home / ".conda" / "condarc.d" / "b.yml"),
        str(home / ".condarc"),
        str(prefix / "condarc"),
        str(explicit),
    ]
    rc = condarc.load(env, use_conda=False)
    assert rc.env_prompt == "b"
    assert rc.changeps1 is False
    assert rc.auto_stack == 2
    assert rc.channel_alias == "http://127.0.0.1:9"
    assert rc.envs_dirs == ["/envs"]
    assert rc.ssl_verify is False


def test_environment_overrides_files(tmp_path: Path) -> None:
    (tmp_path / "home").mkdir()
    (tmp_path / "home" / ".condarc").write_text("changeps1: true\n")
    rc = condarc.load(_env(tmp_path, CONDA_CHANGEPS1="no"), use_conda=False)
    assert rc.changeps1 is False


def test_channel_settings_from_every_file_in_order(tmp_path: Path) -> None:
    (tmp_path / "home" / ".conda").mkdir(parents=True)
    (tmp_path / "home" / ".conda" / "condarc").write_text(
        "channel_settings:\n  - channel: one\n    auth: basic-auth\n"
    )
    (tmp_path / "home" / ".condarc").write_text(
        "channel_settings:\n  - channel: two\n    auth: oauth\n"
    )
    rc = condarc.load(_env(tmp_path), use_conda=False)
    assert [entry["channel"] for entry in rc.channel_settings] == ["one", "two"]


def test_no_condarc_imports_no_yaml(tmp_path: Path) -> None:
    code = (
        "import sys; from plugin_contract import condarc; "
        f"condarc.load({{'HOME': {str(tmp_path)!r}}}); "
        "print('yaml' in sys.modules, 'conda' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert out.stdout.split() == ["False", "False"]


def test_bad_yaml_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "home").mkdir()
    (tmp_path / "home" / ".condarc").write_text("a: [\n")
    with pytest.raises(condarc.CondarcError, match=r"\.condarc") as caught:
        condarc.load(_env(tmp_path), use_conda=False)
    assert "\n" not in str(caught.value)
