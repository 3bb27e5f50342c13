"""basic-auth against a real channel on 127.0.0.1: sources, scoping, redirects, logs, threads."""

from __future__ import annotations

import base64
import threading
from pathlib import Path

import pytest
import requests
from session_basic_auth.plugin import conda_before_actions, conda_session_classes
from session_basic_auth.session import BasicAuthSession
from session_basic_auth.sources import env_prefix

from plugin_contract.session.channels import ChannelMatch, ChannelPattern
from plugin_contract.session.config import SessionConfig
from plugin_contract.session.credentials import CredentialStore
from plugin_contract.session.errors import CredentialsError
from plugin_contract.session.registry import SessionRegistry, run_before_actions
from testharness.channel import ChannelServer
from testharness.keyring_backend import read_count

from .conftest import PASSWORD, USER

REPODATA = "/channel/noarch/repodata.json"
ENCODED = base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()


def write_condarc(home: dict[str, str], server: ChannelServer, **settings: str) -> None:
    lines = [f"  - channel: {server.url}/channel", "    auth: basic-auth"]
    lines += [f"    {key}: {value}" for key, value in settings.items()]
    Path(home["CONDARC"]).write_text("channel_settings:\n" + "\n".join(lines) + "\n")


def registry_for(home: dict[str, str]) -> SessionRegistry:
    return SessionRegistry(
        config=SessionConfig.load(environ=home),
        classes=list(conda_session_classes()),
        before_actions=list(conda_before_actions()),
    )


def store_login(server: ChannelServer, password: str = PASSWORD) -> None:
    CredentialStore().save(
        "basic-auth", f"{server.url}/channel", {"username": USER, "password": password}
    )


def test_keyring_credentials_reach_the_channel(home: dict[str, str], server: ChannelServer) -> None:
    write_condarc(home, server)
    store_login(server)
    session = registry_for(home).get_session(server.url + REPODATA)
    assert isinstance(session, BasicAuthSession)
    assert session.get(server.url + REPODATA).json()["info"]["subdir"] == "noarch"
    assert server.authorizations() == [f"Basic {ENCODED}"]


def test_environment_beats_the_keyring(home: dict[str, str], server: ChannelServer) -> None:
    write_condarc(home, server)
    store_login(server, password="stale")
    reads_before = read_count()
    channel = ChannelMatch(ChannelPattern.parse(f"{server.url}/channel"), "basic-auth", {})
    prefix = env_prefix(channel)
    env = {**home, f"{prefix}_USERNAME": USER, f"{prefix}_PASSWORD": PASSWORD}
    registry = SessionRegistry(
        config=SessionConfig.load(environ=env),
        classes=list(conda_session_classes()),
        before_actions=[],
    )
    assert registry.get_session(server.url + REPODATA).get(server.url + REPODATA).ok
    assert read_count() == reads_before


def test_secret_file_with_username_setting(
    home: dict[str, str], server: ChannelServer, tmp_path: Path
) -> None:
    secret = tmp_path / "run-secrets" / "channel"
    secret.parent.mkdir()
    secret.write_text(PASSWORD + "\n")
    write_condarc(home, server, username=USER, password_file=str(secret))
    assert registry_for(home).get_session(server.url + REPODATA).get(server.url + REPODATA).ok


def test_missing_secret_file_is_a_clear_error(
    home: dict[str, str], server: ChannelServer, tmp_path: Path
) -> None:
    write_condarc(home, server, username=USER, password_file=str(tmp_path / "absent"))
    session = registry_for(home).get_session(server.url + REPODATA)
    with pytest.raises(CredentialsError, match=r"password_file .*absent .*does not exist"):
        session.get(server.url + REPODATA)
    assert server.recorded() == []


def test_netrc_is_the_last_stored_source(home: dict[str, str], server: ChannelServer) -> None:
    Path(home["NETRC"]).write_text(f"machine 127.0.0.1 login {USER} password {PASSWORD}\n")
    Path(home["NETRC"]).chmod(0o600)
    write_condarc(home, server)
    assert registry_for(home).get_session(server.url + REPODATA).get(server.url + REPODATA).ok


def test_netrc_without_a_usable_keyring(home: dict[str, str], server: ChannelServer) -> None:
    import keyring
    from keyring.backends.fail import Keyring as FailKeyring

    Path(home["NETRC"]).write_text(f"machine 127.0.0.1 login {USER} password {PASSWORD}\n")
    Path(home["NETRC"]).chmod(0o600)
    write_condarc(home, server)
    previous = keyring.get_keyring()
    keyring.set_keyring(FailKeyring())
    try:
        session = registry_for(home).get_session(server.url + REPODATA)
        assert session.get(server.url + REPODATA).ok
    finally:
        keyring.set_keyring(previous)


def test_missing_credentials_fail_closed_naming_the_sources(
    home: dict[str, str], server: ChannelServer
) -> None:
    write_condarc(home, server)
    session = registry_for(home).get_session(server.url + REPODATA)
    with pytest.raises(CredentialsError) as caught:
        session.get(server.url + REPODATA)
    message = str(caught.value)
    assert "no credentials for" in message
    assert "CONDA_BASIC_AUTH_127_0_0_1_" in message
    assert "keyring" in message
    assert server.recorded() == []


def test_wrong_credentials_give_401_and_a_hint_without_the_password(
    home: dict[str, str], server: ChannelServer
) -> None:
    write_condarc(home, server)
    store_login(server, password="wrong-password-xyz")
    session = registry_for(home).get_session(server.url + REPODATA)
    response = session.get(server.url + REPODATA)
    assert response.status_code == 401
    hint = session.explain_status(response)
    assert "'alice'" in hint
    assert "keyring" in hint
    assert "wrong-password-xyz" not in hint


