"""Configuration from the condarc search path: both per-channel forms, global setting, errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from plugin_contract.errors import ConfigError
from plugin_contract.session.config import SessionConfig, condarc_search_path, user_condarc
from plugin_contract.session.errors import UnknownSessionError
from plugin_contract.session.registry import SessionRegistry
from plugin_contract.session.types import CondaSessionClass


@pytest.fixture
def home(tmp_path: Path) -> dict[str, str]:
    (tmp_path / "home").mkdir()
    return {"HOME": str(tmp_path / "home")}


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_both_channel_forms_and_the_global_setting(home: dict[str, str]) -> None:
    write(
        Path(home["HOME"]) / ".condarc",
        """
network_session_class: Basic-Auth
channels:
  - conda-forge
  - https://repo.example.com/private:
      network_session_class: token
      username: ci-bot
channel_settings:
  - channel: https://*.example.org/*
    auth: oauth
    audience: conda
  - channel: https://files.example.net/c
    session: plain
    auth: ignored-when-session-is-set
    verify_ssl: true
""",
    )
    config = SessionConfig.load(environ=home)
    assert config.network_session_class == "basic-auth"
    private = config.match("https://repo.example.com/private/noarch/repodata.json")
    assert private is not None
    assert (private.session_name, dict(private.settings)) == ("token", {"username": "ci-bot"})
    org = config.match("https://a.example.org/x")
    assert org is not None
    assert org.session_name == "oauth"
    assert dict(org.settings) == {"audience": "conda"}
    net = config.match("https://files.example.net/c/noarch/repodata.json")
    assert net is not None
    assert net.session_name == "plain"
    assert net.settings["verify_ssl"] == "true"
    # conda: an entry without '*' matches the channel's name (subdir files), not any path
    assert config.match("https://files.example.net/c/x") is None
    assert config.match("https://elsewhere.test/") is None
    assert config.session_name_for(None) == "basic-auth"


def test_condarc_search_path_order_and_condarc_wins(home: dict[str, str], tmp_path: Path) -> None:
    write(Path(home["HOME"]) / ".condarc", "offline: true\nnetwork_session_class: a\n")
    explicit = write(tmp_path / "explicit.yml", "network_session_class: b\n")
    env = {**home, "CONDARC": str(explicit)}
    config = SessionConfig.load(environ=env)
    assert config.network_session_class == "b"
    assert config.offline is True
    paths = condarc_search_path(env)
    assert paths[-1] == explicit
    assert paths.index(Path(home["HOME"]) / ".condarc") < paths.index(explicit)
    assert user_condarc(env) == explicit
    assert user_condarc(home) == Path(home["HOME"]) / ".condarc"


def test_environment_overrides(home: dict[str, str]) -> None:
    env = {**home, "CONDA_OFFLINE": "yes", "CONDA_SSL_VERIFY": "truststore"}
    config = SessionConfig.load(environ=env)
    assert config.offline is True
    assert config.ssl_verify == "truststore"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("channels: [1: [2]]", "must be a mapping"),
        ("channel_settings:\n  - auth: x\n    other: y\n", "needs a 'channel' key"),
        ("channel_settings:\n  - channel: '*://h/*'\n", "scheme must be written out"),
        ("offline: maybe\n", "expected true or false"),
        ("key: [unclosed\n", "not valid YAML"),
        ("channel_settings:\n  - channel: https://h.test/c\n    nested: {a: b}\n", "plain value"),
    ],
)
def test_bad_config_is_one_clear_error(home: dict[str, str], text: str, message: str) -> None:
    path = write(Path(home["HOME"]) / ".condarc", text)
    with pytest.raises(ConfigError) as caught:
        SessionConfig.load(environ=home)
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)
    if "YAML" in message:
        assert str(path) in str(caught.value)


def test_unknown_session_names_the_installed_ones(home: dict[str, str]) -> None:
    write(
        Path(home["HOME"]) / ".condarc",
        "channel_settings:\n  - channel: https://h.test/c\n    session: nope\n",
    )
    registry = SessionRegistry(
        config=SessionConfig.load(environ=home),
        classes=[CondaSessionClass("alpha", object)],
        before_actions=[],
    )
    with pytest.raises(UnknownSessionError) as caught:
        registry.get_session("https://h.test/c/noarch/repodata.json")
    message = str(caught.value)
    assert "'nope'" in message
    assert "alpha, default" in message
    assert registry.resolve("https://other.test/").session_name == "default"


def test_design_form_warns_once_per_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rc = tmp_path / "design.condarc"
    rc.write_text("channels:\n  - https://h.test/c:\n      network_session_class: default\n")
    SessionConfig.load(environ={"HOME": str(tmp_path)}, paths=[rc])
    SessionConfig.load(environ={"HOME": str(tmp_path)}, paths=[rc])
    err = capsys.readouterr().err
    assert err.count("makes conda crash") == 1
    assert "channel_settings" in err


def test_the_last_matching_entry_wins_like_conda_not_the_most_specific(
    home: dict[str, str],
) -> None:
    write(
        Path(home["HOME"]) / ".condarc",
        """
channel_alias: https://alias.test
channel_settings:
  - channel: https://repo.example.com/team/private/*
    auth: deep
  - channel: https://repo.example.com/*
    auth: host
  - channel: basic
    auth: by-name
  - channel: https://alias.test/basic/*
    auth: by-pattern
""",
    )
    config = SessionConfig.load(environ=home)

    def name(url: str) -> str | None:
        found = config.match(url)
        return found.session_name if found else None

    assert name("https://repo.example.com/team/private/noarch/repodata.json") == "host"
    assert name("https://alias.test/basic/noarch/repodata.json") == "by-pattern"
    assert name("https://alias.test/basic/noarch/repodata_shards.msgpack.zst") == "by-pattern"
    # conda's fnmatch would pick the entry; the path leaves the channel, so no credentials
    assert name("https://repo.example.com/x/../../elsewhere/noarch/repodata.json") is None
