"""Our model of conda 26.7's channel_settings choice (get_session): last match wins."""

from __future__ import annotations

from pathlib import Path

from plugin_contract.conda_match import canonical_name, conda_pick

ALIAS = "http://127.0.0.1:8000"


def test_canonical_name_under_alias_is_the_short_name() -> None:
    assert canonical_name(f"{ALIAS}/basic/noarch/repodata.json", ALIAS) == "basic"
    # conda knows no .msgpack.zst extension: the shard index keeps its file name (checked
    # against real conda by test_input_fuzz), so an entry `channel: basic` does not cover it
    shards = f"{ALIAS}/basic/linux-64/repodata_shards.msgpack.zst"
    assert canonical_name(shards, ALIAS) == "basic/repodata_shards.msgpack.zst"
    assert canonical_name("https://alias.test/basic/noarch/x", "http://alias.test") == "basic/x"
    assert canonical_name("https://h.test/c/noarch/x-1-0.conda", ALIAS) == "https://h.test/c"


def test_last_match_wins_and_plain_url_is_exact() -> None:
    entries = [
        {"channel": "basic", "auth": "first"},
        {"channel": "http://127.0.0.1:8000/*", "auth": "wild"},
        {"channel": "http://127.0.0.1:8000/basic", "auth": "exact-url"},
    ]
    assert conda_pick(f"{ALIAS}/basic/noarch/repodata.json", entries, ALIAS) == 1
    assert conda_pick(f"{ALIAS}/basic", entries, ALIAS) == 2
    assert conda_pick(f"{ALIAS}/basic/noarch/repodata.json", entries[:1], ALIAS) == 0
    assert conda_pick("https://127.0.0.1:8000/basic/noarch/r.json", entries[1:], ALIAS) is None
    exact_only = [{"channel": "http://127.0.0.1:8000/basic", "auth": "x"}]
    assert conda_pick(f"{ALIAS}/basic/noarch/repodata.json", exact_only, ALIAS) is None


SHARDS = "noarch/repodata_shards.msgpack.zst"


def test_login_entry_under_alias_is_a_pattern_conda_matches_for_shards_too(
    tmp_path: Path,
) -> None:
    from plugin_contract.conda_match import entry_channel
    from plugin_contract.session.channels import ChannelPattern
    from plugin_contract.session.condarc_writer import upsert_channel_entry
    from plugin_contract.session.config import SessionConfig

    condarc = tmp_path / ".condarc"
    condarc.write_text(
        f"channel_alias: {ALIAS}\nchannel_settings:\n  - channel: basic\n    auth: stale\n",
        encoding="utf-8",
    )
    pattern = ChannelPattern.parse("basic", ALIAS)
    text = entry_channel(pattern.text)
    assert text == f"{ALIAS}/basic/*"
    upsert_channel_entry(condarc, pattern, {"auth": "basic-auth"}, ALIAS, text)
    written = condarc.read_text(encoding="utf-8")
    assert written.count("channel:") == 1  # the old name-form entry became the pattern
    assert f"- channel: {ALIAS}/basic/*\n" in written
    entries = [{"channel": text, "auth": "basic-auth"}]
    config = SessionConfig.load(environ={"CONDARC": str(condarc)}, paths=[condarc])
    for url in (f"{ALIAS}/basic/noarch/repodata.json", f"{ALIAS}/basic/{SHARDS}"):
        assert conda_pick(url, entries, ALIAS) == 0
        match = config.match(url)
        assert match is not None
        assert (match.key, match.session_name) == (f"{ALIAS}/basic", "basic-auth")
    assert conda_pick(f"{ALIAS}/basic/{SHARDS}", [{"channel": "basic"}], ALIAS) is None
    assert config.match(f"{ALIAS}/basic2/noarch/repodata.json") is None


def test_login_entry_for_a_url_is_what_conda_matches() -> None:
    from plugin_contract.conda_match import entry_channel

    assert entry_channel(f"{ALIAS}/basic/") == f"{ALIAS}/basic/*"
    assert entry_channel("https://h.test/c") == "https://h.test/c/*"
    shard = f"https://h.test/c/{SHARDS}"
    assert conda_pick(shard, [{"channel": "https://h.test/c/*"}], ALIAS) == 0
    assert conda_pick(shard, [{"channel": "https://h.test/c"}], ALIAS) is None
    assert entry_channel(f"{ALIAS}/*") == f"{ALIAS}/*"
    assert entry_channel(ALIAS) == f"{ALIAS}/*"


def test_status_says_where_conda_would_send_no_credentials(tmp_path: Path) -> None:
    from .test_session_cli import run

    (tmp_path / "home").mkdir()
    (tmp_path / "home" / ".condarc").write_text(
        f"channel_alias: {ALIAS}\n"
        "channel_settings:\n"
        f"  - channel: {ALIAS}/exact\n    auth: default\n"
        "  - channel: basic\n    auth: default\n",
        encoding="utf-8",
    )
    proc = run(tmp_path, "status")
    assert proc.returncode == 0, proc.stderr
    exact, basic = proc.stdout.split(f"{ALIAS}/basic")
    assert "conda: no channel_settings entry matches in conda" in exact
    assert "conda:" not in basic
