"""Issue 12: one URL-scoping rule for basic-auth too, against a real channel on 127.0.0.1."""

from __future__ import annotations

import pytest
import requests

from testharness.channel import ChannelServer

from .test_credentials import ENCODED, REPODATA, registry_for, store_login, write_condarc


def test_same_origin_redirect_outside_the_channel_path_strips_basic_auth(
    home: dict[str, str], server: ChannelServer
) -> None:
    server.redirects[REPODATA] = "/other/noarch/repodata.json"
    server.files["/other/noarch/repodata.json"] = b"{}"
    write_condarc(home, server)
    store_login(server)
    session = registry_for(home).get_session(server.url + REPODATA)
    session.get(server.url + REPODATA)
    sent = {r.path: r.authorization for r in server.recorded()}
    assert sent[REPODATA] == f"Basic {ENCODED}"
    assert sent["/other/noarch/repodata.json"] is None


@pytest.mark.parametrize("escape", ["..%2Fother", "..%5Cother", "%2e%2e%2fother", "%252e%252e/x"])
def test_percent_encoded_dot_segments_are_outside_the_channel(
    home: dict[str, str], server: ChannelServer, escape: str
) -> None:
    write_condarc(home, server)
    store_login(server)
    session = registry_for(home).get_session(server.url + REPODATA)
    session.get(f"{server.url}/channel/{escape}/noarch/repodata.json")
    assert server.authorizations() == []


def test_redirect_to_a_local_file_is_refused(home: dict[str, str], server: ChannelServer) -> None:
    server.redirects[REPODATA] = "file:///etc/passwd"
    write_condarc(home, server)
    store_login(server)
    session = registry_for(home).get_session(server.url + REPODATA)
    with pytest.raises(requests.exceptions.InvalidSchema, match="only http"):
        session.get(server.url + REPODATA)


@pytest.mark.parametrize("record", ['{"username": "ci", "password": null}', '{"password": 7}'])
def test_a_damaged_keyring_record_is_refused_before_sending(
    home: dict[str, str], server: ChannelServer, record: str
) -> None:
    import keyring

    from plugin_contract.session.credentials import CredentialStore
    from plugin_contract.session.errors import CredentialStoreError

    write_condarc(home, server)
    store = CredentialStore()
    keyring.set_password(store.service("basic-auth", f"{server.url}/channel"), "credential", record)
    session = registry_for(home).get_session(server.url + REPODATA)
    with pytest.raises(CredentialStoreError, match="damaged"):
        session.get(server.url + REPODATA)
    assert server.authorizations() == []


def test_password_option_is_not_password_stdin_and_is_not_echoed(
    home: dict[str, str], server: ChannelServer
) -> None:
    import subprocess
    import sys

    code = "import sys; from plugin_contract.session.cli import main; sys.exit(main())"
    proc = subprocess.run(
        [
            sys.executable,
            "-c",
            code,
            "login",
            server.url + "/channel",
            "--session",
            "basic-auth",
            "--username",
            "ci",
            "--password",
            "hunter2",
        ],
        env={**home, "CONDA_SESSION_NO_PROMPT": "1"},
        input="",
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 2
    assert "hunter2" not in proc.stderr + proc.stdout
    assert "--password" in proc.stderr
    assert server.recorded() == []
