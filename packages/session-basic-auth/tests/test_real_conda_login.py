"""Real conda 26.7.1: ``conda-session login NAME`` under ``channel_alias`` writes the entry
conda matches for every URL of the channel (``ALIAS/NAME/*``, the shard probe included), so
``conda search -c NAME`` is authenticated throughout and ``which`` says the same."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from testharness.channel import CHANNEL_SUBDIR, ChannelServer, basic_auth_check, channel_files
from testharness.plugin import RealCondaFactory

SHARED = str(Path(__file__).resolve().parents[3] / "shared")

pytestmark = pytest.mark.slow


def test_login_by_name_under_channel_alias_then_conda_search(
    real_conda_factory: RealCondaFactory, tmp_path: Path
) -> None:
    conda = real_conda_factory("session-basic-auth")
    files = channel_files("/basic")
    files["/basic/linux-64/repodata.json"] = json.dumps(
        {"info": {"subdir": "linux-64"}, "packages": {}}
    ).encode()
    env = {
        "PYTHONPATH": SHARED,
        "PYTHON_KEYRING_BACKEND": "testharness.keyring_backend.FileKeyring",
        "TESTHARNESS_KEYRING_FILE": str(tmp_path / "keyring.json"),
        "CONDA_SESSION_NO_PROMPT": "1",
    }
    with ChannelServer(files, auth_check=basic_auth_check("ci-bot", "s3cret")) as server:
        conda.write_condarc(f"channel_alias: {server.url}\n")
        login = subprocess.run(
            [
                str(conda.prefix / "bin" / "conda-session"),
                "login",
                "basic",
                "--session",
                "basic-auth",
                "--username",
                "ci-bot",
                "--password-stdin",
            ],
            input="s3cret\n",
            capture_output=True,
            text=True,
            env=conda.env(env),
            timeout=60,
            check=False,
            cwd=conda.home,
        )
        assert login.returncode == 0, login.stderr
        condarc = conda.condarc.read_text(encoding="utf-8")
        assert f"- channel: {server.url}/basic/*\n" in condarc, condarc
        assert "s3cret" not in condarc
        search = conda.run("search", "--override-channels", "-c", "basic", "tiny", env=env)
        assert search.returncode == 0, search.stdout[-2000:] + search.stderr[-2000:]
        assert "tiny" in search.stdout
        assert server.authorizations(), "conda sent no credentials"
        assert any(CHANNEL_SUBDIR in r.path for r in server.recorded())
        unauthenticated = [r.path for r in server.recorded() if r.authorization is None]
        assert unauthenticated == [], "the shard probe too must carry credentials"
        shards = f"{server.url}/basic/noarch/repodata_shards.msgpack.zst"
        which = subprocess.run(
            [str(conda.prefix / "bin" / "conda-session"), "which", "--json", shards],
            capture_output=True,
            text=True,
            env=conda.env(env),
            timeout=60,
            check=False,
            cwd=conda.home,
        )
        assert which.returncode == 0, which.stderr
        chosen = json.loads(which.stdout)
        assert (chosen["session"], chosen["conda"]["auth"]) == ("basic-auth", "basic-auth")
        assert chosen["channel"] == f"{server.url}/basic"
