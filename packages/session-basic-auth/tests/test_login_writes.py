"""What ``conda-session login`` writes: merged entries, exact rollback, many logins at once."""

from __future__ import annotations

import configparser
import errno
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from testharness.channel import ChannelServer
from testharness.tools import in_ci

from .conftest import PASSWORD, USER
from .test_cli import conda_session, login

CI = in_ci()  # read before the `home` fixture removes CI from the environment
REPODATA = "/channel/noarch/repodata.json"


@pytest.fixture
def tiny_tmpfs(tmp_path: Path) -> Iterator[Path]:
    """A real 64 KiB tmpfs (root only), unmounted afterwards."""
    mount_point = tmp_path / "tiny"
    mount_point.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=64k,mode=0755", "tmpfs", str(mount_point)],
        capture_output=True,
        text=True,
        check=False,
    )
    if mounted.returncode != 0:
        reason = f"cannot mount a tiny tmpfs for the disk-full test: {mounted.stderr.strip()}"
        if CI:
            pytest.fail(f"{reason}; CI runs the tests as root", pytrace=False)
        pytest.skip(reason)
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", "-l", str(mount_point)], check=False)


def fill(directory: Path) -> None:
    """Use up every free byte of the file system holding ``directory``."""
    with (  # noqa: PT012 - opening the filler may be what runs out of space
        pytest.raises(OSError, match="No space left") as raised,
        (directory / "filler").open("wb") as filler,
    ):
        while True:
            filler.write(b"\0" * 4096)
            filler.flush()
    assert raised.value.errno == errno.ENOSPC


def entries(env: dict[str, str]) -> list[dict[str, str]]:
    return list(yaml.safe_load(Path(env["CONDARC"]).read_text())["channel_settings"])


def test_login_again_keeps_the_entry_settings(
    subprocess_env: dict[str, str], server: ChannelServer
) -> None:
    channel = server.url + "/channel"
    condarc = Path(subprocess_env["CONDARC"])
    condarc.write_text(
        "# mine\nchannel_settings:\n"
        f"  - channel: {channel}\n    auth: basic-auth\n    env_prefix: MYREPO\n"
        "    password_file: ~/secret   # for CI\n"
    )
    done = login(subprocess_env, channel, PASSWORD, "--allow-http")
    assert done.returncode == 0, done.stderr
    assert condarc.read_text() == (  # the channel becomes the '/*' form conda matches for shards
        "# mine\nchannel_settings:\n"
        f"  - channel: {channel}/*\n    auth: basic-auth\n    env_prefix: MYREPO\n"
        "    allow_http: 'true'\n    password_file: ~/secret   # for CI\n"
    )


def test_a_login_that_cannot_write_the_condarc_keeps_the_working_credential(
    subprocess_env: dict[str, str], server: ChannelServer, tiny_tmpfs: Path
) -> None:
    env = {**subprocess_env, "CONDARC": str(tiny_tmpfs / ".condarc")}
    channel = server.url + "/channel"
    assert login(env, channel, PASSWORD).returncode == 0
    before = Path(env["CONDARC"]).read_bytes()
    fill(tiny_tmpfs)

    failed = login(env, channel, "a-new-password", "--allow-http")

    assert failed.returncode == 1
    assert failed.stderr.count("\n") == 1, failed.stderr
    assert failed.stderr.startswith(f"conda-session: error: cannot write {env['CONDARC']}: ")
    assert "(ENOSPC)" in failed.stderr
    assert Path(env["CONDARC"]).read_bytes() == before
    status = json.loads(conda_session(env, "status", "--json").stdout)
    assert status["channels"][0]["details"]["credential"] == "keyring"
    fetched = conda_session(env, "fetch", server.url + REPODATA)
    assert fetched.returncode == 0, fetched.stderr  # still the old, working password


def test_a_full_disk_under_the_keyring_file_leaves_it_intact(
    subprocess_env: dict[str, str], server: ChannelServer, tiny_tmpfs: Path
) -> None:
    env = {
        **subprocess_env,
        "PYTHON_KEYRING_BACKEND": "keyrings.alt.file.PlaintextKeyring",
        "XDG_DATA_HOME": str(tiny_tmpfs),
    }
    channel = server.url + "/channel"
    assert login(env, channel, PASSWORD).returncode == 0
    keyring_file = next(tiny_tmpfs.rglob("*.cfg"))
    before = keyring_file.read_bytes()
    fill(tiny_tmpfs)

    failed = login(env, channel, "a-new-password-" + "x" * 6000)  # more than the freed block

    assert failed.returncode == 1
    assert failed.stderr.count("\n") == 1, failed.stderr
    assert f"cannot write the keyring file {keyring_file}" in failed.stderr
    assert "(ENOSPC)" in failed.stderr
    assert keyring_file.read_bytes() == before
    assert conda_session(env, "fetch", server.url + REPODATA).returncode == 0


def test_forty_simultaneous_logins_lose_nothing(
    subprocess_env: dict[str, str], tmp_path: Path
) -> None:
    env = {
        **subprocess_env,
        "PYTHON_KEYRING_BACKEND": "keyrings.alt.file.PlaintextKeyring",
        "XDG_DATA_HOME": str(tmp_path / "data"),
    }
    channels = [f"http://127.0.0.1:9/team-{n}" for n in range(40)]
    code = "import sys; from plugin_contract.session.cli import main; sys.exit(main())"
    processes = [
        subprocess.Popen(
            [
                sys.executable,
                "-c",
                code,
                "login",
                channel,
                "--session",
                "basic-auth",
                "--username",
                USER,
                "--password-stdin",
            ],
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for channel in channels
    ]
    for number, process in enumerate(processes):
        _, err = process.communicate(f"pw-{number}\n", timeout=90)
        assert process.returncode == 0, err
    assert sorted(entry["channel"] for entry in entries(env)) == sorted(f"{c}/*" for c in channels)
    stored = configparser.ConfigParser()
    stored.read(next((tmp_path / "data").rglob("*.cfg")), encoding="utf-8")
    assert len(stored.sections()) == 40
    status = json.loads(conda_session(env, "status", "--json").stdout)
    assert {row["details"]["credential"] for row in status["channels"]} == {"keyring"}
