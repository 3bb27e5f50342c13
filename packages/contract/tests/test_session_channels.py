"""Channel patterns: anchored on scheme, host, port and whole path segments; conda's pick
(the last matching entry) selects, the pattern then scopes credentials."""

from __future__ import annotations

import pytest

from plugin_contract.session.channels import (
    ChannelMatch,
    ChannelPattern,
    ChannelPatternError,
    Origin,
    safe_url,
)
from plugin_contract.session.config import SessionConfig


def entry(pattern: str, name: str = "s") -> ChannelMatch:
    return ChannelMatch(ChannelPattern.parse(pattern), name, {"which": pattern})


@pytest.mark.parametrize(
    "url",
    [
        "https://repo.example.com/",
        "https://repo.example.com/chan/linux-64/repodata.json",
        "https://REPO.example.com:443/chan/noarch/x.conda",
        "https://user:pw@repo.example.com/chan/x",
    ],
)
def test_host_wildcard_path_matches_inside(url: str) -> None:
    assert ChannelPattern.parse("https://repo.example.com/*").contains(url)


@pytest.mark.parametrize(
    "url",
    [
        "https://repo.example.com.evil.test/chan/x",
        "https://evil.test/.repo.example.com/chan/x",
        "https://evil.test/repo.example.com/chan/x",
        "https://evilrepo.example.com/chan/x",
        "http://repo.example.com/chan/x",
        "https://repo.example.com:8443/chan/x",
        "ftp://repo.example.com/chan/x",
        "https://evil.test?repo.example.com/",
        "https://evil.test#repo.example.com/",
        "https://repo.example.com@evil.test/chan/x",
    ],
)
def test_hostile_look_alikes_never_match(url: str) -> None:
    assert not ChannelPattern.parse("https://repo.example.com/*").contains(url)


def test_path_prefix_is_whole_segments() -> None:
    pattern = ChannelPattern.parse("https://host.test/chan")
    assert pattern.contains("https://host.test/chan")
    assert pattern.contains("https://host.test/chan/linux-64/repodata.json")
    assert not pattern.contains("https://host.test/channel-other/linux-64/repodata.json")
    assert not pattern.contains("https://host.test/cha")
    assert not pattern.contains("https://host.test/chan/../other/repodata.json")
    assert ChannelPattern.parse("https://host.test/chan/*") == pattern


def test_subdomain_wildcard_is_anchored_on_labels() -> None:
    pattern = ChannelPattern.parse("https://*.example.com/*")
    assert pattern.contains("https://a.example.com/x")
    assert pattern.contains("https://a.b.example.com/x")
    assert not pattern.contains("https://example.com/x")
    assert not pattern.contains("https://badexample.com/x")
    assert not pattern.contains("https://example.com.evil.test/x")
    assert not pattern.contains("https://evil.test/.example.com/x")
    assert pattern.origin is None


def test_explicit_ports_must_match() -> None:
    pattern = ChannelPattern.parse("https://host.test:8443/chan")
    assert pattern.contains("https://host.test:8443/chan/x")
    assert not pattern.contains("https://host.test/chan/x")
    assert ChannelPattern.parse("http://127.0.0.1:80/c").contains("http://127.0.0.1/c/x")


@pytest.mark.parametrize(
    "bad",
    ["", "*://host.test/*", "https://ho*st.test/", "https://host.test/a*/b", "https://h.test/?q"],
)
def test_unclear_patterns_are_refused(bad: str) -> None:
    with pytest.raises(ChannelPatternError):
        ChannelPattern.parse(bad)


def test_bare_names_live_under_the_channel_alias() -> None:
    pattern = ChannelPattern.parse("my-org", "https://conda.example.org")
    assert pattern.contains("https://conda.example.org/my-org/noarch/repodata.json")
    assert not pattern.contains("https://conda.example.org/my-org2/noarch/repodata.json")


def test_the_last_matching_entry_wins_as_in_conda_never_outside_its_channel() -> None:
    entries = [
        entry("https://*.example.com/*", "wild"),
        entry("https://repo.example.com/*", "host"),
        entry("https://repo.example.com/team/private/*", "deep"),
        entry("https://repo.example.com/team/*", "team"),
    ]
    config = SessionConfig(channels=tuple(entries))

    def name(url: str) -> str | None:
        found = config.match(url)
        return found.session_name if found else None

    # conda 26.7 takes the last match, not the most specific one (that was "deep" here)
    assert name("https://repo.example.com/team/private/noarch/x") == "team"
    assert name("https://repo.example.com/team/public/noarch/x") == "team"
    assert name("https://repo.example.com/other") == "host"
    assert name("https://mirror.example.com/other") == "wild"
    assert name("https://repo.example.com.evil.test/team/private/x") is None
    tie = SessionConfig(
        channels=(entry("https://h.test/c/*", "first"), entry("https://h.test/c", "second"))
    )
    found = tie.match("https://h.test/c/noarch/repodata.json")
    assert found is not None
    assert found.session_name == "second"  # the canonical name https://h.test/c, listed last
    assert tie.match("https://h.test/c/x").session_name == "first"  # type: ignore[union-attr]


def test_origin_and_same_origin() -> None:
    match = entry("https://repo.example.com/chan")
    assert match.same_origin("https://repo.example.com/elsewhere")
    assert not match.same_origin("https://repo.example.com:444/chan")
    assert not match.same_origin("http://repo.example.com/chan")
    assert str(Origin.of("https://Repo.Example.com:443/x")) == "https://repo.example.com"
    assert Origin.of("http://127.0.0.5:81/").is_loopback


def test_userinfo_never_in_the_key_or_messages() -> None:
    pattern = ChannelPattern.parse("https://bob:hunter2@repo.example.com/chan")
    assert "hunter2" not in pattern.text
    assert safe_url("https://bob:hunter2@h.test/x?token=abc#f") == "https://h.test/x"
