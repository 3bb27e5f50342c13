"""For the real-conda session suites: a loopback channel with an installable package, and a
real conda prefix reused with a fresh home (condarc, keyring, netrc) per test."""

from __future__ import annotations

import hashlib
import io
import json
import tarfile
from pathlib import Path

from testharness.channel import PACKAGE_NAME
from testharness.conda import RealConda
from testharness.repo import ROOT

SHARED = str(ROOT / "shared")  # subprocesses load the harness keyring backend from here
TINY_INDEX = {
    "name": "tiny",
    "version": "1.0",
    "build": "0",
    "build_number": 0,
    "depends": [],
    "subdir": "noarch",
}


def conda_package() -> bytes:
    """A minimal, installable ``tiny-1.0-0.tar.bz2`` (noarch, one file)."""
    members = {
        "info/index.json": json.dumps(TINY_INDEX),
        "info/files": "share/tiny.txt\n",
        "info/paths.json": json.dumps(
            {"paths": [{"_path": "share/tiny.txt", "path_type": "hardlink"}], "paths_version": 1}
        ),
        "share/tiny.txt": "tiny\n",
    }
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:bz2") as archive:
        for name, text in members.items():
            data = text.encode()
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def installable_channel(prefix: str) -> dict[str, bytes]:
    """``<prefix>/noarch`` with ``tiny`` (and an empty ``linux-64``), as conda fetches them."""
    package = conda_package()
    record = {
        **TINY_INDEX,
        "size": len(package),
        "md5": hashlib.md5(package).hexdigest(),  # noqa: S324 - conda's checksum field
        "sha256": hashlib.sha256(package).hexdigest(),
    }
    return {
        f"{prefix}/noarch/repodata.json": json.dumps(
            {"info": {"subdir": "noarch"}, "packages": {PACKAGE_NAME: record}}
        ).encode(),
        f"{prefix}/linux-64/repodata.json": json.dumps(
            {"info": {"subdir": "linux-64"}, "packages": {}}
        ).encode(),
        f"{prefix}/noarch/{PACKAGE_NAME}": package,
    }


def fresh_user(base: RealConda, home: Path, **extra: str) -> RealConda:
    """``base``'s conda with a new empty ``home``, the harness keyring and no prompts."""
    home.mkdir(parents=True, exist_ok=True)
    env = {
        "PYTHONPATH": SHARED,
        "PYTHON_KEYRING_BACKEND": "testharness.keyring_backend.FileKeyring",
        "TESTHARNESS_KEYRING_FILE": str(home / "keyring.json"),
        "CONDA_SESSION_NO_PROMPT": "1",
        "CONDA_SESSION_OAUTH_DIR": str(home / "oauth-state"),
        **extra,
    }
    return RealConda(prefix=base.prefix, home=home, installed=base.installed, extra_env=env)


def output(proc: object) -> str:
    stdout = getattr(proc, "stdout", "") or ""
    stderr = getattr(proc, "stderr", "") or ""
    return f"{stdout[-2500:]}\n{stderr[-2500:]}"
