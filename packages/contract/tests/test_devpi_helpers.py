"""Shared devpi helpers: auth results, secrets from env or file, YAML config, redaction."""

from __future__ import annotations

from pathlib import Path

import pytest

from plugin_contract.devpi import (
    Secret,
    SecretSourceError,
    auth_ok,
    auth_reject,
    load_yaml_config,
    redacted,
    secret_from,
)
from plugin_contract.errors import ConfigError


def test_auth_results() -> None:
    assert auth_ok(["b", "a", "b"]) == {"status": "ok", "groups": ["a", "b"]}
    assert auth_reject() == {"status": "reject"}


def test_secret_never_shows_its_value() -> None:
    secret = Secret("hunter2", "env:PW")
    for text in (repr(secret), str(secret), f"{secret}", repr({"pw": secret})):
        assert "hunter2" not in text
    assert secret.reveal() == "hunter2"
    with pytest.raises(TypeError):
        __import__("pickle").dumps(secret)


def test_secret_from_env_and_file(tmp_path: Path) -> None:
    from_env = secret_from({"password_env": "PW"}, "password", where="x", environ={"PW": "s3"})
    assert from_env is not None
    assert from_env.reveal() == "s3"
    assert from_env.source == "env:PW"
    file = tmp_path / "pw"
    file.write_text("s4\n")
    from_file = secret_from({"password_file": str(file)}, "password", where="x", environ={})
    assert from_file is not None
    assert from_file.reveal() == "s4"
    assert secret_from({}, "password", where="x", environ={}) is None


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({"password": "inline"}, "inline 'password' is not accepted"),
        ({"password_env": "MISSING"}, "MISSING (from password_env) is not set"),
        ({"password_file": "/nonexistent/pw"}, "cannot read password_file"),
        ({"password_env": "A", "password_file": "/x"}, "only one of"),
        ({}, "set password_env or password_file"),
    ],
)
def test_secret_source_errors_are_one_clear_line(config: dict[str, str], message: str) -> None:
    with pytest.raises(SecretSourceError) as caught:
        secret_from(config, "password", where="targets.ci", environ={}, required=True)
    assert message in str(caught.value)
    assert str(caught.value).startswith("targets.ci: ")
    assert "\n" not in str(caught.value)


def test_yaml_config_loading(tmp_path: Path) -> None:
    file = tmp_path / "ldap.yaml"
    file.write_text("devpi-ldap:\n  url: ldap://x\n")
    assert load_yaml_config(file, top_key="devpi-ldap") == {"url": "ldap://x"}
    file.write_text("url: ldap://y\n")
    assert load_yaml_config(file, top_key="devpi-ldap") == {"url": "ldap://y"}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("url: [unclosed\n", "at line 2"),
        ("- a\n- b\n", "must hold a mapping of settings, not list"),
    ],
)
def test_yaml_config_errors(tmp_path: Path, text: str, message: str) -> None:
    file = tmp_path / "bad.yaml"
    file.write_text(text)
    with pytest.raises(ConfigError, match=message):
        load_yaml_config(file)


def test_missing_config_file(tmp_path: Path) -> None:
    with pytest.raises(
        ConfigError, match=r"cannot read config file .*absent.yaml \(it does not exist\)"
    ):
        load_yaml_config(tmp_path / "absent.yaml")


def test_redacted_hides_secret_values_but_not_their_sources() -> None:
    config = {"url": "u", "bind_password": "p", "targets": [{"token": "t", "secret_env": "E"}]}
    assert redacted(config) == {
        "url": "u",
        "bind_password": "***",
        "targets": [{"token": "***", "secret_env": "E"}],
    }
