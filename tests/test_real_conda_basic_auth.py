"""session-basic-auth inside a real conda 26.7.1, as conda users use it: every credential
source, every channel form, ``conda search`` / ``create -p`` / ``install``, redirects, wrong and
missing credentials. One conda install for the module, a fresh home per test."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from testharness.channel import ChannelServer, basic_auth_check
from testharness.conda import RealConda
from testharness.conda_channels import fresh_user, installable_channel, output
from testharness.plugin import RealCondaFactory

pytestmark = pytest.mark.slow

USER, PASSWORD = "ci-bot", "s3cret"
FAIL_KEYRING = {"PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}


@pytest.fixture(scope="module")
def base(real_conda_factory: RealCondaFactory) -> RealConda:
    return real_conda_factory("session-basic-auth", "session-oauth")


@pytest.fixture
def conda(base: RealConda, tmp_path: Path) -> RealConda:
    return fresh_user(base, tmp_path / "home")


@pytest.fixture
def server() -> Iterator[ChannelServer]:
    with ChannelServer(
        installable_channel("/private"), auth_check=basic_auth_check(USER, PASSWORD)
    ) as running:
        yield running


def channel_entry(form: str, url: str, settings: str = "") -> tuple[str, str]:
    """(condarc text, the ``-c`` argument) for the channel named as a user would in ``form``."""
    if form == "alias":
        return f"channel_alias: {url}\nchannel_settings:\n  - channel: private\n{settings}", (
            "private"
        )
    pattern = f"{url}/private/*" if form == "pattern" else f"{url}/private"
    return f"channel_settings:\n  - channel: {pattern}\n{settings}", f"{url}/private"


def search(conda: RealConda, channel: str, **env: str) -> subprocess.CompletedProcess[str]:
    return conda.run("search", "--override-channels", "-c", channel, "tiny", env=env)


def login(conda: RealConda, channel: str, **env: str) -> None:
    proc = conda.run_program(
        [
            str(conda.prefix / "bin" / "conda-session"),
            *("login", channel, "--session", "basic-auth", "--username", USER),
            "--password-stdin",
        ],
        stdin=f"{PASSWORD}\n",
        env=env,
    )
    assert proc.returncode == 0, output(proc)


@pytest.mark.parametrize(
    ("source", "form"),
    [
        ("env", "pattern"),
        ("secret-file", "alias"),
        ("keyring", "exact"),
        ("keyring", "alias"),
        ("netrc", "pattern"),
        ("netrc-without-keyring", "exact"),
    ],
)
def test_conda_search_authenticates_from_each_source(
    conda: RealConda, server: ChannelServer, source: str, form: str
) -> None:
    env = FAIL_KEYRING if source == "netrc-without-keyring" else {}
    settings = "    auth: basic-auth\n"
    if source == "env":
        settings += "    env_prefix: PRIVATE\n"
        env = {"PRIVATE_USERNAME": USER, "PRIVATE_PASSWORD": PASSWORD}
    elif source == "secret-file":
        secret = conda.home / "secret"
        secret.write_text(PASSWORD + "\n")
        settings += f"    username: {USER}\n    password_file: {secret}\n"
    elif source.startswith("netrc"):
        netrc = conda.home / ".netrc"
        netrc.write_text(f"machine 127.0.0.1 login {USER} password {PASSWORD}\n")
        netrc.chmod(0o600)
    condarc, channel = channel_entry(form, server.url, settings)
    if source == "keyring":
        conda.write_condarc(condarc.split("channel_settings:")[0])
        login(conda, channel, **env)
        assert PASSWORD not in conda.condarc.read_text()
    else:
        conda.write_condarc(condarc)
    result = search(conda, channel, **env)
    assert result.returncode == 0, output(result)
    assert "tiny" in result.stdout
    sent = server.authorizations()
    assert sent, "conda sent no credentials"
    assert all(value.startswith("Basic ") for value in sent)
    unauthenticated = [r.path for r in server.recorded() if r.authorization is None]
    if form != "pattern" and source != "keyring":
        # conda does not match a name or exact-URL entry to the shard index it probes first
        # (``repodata_shards.msgpack.zst`` is named ``private/repodata_shards.msgpack.zst``);
        # that probe goes without credentials (a 401, then repodata.json). A ``/*`` pattern
        # covers it, and that is what ``conda-session login`` writes (the keyring rows).
        unauthenticated = [p for p in unauthenticated if "repodata_shards" not in p]
    assert unauthenticated == []


def test_conda_create_and_install_through_basic_auth(
    conda: RealConda, server: ChannelServer
) -> None:
    condarc, channel = channel_entry(
        "pattern", server.url, "    auth: basic-auth\n    env_prefix: PRIVATE\n"
    )
    conda.write_condarc(condarc)
    env = {"PRIVATE_USERNAME": USER, "PRIVATE_PASSWORD": PASSWORD}
    created = conda.home / "created"
    create = conda.run(
        "create", "-y", "-p", str(created), "--override-channels", "-c", channel, "tiny", env=env
    )
    assert create.returncode == 0, output(create)
    assert (created / "share" / "tiny.txt").read_text() == "tiny\n"
    empty = conda.home / "empty"
    assert conda.run("create", "-y", "-p", str(empty), env=env).returncode == 0
    install = conda.run(
        "install", "-y", "-p", str(empty), "--override-channels", "-c", channel, "tiny", env=env
    )
    assert install.returncode == 0, output(install)
    assert (empty / "share" / "tiny.txt").is_file()
    assert any(r.path.endswith(".tar.bz2") and r.authorization for r in server.recorded())


@pytest.mark.parametrize("where", ["same-origin-other-path", "other-origin"])
def test_credentials_do_not_follow_a_redirect_out_of_the_channel(
    conda: RealConda, where: str
) -> None:
    files = installable_channel("/private")
    outside_files = installable_channel("/outside")
    with (
        ChannelServer({**files, **outside_files}) as channel,
        ChannelServer(outside_files) as other,
    ):
        target = channel.url if where == "same-origin-other-path" else other.url
        for subdir in ("noarch", "linux-64"):
            channel.redirects[f"/private/{subdir}/repodata.json"] = (
                f"{target}/outside/{subdir}/repodata.json"
            )
        condarc, url = channel_entry(
            "pattern", channel.url, "    auth: basic-auth\n    env_prefix: PRIVATE\n"
        )
        conda.write_condarc(condarc)
        result = search(conda, url, PRIVATE_USERNAME=USER, PRIVATE_PASSWORD=PASSWORD)
        assert result.returncode == 0, output(result)
        requests = channel.recorded() + other.recorded()
        inside = [r for r in requests if r.path.startswith("/private/")]
        outside = [r for r in requests if r.path.startswith("/outside/")]
        assert inside, "conda never asked the channel"
        assert all(r.authorization for r in inside)
        assert outside, "the redirect was not followed"
        assert [r.authorization for r in outside] == [None] * len(outside)


def test_wrong_credentials_fail_with_one_readable_error(
    conda: RealConda, server: ChannelServer
) -> None:
    condarc, channel = channel_entry(
        "pattern", server.url, "    auth: basic-auth\n    env_prefix: PRIVATE\n"
    )
    conda.write_condarc(condarc)
    result = search(conda, channel, PRIVATE_USERNAME=USER, PRIVATE_PASSWORD="wrong")
    assert result.returncode != 0
    assert "401" in output(result) or "credentials" in output(result).lower(), output(result)
    assert "Traceback" not in output(result)
    assert "wrong" not in output(result)


def test_missing_credentials_send_nothing_and_name_the_sources(
    conda: RealConda, server: ChannelServer
) -> None:
    condarc, channel = channel_entry(
        "pattern", server.url, "    auth: basic-auth\n    env_prefix: PRIVATE\n"
    )
    conda.write_condarc(condarc)
    result = search(conda, channel)
    assert result.returncode != 0
    assert "Traceback" not in output(result)
    assert "PRIVATE_PASSWORD" in output(result), output(result)
    assert server.authorizations() == []


def test_no_keyring_and_no_credentials_is_one_line_naming_the_keyring(
    conda: RealConda, server: ChannelServer
) -> None:
    condarc, channel = channel_entry("pattern", server.url, "    auth: basic-auth\n")
    conda.write_condarc(condarc)
    result = search(conda, channel, **FAIL_KEYRING)
    assert result.returncode != 0
    assert "Traceback" not in output(result)
    assert "no usable system keyring" in output(result), output(result)
    assert server.authorizations() == []


@pytest.mark.parametrize(
    "entry", ["    auth: basic-auht\n", "    session: basic-auth\n"], ids=["typo", "session-key"]
)
def test_an_unknown_handler_name_is_one_line_naming_the_installed_handlers(
    conda: RealConda, server: ChannelServer, entry: str
) -> None:
    condarc, channel = channel_entry("pattern", server.url, entry)
    conda.write_condarc(condarc)
    result = search(conda, channel, CONDA_BASIC_AUTH_USERNAME=USER)
    assert result.returncode != 0
    assert "Traceback" not in output(result)
    assert "basic-auth" in result.stderr
    assert "oauth" in result.stderr, output(result)
    assert server.recorded() == [], "nothing may be fetched with a broken channel entry"
