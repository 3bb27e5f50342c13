"""Issue 12, "bad input that must give one clear line": each case failed before the fix
(a hang, a traceback, a memory blow-up or silent acceptance) and is one readable line now."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from plugin_contract import condarc
from plugin_contract.errors import ConfigError
from plugin_contract.files import FileReadError, read_bytes, read_text
from plugin_contract.session.base import CondaSession
from plugin_contract.session.config import SessionConfig
from plugin_contract.session.errors import SessionError

from .test_session_cli import run

BOMB = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n' + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [" + ",".join(["*" + chr(97 + i)] * 9) + "]\n" for i in range(8)
)


def conda_session(home: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """``conda-session ARGS`` with ``home`` as HOME (``test_session_cli.run``'s layout)."""
    return run(home.parent, *args, **env)


def one_line(proc: subprocess.CompletedProcess[str], *fragments: str) -> None:
    assert proc.returncode == 1, (proc.stdout, proc.stderr)
    assert proc.stderr.startswith("conda-session: error: "), proc.stderr
    assert proc.stderr.count("\n") == 1, proc.stderr
    for fragment in fragments:
        assert fragment in proc.stderr


@pytest.fixture
def home(tmp_path: Path) -> Path:
    folder = tmp_path / "home"
    folder.mkdir()
    return folder


def test_a_fifo_as_condarc_is_refused_without_waiting(home: Path) -> None:
    os.mkfifo(home / ".condarc")
    proc = conda_session(home, "status")
    one_line(proc, "FIFO", ".condarc", "not a regular file")


def test_fifo_and_device_reads_are_refused_and_reads_are_bounded(tmp_path: Path) -> None:
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    started = time.monotonic()
    with pytest.raises(FileReadError, match="FIFO") as caught:
        read_text(fifo, what="token file")
    assert caught.value.reason == "not-regular"
    with pytest.raises(FileReadError, match="character device"):
        read_bytes("/dev/zero", what="secret")
    big = tmp_path / "big"
    big.write_bytes(b"x" * 5000)
    with pytest.raises(FileReadError, match="larger than"):
        read_bytes(big, what="secret", limit=4096)
    with pytest.raises(FileReadError, match="is a directory"):
        read_bytes(tmp_path, what="token file")
    assert time.monotonic() - started < 5


def test_a_file_url_to_a_fifo_or_device_is_refused(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.json"
    os.mkfifo(fifo)
    session = CondaSession(config=SessionConfig())
    with pytest.raises(SessionError, match="FIFO"):
        session.get(f"file://{fifo}")
    with pytest.raises(SessionError, match="character device"):
        session.get("file:///dev/zero")
    regular = tmp_path / "repodata.json"
    regular.write_text("{}", encoding="utf-8")
    assert session.get(f"file://{regular}").json() == {}


def test_an_alias_bomb_is_refused_quickly(home: Path) -> None:
    (home / ".condarc").write_text(BOMB, encoding="utf-8")
    started = time.monotonic()
    one_line(conda_session(home, "status"), "alias bomb")
    with pytest.raises(condarc.CondarcError, match="alias bomb"):
        condarc.load({"HOME": str(home)}, use_conda=False)
    assert time.monotonic() - started < 20


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        (b"a: " + b"[" * 200_000 + b"]" * 200_000 + b"\n", "nested"),
        (b"a: " + b"[" * 100 + b"]" * 100 + b"\n", "nested more than"),
        (
            b"k0: &a0 [x]\n"
            + b"".join(f"k{i}: &a{i} [*a{i - 1}]\n".encode() for i in range(1, 120)),
            "nested",
        ),
        (b"a: &x [*x]\n", "refers to itself"),
        ("channel_alias: https://h.test\n".encode("utf-16"), "UTF-16"),
        (b"channel_alias: https://h.test/\xff\xfe\xe9\n", "not UTF-8"),
    ],
)
def test_deep_odd_or_undecodable_condarcs_are_one_line(
    home: Path, data: bytes, fragment: str
) -> None:
    path = home / ".condarc"
    path.write_bytes(data)
    with pytest.raises(ConfigError) as caught:
        SessionConfig.load(environ={"HOME": str(home), "CONDARC": str(path)})
    assert fragment in str(caught.value)
    assert str(path) in str(caught.value)
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("channel_settings:\n  - {1: a, b: c}\n", "needs a 'channel' key (got keys 1, b)"),
        ("channel_settings:\n  - {channel: 'http://[::1', auth: x}\n", "not a valid URL"),
        ("remote_max_retries: .inf\n", "remote_max_retries"),
        ("remote_max_retries: .nan\n", "remote_max_retries"),
        ("remote_max_retries: 2.5\n", "whole number"),
        ("remote_read_timeout_secs: 0\n", "more than 0 seconds"),
        ("remote_connect_timeout_secs: -3\n", "more than 0 seconds"),
        ("remote_read_timeout_secs: .inf\n", "finite"),
        ("channel_alias: https://a.test\nchannel_alias: https://b.test\n", "written twice"),
        ("channel_settings:\n  - channel: null\n    auth: x\n", "'channel' of a channel_settings"),
        ("channel_alias: [https://a.test, https://b.test]\n", "channel_alias must be one URL"),
        ("channel_settings:\n  - channel: $(id)\n    auth: x\n", "not a channel name"),
        ("channel_settings:\n  - channel: ../../etc/passwd\n    auth: x\n", "not a channel name"),
        ("channels:\n  - https://ci:hunter2@h.test/c: [x]\n", "must be a mapping"),
        ("channel_settings:\n  - channel: https://ci:hunter2@h.test/c\n    x: [1]\n", "plain"),
    ],
)
def test_bad_values_are_refused_at_config_time(home: Path, text: str, fragment: str) -> None:
    path = home / ".condarc"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        SessionConfig.load(environ={"HOME": str(home), "CONDARC": str(path)})
    message = str(caught.value)
    assert fragment in message
    assert "\n" not in message
    assert "hunter2" not in message


