"""Where the oauth session keeps its lock files and (fallback) token files."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping
from pathlib import Path

STATE_DIR_ENV = "CONDA_SESSION_OAUTH_DIR"


def state_dir(environ: Mapping[str, str] | None = None) -> Path:
    """``$CONDA_SESSION_OAUTH_DIR``, else ``$XDG_STATE_HOME/conda-session-oauth``."""
    env = os.environ if environ is None else environ
    if env.get(STATE_DIR_ENV):
        return Path(env[STATE_DIR_ENV]).expanduser()
    base = env.get("XDG_STATE_HOME") or str(Path("~/.local/state").expanduser())
    return Path(base) / "conda-session-oauth"


def private_dir(path: Path) -> Path:
    """Create ``path`` (mode 0700) if needed and make sure only its owner can enter it."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    if path.stat().st_mode & 0o077:
        path.chmod(0o700)
    return path


def key_digest(key: str) -> str:
    """A file-name-safe name for a store key (the key itself holds a URL)."""
    return hashlib.sha256(key.encode()).hexdigest()[:32]
