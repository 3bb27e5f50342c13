"""``--notify-config`` validation: every mistake is one clear line, secrets never inline."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from devpi_notify.config import load_notify_config, parse_notify_config

from plugin_contract.errors import ConfigError
from testharness.devpi import init_serverdir

ENV = {
    "HOOK_SECRET": "s3cret-value",
    "SLACK_URL": "https://hooks.slack.example/T/B/xyz",
    "TOKEN": "t0ken-value",
}


def parse(targets: dict[str, Any], **extra: Any) -> Any:
    return parse_notify_config({"targets": targets, **extra}, where="cfg", environ=ENV)


def webhook(**spec: Any) -> dict[str, Any]:
    return {"type": "webhook", "url": "https://ci.example/hook", "secret_env": "HOOK_SECRET"} | spec


def test_a_valid_config_with_every_target_type() -> None:
    config = parse(
        {
            "ci": webhook(timeout=3),
            "chat": {"type": "slack", "url_env": "SLACK_URL"},
            "ops": {
                "type": "email",
                "host": "smtp.example",
                "username": "u",
                "password_env": "HOOK_SECRET",
                "from": "a@example",
                "to": "b@example",
            },
        },
        worker={"max_attempts": 3, "poll_interval": 0.5},
    )
    assert config.targets["ci"].timeout == 3
    assert config.targets["ci"].secret.reveal() == "s3cret-value"
    assert config.targets["chat"].url_secret.reveal().startswith("https://hooks.")
    assert config.targets["ops"].recipients == ("b@example",)
    assert config.worker.max_attempts == 3
    assert "s3cret" not in repr(config)
    assert "hooks.slack" not in repr(config)


@pytest.mark.parametrize(
    ("targets", "message"),
    [
        ({"ci": webhook(url="http://ci.example/hook")}, "plain http to a non-loopback host"),
        ({"ci": webhook(secret="inline")}, "an inline 'secret' is not accepted"),
        ({"ci": webhook(secret_env="MISSING_VAR")}, "MISSING_VAR (from secret_env) is not set"),
        ({"ci": webhook(url="https://user:pw@ci.example/")}, "must not hold credentials"),
        ({"ci": webhook(colour="red")}, "unknown key(s) colour"),
        ({"ci": {"type": "pager"}}, "type must be one of webhook, slack, email"),
        ({"chat": {"type": "slack", "url": "https://hooks.example/x"}}, "inline 'url'"),
        (
            {"ops": {"type": "email", "host": "smtp.example", "starttls": False, "from": "a"}},
            "starttls: false is only allowed for a loopback",
        ),
        ({"bad name": webhook()}, "target names may hold"),
    ],
)
def test_bad_targets_are_one_clear_line(targets: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse(targets)
    text = str(caught.value)
    assert message in text
    assert "\n" not in text
    assert "s3cret-value" not in text


def test_plain_http_is_allowed_to_loopback_or_when_explicit() -> None:
    assert parse({"ci": webhook(url="http://127.0.0.1:9/hook")}).targets["ci"].url
    assert parse({"ci": webhook(url="http://ci.example/", allow_http=True)}).targets["ci"].url


def test_slack_url_never_shows_in_errors() -> None:
    with pytest.raises(ConfigError) as caught:
        parse_notify_config(
            {"targets": {"chat": {"type": "slack", "url_env": "SLACK_URL"}}},
            where="cfg",
            environ={"SLACK_URL": "http://hooks.example/T/secret-token"},
        )
    assert "secret-token" not in str(caught.value)


def test_worker_settings_are_checked() -> None:
    with pytest.raises(ConfigError, match="max_attempts must be a positive number"):
        parse({"ci": webhook()}, worker={"max_attempts": 0})
    with pytest.raises(ConfigError, match="unknown key"):
        parse({"ci": webhook()}, worker={"retries": 3})


def test_load_from_file_with_top_key(tmp_path: Path) -> None:
    path = tmp_path / "notify.yaml"
    path.write_text(yaml.safe_dump({"devpi-notify": {"targets": {"ci": webhook()}}}))
    assert list(load_notify_config(path, environ=ENV).targets) == ["ci"]
    with pytest.raises(ConfigError, match="cannot read config file"):
        load_notify_config(tmp_path / "missing.yaml")


@pytest.mark.slow
def test_devpi_server_lists_every_config_problem_before_it_starts(tmp_path: Path) -> None:
    serverdir = tmp_path / "serverdir"
    init_serverdir(serverdir)
    config = tmp_path / "notify.yaml"
    targets = {"ci": webhook(secret="inline-secret"), "gh": {"type": "github_dispatch"}}
    config.write_text(yaml.safe_dump({"targets": targets, "worker": {"send_from": "nobody"}}))
    server = Path(sys.executable).parent / "devpi-server"
    proc = subprocess.run(
        [str(server), "--serverdir", str(serverdir), "--notify-config", str(config)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    output = proc.stdout + proc.stderr
    assert proc.returncode != 0
    assert "fatal: devpi-notify:" in output
    assert "an inline 'secret' is not accepted" in output
    assert "targets.gh: set token_env or token_file" in output
    assert "send_from must be one of primary, replicas, all" in output
    assert "devpi-notify: 0 target(s)" not in output  # stopped before the app was built
    assert "Traceback" not in output
    assert "inline-secret" not in output


def test_index_requests_are_checked_for_unknown_names() -> None:
    from devpi_notify.indexcheck import is_index_path, problem

    targets = ["ci", "chat"]
    assert problem({"notify_targets": "ci,chat"}, targets) is None
    assert problem(["notify_targets-=gone", "notify_targets+=chat"], targets) is None
    assert "unknown target(s) gone" in (problem(["notify_targets=gone"], targets) or "")
    assert "unknown event(s) upload" in (problem({"notify_events": ["upload"]}, targets) or "")
    wrapped = {"type": "indexconfig", "result": {"notify_targets": ["x"]}}
    assert "unknown target(s) x" in (problem(wrapped, targets) or "")
    assert is_index_path("/alice/dev")
    assert is_index_path("/alice/dev/")
    assert not is_index_path("/alice/dev/pkg")
    assert not is_index_path("/+login/x")


def test_all_problems_are_listed_at_once() -> None:
    with pytest.raises(ConfigError) as caught:
        parse(
            {"ci": webhook(secret="inline"), "chat": {"type": "pager"}, "ok": webhook()},
            worker={"max_attempts": 0},
            server_url="ftp://x",
        )
    lines = str(caught.value).splitlines()
    assert len(lines) == 4
    assert any("targets.ci: an inline 'secret'" in line for line in lines)
    assert any("targets.chat: type must be one of" in line for line in lines)
    assert any("max_attempts must be a positive number" in line for line in lines)
    assert any("server_url must be an http(s) URL" in line for line in lines)


def test_trigger_targets_auth_and_headers() -> None:
    config = parse(
        {
            "gh": {"type": "github_dispatch", "repository": "acme/app", "token_env": "TOKEN"},
            "gl": {
                "type": "gitlab_trigger",
                "url": "https://gitlab.example",
                "project": 42,
                "ref": "main",
                "token_env": "TOKEN",
            },
            "jk": {
                "type": "jenkins",
                "url": "https://jenkins.example/",
                "job": "app",
                "username": "bot",
                "token_env": "TOKEN",
            },
            "hook": webhook(
                headers={"X-Team": "devpi"}, auth={"type": "bearer", "token_env": "TOKEN"}
            ),
            "open": {"type": "webhook", "url": "https://ci.example/h", "unsigned": True},
        }
    )
    assert config.targets["gh"].url == "https://api.github.com"
    assert config.targets["gl"].project == "42"
    assert config.targets["jk"].auth.username == "bot"
    assert config.targets["hook"].headers == (("X-Team", "devpi"),)
    assert config.targets["open"].secret is None
    assert "t0ken" not in repr(config)


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ({"type": "webhook", "url": "https://ci.example/h"}, "set secret_env or secret_file"),
        (webhook(unsigned=True), "unsigned: true and a signing secret exclude each other"),
        (webhook(headers={"Authorization": "x"}), "set Authorization with auth"),
        (webhook(auth={"type": "bearer", "token": "inline"}), "an inline 'token'"),
        (webhook(auth={"type": "digest"}), "type must be one of bearer, basic"),
        ({"type": "github_dispatch", "repository": "app", "token_env": "TOKEN"}, "OWNER/NAME"),
        ({"type": "jenkins", "url": "https://j.example", "job": "a"}, "build_token_env"),
    ],
)
def test_bad_http_targets(target: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError, match=None) as caught:
        parse({"t": target})
    assert message in str(caught.value)
    assert "t0ken" not in str(caught.value)


def test_send_from_decides_which_servers_send() -> None:
    def sends(send_from: str | None, is_replica: bool) -> bool:
        worker = {} if send_from is None else {"send_from": send_from}
        return bool(parse({"ci": webhook()}, worker=worker).worker.sends(is_replica))

    assert sends(None, is_replica=False)
    assert not sends(None, is_replica=True)
    assert sends("replicas", is_replica=True)
    assert not sends("replicas", is_replica=False)
    assert sends("all", is_replica=True)
    assert sends("all", is_replica=False)
    assert parse({"ci": webhook()}, worker={"announce_history": True}).worker.announce_history