def test_the_one_reader_refuses_the_same_junk(tmp_path: Path) -> None:
    path = tmp_path / ".condarc"
    path.write_text("channel_alias: [a]\nchannel_settings: []\n", encoding="utf-8")
    with pytest.raises(condarc.CondarcError, match="channel_alias must be one URL"):
        _ = condarc.load({"HOME": str(tmp_path)}, use_conda=False).channel_alias


def test_unparsable_url_in_which_is_one_line_or_an_answer(home: Path) -> None:
    (home / ".condarc").write_text(
        "channel_settings:\n  - channel: https://h.test/c\n    auth: x\n", encoding="utf-8"
    )
    proc = conda_session(home, "which", "http://[::1")
    assert "Traceback" not in proc.stderr
    assert proc.returncode in (0, 1)


def test_ascii_only_stdout_and_a_closed_pipe_end_quietly(home: Path, tmp_path: Path) -> None:
    weird = tmp_path / "caf\u00e9"
    weird.mkdir()
    entries = "".join(
        f"  - channel: https://h.test/c{i}\n    auth: basic-auth\n    password_file: {weird}/p\n"
        for i in range(400)
    )
    (home / ".condarc").write_text("channel_settings:\n" + entries, encoding="utf-8")
    ascii_run = conda_session(home, "status", PYTHONIOENCODING="ascii")
    assert ascii_run.returncode == 0, ascii_run.stderr
    assert "caf\\xe9" in ascii_run.stdout
    environ = {**os.environ, "HOME": str(home), "CONDARC": str(home / ".condarc")}
    code = "import sys; from plugin_contract.session.cli import main; sys.exit(main())"
    with subprocess.Popen(
        [sys.executable, "-c", code, "status"],
        env=environ,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ) as writer:
        assert writer.stdout is not None
        assert writer.stderr is not None
        first = writer.stdout.readline()  # `| head -1`: read one line, close the pipe
        writer.stdout.close()
        errors = writer.stderr.read()
        writer.wait(timeout=30)
    assert first.startswith("global session:")
    assert "BrokenPipe" not in errors
    assert "Traceback" not in errors
    assert writer.returncode == 141
