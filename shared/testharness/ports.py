"""Free loopback ports and waiting for a port to accept connections."""

from __future__ import annotations

import socket
import time
from pathlib import Path

LOOPBACK = "127.0.0.1"


def free_port(host: str = LOOPBACK) -> int:
    """Return a TCP port on ``host`` that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        port: int = sock.getsockname()[1]
        return port


def port_accepts(port: int, host: str = LOOPBACK, timeout: float = 0.2) -> bool:
    """Return whether a TCP connection to ``host:port`` succeeds right now."""
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def listening_session_ids(port: int, host: str = LOOPBACK) -> set[int] | None:
    """Session ids of the processes listening on ``host:port``; None where /proc cannot say.

    A port that accepts connections may belong to another process that took it between
    ``free_port()`` and the server's bind; its session tells whose listener it is.
    """
    proc = Path("/proc")
    try:
        table = (proc / "net" / "tcp").read_text()
    except OSError:
        return None
    local = f"{socket.inet_aton(host)[::-1].hex().upper()}:{port:04X}"
    inodes = {
        f"socket:[{fields[9]}]"
        for fields in (line.split() for line in table.splitlines()[1:])
        if len(fields) > 9 and fields[1] == local and fields[3] == "0A"  # 0A: LISTEN
    }
    sessions: set[int] = set()
    if not inodes:
        return sessions
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if any(str(fd.readlink()) in inodes for fd in (entry / "fd").iterdir()):
                stat = (entry / "stat").read_text()
                sessions.add(int(stat.rsplit(")", 1)[1].split()[3]))
        except OSError:
            continue  # gone, or not ours to read
    return sessions


def wait_for_port(port: int, host: str = LOOPBACK, timeout: float = 30.0) -> None:
    """Wait until ``host:port`` accepts connections; raise ``TimeoutError`` after ``timeout``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if port_accepts(port, host):
            return
        time.sleep(0.05)
    raise TimeoutError(f"nothing accepted connections on {host}:{port} within {timeout:.0f} s")
