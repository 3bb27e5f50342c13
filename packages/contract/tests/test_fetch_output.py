"""Issue 12: ``fetch -o`` writes through symlinks and non-regular files; regular files are
replaced atomically and keep their mode (a real channel on 127.0.0.1, a real file system)."""

from __future__ import annotations

import os
import stat
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from testharness.channel import ChannelServer

from .test_session_cli import run

REPODATA = "/channel/noarch/repodata.json"


@pytest.fixture
def server() -> Iterator[ChannelServer]:
    with ChannelServer() as running:
        yield running


def test_a_symlink_target_stays_a_symlink(tmp_path: Path, server: ChannelServer) -> None:
    real = tmp_path / "real.json"
    real.write_text("old")
    link = tmp_path / "link.json"
    link.symlink_to(real)
    proc = run(tmp_path, "fetch", server.url + REPODATA, "-o", str(link))
    assert proc.returncode == 0, proc.stderr
    assert link.is_symlink()
    assert real.read_bytes() == server.files[REPODATA]


def test_a_fifo_target_is_written_through(tmp_path: Path, server: ChannelServer) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()), daemon=True)
    reader.start()
    proc = run(tmp_path, "fetch", server.url + REPODATA, "-o", str(fifo))
    reader.join(timeout=30)
    assert proc.returncode == 0, proc.stderr
    assert stat.S_ISFIFO(fifo.lstat().st_mode)
    assert received == [server.files[REPODATA]]


def test_a_regular_file_keeps_its_mode(tmp_path: Path, server: ChannelServer) -> None:
    target = tmp_path / "out.json"
    target.write_text("old")
    target.chmod(0o640)
    proc = run(tmp_path, "fetch", server.url + REPODATA, "-o", str(target))
    assert proc.returncode == 0, proc.stderr
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert target.read_bytes() == server.files[REPODATA]
