"""The slapd the outage tests rely on: it is ours when it says it is ready, and it freezes.

An outage test that freezes "the primary" proves nothing if the primary's port was answered
by another process, or if the SIGSTOP never took hold; these tests hold the harness to that.
"""

from __future__ import annotations

import socket
import subprocess
from pathlib import Path

import pytest

from testharness import require_tool, slapd
from testharness.process import listening_session_ids, thread_states
from testharness.slapd import SLAPD_INSTALL, Slapd, start_slapd

pytestmark = pytest.mark.slow


def started(tmp_path: Path, name: str = "slapd") -> Slapd:
    binary = require_tool("slapd", SLAPD_INSTALL)
    require_tool("ldapadd", SLAPD_INSTALL)
    return start_slapd(binary, tmp_path / name, name=name)


def answers(server: Slapd, within: float = 10) -> bool:
    """``ldapwhoami`` succeeds within ``within`` seconds (it has no timeout of its own)."""
    try:
        done = subprocess.run(
            ["ldapwhoami", "-x", "-H", server.url],
            capture_output=True,
            text=True,
            timeout=within,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return False
    return done.returncode == 0


def test_a_port_taken_before_slapd_binds_it_is_not_mistaken_for_slapd(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        taken = squatter.getsockname()[1]
        ports = iter([taken])
        real_free_port = slapd.free_port
        monkeypatch.setattr(slapd, "free_port", lambda: next(ports, None) or real_free_port())
        server = started(tmp_path)
        try:
            assert server.port != taken
            assert server.process.running
            assert listening_session_ids(server.port) == {server.process.pid}
            assert listening_session_ids(taken) != {server.process.pid}
            assert answers(server)
            assert "errno=98" in server.process.log_path.read_text(errors="replace")
        finally:
            server.stop()


def test_freeze_returns_with_every_thread_stopped_and_refuses_a_dead_slapd(
    tmp_path: Path,
) -> None:
    server = started(tmp_path)
    try:
        server.freeze()
        states = thread_states(server.process.pid)
        assert len(states) > 1  # slapd's listener and worker threads
        assert set(states) <= {"T", "t"}
        assert not answers(server, within=2)  # accepted by the kernel, never answered
        server.thaw()
        assert answers(server)
    finally:
        server.thaw()
        server.stop()
    with pytest.raises(RuntimeError, match="cannot freeze slapd: it is not running"):
        server.freeze()
