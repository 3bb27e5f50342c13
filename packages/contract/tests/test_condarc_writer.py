"""The condarc writer: only the edited entry changes, under a lock, atomically, through links."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from plugin_contract.errors import ConfigError
from plugin_contract.session.channels import ChannelPattern
from plugin_contract.session.condarc_writer import (
    remove_channel_entry,
    undo_change,
    upsert_channel_entry,
)

ALIAS = "https://conda.anaconda.org"
RICH = textwrap.dedent(
    """\
    # my settings: keep this comment
    channels:   # inline comment
      - defaults
      - 'conda-forge'
    backup_time: 12:30
    version: 1.10
    flow: {a: 1,  b: "x"}
    channel_settings:
        # first entry
        -   channel: https://a.example/x   # the a channel
            auth: basic-auth
            env_prefix: "MYPFX"

        # second entry
        -   channel: "https://b.example/y"
            auth: oauth
            oauth_client_id: 'cid'
    # ssl follows
    ssl_verify: true   # trailing
    """
)


def pattern(url: str) -> ChannelPattern:
    return ChannelPattern.parse(url, ALIAS)


@pytest.fixture
def condarc(tmp_path: Path) -> Path:
    path = tmp_path / ".condarc"
    path.write_text(RICH)
    return path


def test_merge_changes_only_the_entry_and_keeps_its_other_keys(condarc: Path) -> None:
    upsert_channel_entry(condarc, pattern("https://b.example/y"), {"oauth_flow": "device"}, ALIAS)
    expected = RICH.replace(
        "        auth: oauth\n", "        auth: oauth\n        oauth_flow: device\n"
    )
    assert condarc.read_text() == expected


def test_new_entry_goes_after_the_last_one_and_nothing_else_moves(condarc: Path) -> None:
    upsert_channel_entry(condarc, pattern("https://c.example/z"), {"auth": "basic-auth"}, ALIAS)
    new = "    -   channel: https://c.example/z\n        auth: basic-auth\n"
    assert condarc.read_text() == RICH.replace("# ssl follows\n", new + "# ssl follows\n")


def test_values_such_as_sexagesimal_and_floats_stay_as_written(condarc: Path) -> None:
    upsert_channel_entry(condarc, pattern("https://c.example/z"), {"auth": "basic-auth"}, ALIAS)
    text = condarc.read_text()
    assert "backup_time: 12:30\n" in text
    assert "version: 1.10\n" in text
    assert 'flow: {a: 1,  b: "x"}\n' in text


def test_undo_puts_back_exactly_the_bytes_before(condarc: Path) -> None:
    merged = upsert_channel_entry(
        condarc, pattern("https://a.example/x"), {"auth": "basic-auth", "username": "u"}, ALIAS
    )
    added = upsert_channel_entry(condarc, pattern("https://c.example/z"), {"auth": "x"}, ALIAS)
    undo_change(added)
    undo_change(merged)
    assert condarc.read_text() == RICH


def test_undo_of_a_new_file_removes_it(tmp_path: Path) -> None:
    path = tmp_path / ".condarc"
    change = upsert_channel_entry(path, pattern("https://c.example/z"), {"auth": "x"}, ALIAS)
    assert path.read_text() == "channel_settings:\n  - channel: https://c.example/z\n    auth: x\n"
    undo_change(change)
    assert not path.exists()


def test_remove_keeps_the_comments_around_it(condarc: Path) -> None:
    assert remove_channel_entry(condarc, pattern("https://b.example/y"), ALIAS)
    kept = RICH.replace(
        '    -   channel: "https://b.example/y"\n        auth: oauth\n'
        "        oauth_client_id: 'cid'\n",
        "",
    )
    assert condarc.read_text() == kept
    assert remove_channel_entry(condarc, pattern("https://a.example/x"), ALIAS)
    text = condarc.read_text()
    assert "channel_settings" not in text
    assert "# ssl follows\nssl_verify: true   # trailing\n" in text
    assert text.startswith("# my settings: keep this comment\n")


def test_two_channel_settings_blocks_are_refused_naming_the_lines(tmp_path: Path) -> None:
    path = tmp_path / ".condarc"
    text = "channel_settings:\n  - channel: https://a.example/x\n    auth: x\nchannels: [a]\n"
    text += "channel_settings:\n  - channel: https://b.example/y\n    auth: y\n"
    path.write_text(text)
    with pytest.raises(ConfigError) as raised:
        upsert_channel_entry(path, pattern("https://c.example/z"), {"auth": "x"}, ALIAS)
    assert str(raised.value).startswith(f"{path}: channel_settings appears 2 times (lines 1, 5)")
    assert "\n" not in str(raised.value)
    assert path.read_text() == text


def test_a_symlinked_condarc_stays_a_symlink_and_keeps_its_mode(tmp_path: Path) -> None:
    target = tmp_path / "dotfiles" / "condarc"
    target.parent.mkdir()
    target.write_text("channels: [defaults]\n")
    target.chmod(0o600)
    link = tmp_path / ".condarc"
    link.symlink_to(target)
    upsert_channel_entry(link, pattern("https://c.example/z"), {"auth": "x"}, ALIAS)
    assert link.is_symlink()
    assert link.readlink() == target
    assert "https://c.example/z" in target.read_text()
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert (tmp_path / "dotfiles" / "condarc.lock").exists()  # the lock sits beside the file


def test_a_fifo_as_condarc_is_refused_without_blocking(tmp_path: Path) -> None:
    path = tmp_path / ".condarc"
    os.mkfifo(path)
    code = (
        "import sys; from pathlib import Path;"
        "from plugin_contract.session.channels import ChannelPattern;"
        "from plugin_contract.session.condarc_writer import upsert_channel_entry;"
        "upsert_channel_entry(Path(sys.argv[1]), ChannelPattern.parse('https://c.example/z'),"
        " {'auth': 'x'}, 'https://conda.anaconda.org')"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(path)], capture_output=True, text=True, timeout=20
    )
    assert done.returncode != 0
    assert f"{path} is not a regular file" in done.stderr
