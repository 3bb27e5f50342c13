"""``devpi-notify test`` / ``check-config`` and ``devpi-gen-config``, as real processes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

from testharness.devpi import devpi_script, init_serverdir
from testharness.recorder import recording_server

CLI = str(Path(sys.executable).parent / "devpi-notify")
TOKEN = "ghp-cli-test-token"


def run(argv: list[str], env: dict[str, str] | None = None, **kwargs: Any) -> Any:
    return subprocess.run(
        argv,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**os.environ, **(env or {})},
        **kwargs,
    )


def test_test_command_sends_and_prints_the_answer(tmp_path: Path) -> None:
    with recording_server() as receiver:
        receiver.answer_body = b'{"queued": true}'
        config = tmp_path / "notify.yaml"
        spec = {"type": "webhook", "url": receiver.url, "secret_env": "S"}
        config.write_text(yaml.safe_dump({"targets": {"ci": spec}}))
        proc = run([CLI, "test", "ci", "--notify-config", str(config)], env={"S": TOKEN})
        assert proc.returncode == 0, proc.stderr
        assert "to ci: HTTP 200" in proc.stdout
        assert '{"queued": true}' in proc.stdout
        (request,) = receiver.snapshot()
        assert json.loads(request.body)["data"]["event"] == "test"
        assert "X-Devpi-Notify-Signature" in request.headers
        receiver.default_status = 500
        failed = run([CLI, "test", "ci", "--notify-config", str(config)], env={"S": TOKEN})
        assert failed.returncode == 1
        assert "failed: webhook target ci: HTTP 500" in failed.stderr
        unknown = run([CLI, "test", "nope", "--notify-config", str(config)], env={"S": TOKEN})
        assert unknown.returncode == 2
        assert "no target 'nope'" in unknown.stderr
        assert TOKEN not in proc.stdout + failed.stderr + unknown.stderr


def test_check_config_lists_every_problem(tmp_path: Path) -> None:
    config = tmp_path / "notify.yaml"
    targets = {"a": {"type": "webhook"}, "b": {"type": "jenkins"}}
    config.write_text(yaml.safe_dump({"targets": targets}))
    proc = run([CLI, "check-config", str(config)])
    assert proc.returncode == 2
    assert "targets.a: url is required" in proc.stderr
    assert "targets.b: url is required" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_gen_config_writes_the_secret_variables(tmp_path: Path) -> None:
    serverdir = tmp_path / "serverdir"
    init_serverdir(serverdir)
    config = tmp_path / "notify.yaml"
    targets = {
        "ci": {"type": "webhook", "url": "https://ci.example/h", "secret_env": "NOTIFY_CI"},
        "gh": {
            "type": "github_dispatch",
            "repository": "a/b",
            "token_file": "/run/secrets/gh",
        },
    }
    config.write_text(yaml.safe_dump({"targets": targets}))
    argv = [devpi_script("devpi-gen-config"), "--serverdir", str(serverdir)]
    proc = run([*argv, "--notify-config", str(config)], cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    text = (tmp_path / "gen-config" / "devpi-notify-secrets.env").read_text()
    assert "\nNOTIFY_CI=\n" in text
    assert "targets.gh: token_file /run/secrets/gh" in text
    assert "--notify-config" in (tmp_path / "gen-config" / "devpi.service").read_text()
