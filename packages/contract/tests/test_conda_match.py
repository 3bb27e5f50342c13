"""Our model of conda 26.7's channel_settings choice (get_session): last match wins."""

from __future__ import annotations

from plugin_contract.conda_match import canonical_name, conda_pick

ALIAS = "http://127.0.0.1:8000"


def test_canonical_name_under_alias_is_the_short_name() -> None:
    assert canonical_name(f"{ALIAS}/basic/noarch/repodata.json", ALIAS) == "basic"
    assert canonical_name(f"{ALIAS}/basic/linux-64/repodata_shards.msgpack.zst", ALIAS) == "basic"
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