def test_credentials_stay_inside_the_channel_on_look_alike_urls(
    home: dict[str, str], server: ChannelServer
) -> None:
    write_condarc(home, server)
    store_login(server)
    registry = registry_for(home)
    port = server.port
    for url in (
        f"http://127.0.0.1:{port}/channel-other/noarch/repodata.json",
        f"http://localhost:{port}/channel/noarch/repodata.json",
        f"http://127.0.0.1:{port}/other/channel/noarch/repodata.json",
    ):
        registry.get_session(url).get(url)
    assert server.authorizations() == []


def test_redirect_to_another_origin_leaks_nothing(
    home: dict[str, str], server: ChannelServer, other_origin: ChannelServer
) -> None:
    write_condarc(home, server)
    store_login(server)
    server.redirects[REPODATA] = other_origin.url + REPODATA
    session = registry_for(home).get_session(server.url + REPODATA)
    assert session.get(server.url + REPODATA).status_code == 200
    assert server.authorizations() == [f"Basic {ENCODED}"]
    assert other_origin.recorded()
    assert other_origin.authorizations() == []


def test_redirect_back_into_the_channel_gets_credentials_again(
    home: dict[str, str], server: ChannelServer, other_origin: ChannelServer
) -> None:
    write_condarc(home, server)
    store_login(server)
    other_origin.redirects["/bounce"] = server.url + REPODATA
    session = registry_for(home).get_session(server.url + REPODATA)
    assert session.get(other_origin.url + "/bounce").status_code == 200
    assert other_origin.authorizations() == []
    assert server.authorizations() == [f"Basic {ENCODED}"]


def test_debug_logging_and_reprs_leak_nothing(
    home: dict[str, str], server: ChannelServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("DEBUG")
    write_condarc(home, server)
    store_login(server, password="wrong-pass-for-401")
    session = registry_for(home).get_session(server.url + REPODATA)
    session.get(server.url + REPODATA)
    store_login(server)
    fresh = registry_for(home).get_session(server.url + REPODATA)
    fresh.get(server.url + REPODATA)
    assert caplog.records
    shown = caplog.text + repr(session) + repr(fresh) + repr(fresh.credentials())
    shown += repr(fresh.__dict__)
    for secret in (PASSWORD, ENCODED, "wrong-pass-for-401"):
        assert secret not in shown


def test_sixteen_threads_trigger_one_credential_lookup(
    home: dict[str, str], server: ChannelServer
) -> None:
    write_condarc(home, server)
    store_login(server)
    reads_before = read_count()
    registry = registry_for(home)
    barrier = threading.Barrier(16)
    statuses: list[int] = []
    errors: list[BaseException] = []

    def download(index: int) -> None:
        try:
            barrier.wait(timeout=10)
            url = server.url + REPODATA
            statuses.append(registry.get_session(url).get(url, timeout=10).status_code)
        except BaseException as error:  # collected and reported below
            errors.append(error)

    threads = [threading.Thread(target=download, args=(i,)) for i in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    assert statuses == [200] * 16
    assert read_count() == reads_before + 1
    assert registry.get_session(server.url + REPODATA).credential_lookups == 1
    assert len(server.authorizations()) == 16


def test_plain_http_to_a_remote_channel_is_refused(home: dict[str, str]) -> None:
    Path(home["CONDARC"]).write_text(
        "channel_settings:\n  - channel: http://repo.example.invalid/c\n    auth: basic-auth\n"
    )
    CredentialStore().save(
        "basic-auth", "http://repo.example.invalid/c", {"username": USER, "password": PASSWORD}
    )
    session = registry_for(home).get_session("http://repo.example.invalid/c/noarch/repodata.json")
    with pytest.raises(CredentialsError, match="refusing to send credentials"):
        session.get("http://repo.example.invalid/c/noarch/repodata.json")


def test_before_action_prompts_once_when_interactive(
    home: dict[str, str], server: ChannelServer
) -> None:
    write_condarc(home, server)
    registry = registry_for(home)
    asked: list[str] = []

    def answer(prompt: str) -> str:
        asked.append(prompt)
        return PASSWORD if "password" in prompt else USER

    urls = [server.url + REPODATA, server.url + "/channel/noarch/tiny-1.0-0.tar.bz2"]
    run_before_actions(
        "fetch", urls, registry=registry, interactive=True, input_func=answer, secret_func=answer
    )
    assert len(asked) == 2
    for url in urls:
        assert registry.get_session(url).get(url).status_code == 200
    assert all(PASSWORD not in prompt for prompt in asked)


def test_before_action_never_prompts_when_not_interactive(
    home: dict[str, str], server: ChannelServer
) -> None:
    write_condarc(home, server)

    def forbidden(prompt: str) -> str:
        raise AssertionError("prompted in a non-interactive run")

    with pytest.raises(CredentialsError, match="not interactive"):
        run_before_actions(
            "fetch",
            [server.url + REPODATA],
            registry=registry_for(home),
            interactive=False,
            input_func=forbidden,
            secret_func=forbidden,
        )


def test_before_action_skips_channels_with_credentials(
    home: dict[str, str], server: ChannelServer
) -> None:
    write_condarc(home, server)
    store_login(server)

    def forbidden(prompt: str) -> str:
        raise AssertionError("prompted although the keyring has credentials")

    run_before_actions(
        "fetch",
        [server.url + REPODATA],
        registry=registry_for(home),
        interactive=True,
        input_func=forbidden,
        secret_func=forbidden,
    )


def test_a_plain_requests_session_is_unchanged(server: ChannelServer) -> None:
    assert requests.get(server.url + REPODATA, timeout=10).status_code == 401
