"""``devpi-gen-config`` output for devpi-notify: the secret variables and files to provide.

devpi-gen-config writes service files (systemd, supervisor, launchd) that carry devpi-server's
options, ``--notify-config`` included, but not the environment the secrets come from. This
writes ``devpi-notify-secrets.env``: one empty ``NAME=`` line per ``*_env`` setting, to fill
in and load (systemd ``EnvironmentFile=``, supervisor ``environment=``), and a comment per
``*_file`` the server must be able to read.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any


def secret_sources(data: Any, where: str = "") -> Iterator[tuple[str, str, str]]:
    """(where, setting, value) for every ``*_env`` and ``*_file`` setting in the raw config."""
    if isinstance(data, Mapping):
        for key, value in data.items():
            here = f"{where}.{key}" if where else str(key)
            if isinstance(value, str) and str(key).endswith(("_env", "_file")):
                yield where, str(key), value
            else:
                yield from secret_sources(value, here)


def secrets_env_file(data: Mapping[str, Any], config_path: str) -> str:
    lines = [
        f"# Secrets for devpi-notify ({config_path}); fill in, keep it owner-readable only,",
        "# and load it into devpi-server's environment (systemd: EnvironmentFile=this file).",
    ]
    files = []
    for where, key, value in secret_sources(data):
        if key.endswith("_env"):
            lines.append(f"# {where}: {key}")
            lines.append(f"{value}=")
        else:
            files.append(f"# {where}: {key} {value} must be readable by the devpi-server user")
    return "\n".join([*lines, *files]) + "\n"
