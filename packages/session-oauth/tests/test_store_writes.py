"""Token and entry writes that lose nothing: re-login merges, client credentials on demand,
and 40 processes refreshing 10 channels at once (file store and a one-file keyring)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from testharness.channel import ChannelServer, channel_files
from testharness.oauth_kit import ci_bot_login, ci_settings, conda_session, logged_in, make_session
from testharness.oidc import OidcProvider

pytestmark = pytest.mark.slow
WORKER = Path(__file__).parent / "storm_worker.py"
REPODATA = "/noarch/repodata.json"


def ci_login(env: dict[str, str], url: str, *options: str) -> subprocess.CompletedProcess[str]:
    return conda_session(
        env, "login", url, "--session", "oauth", "--flow", "client-credentials", *options
    )


def test_login_again_keeps_the_oauth_settings(
    fresh_provider: OidcProvider, env: dict[str, str], channel: ChannelServer
) -> None:
    url = channel.url + "/channel"
    first = ci_bot_login(env, url, fresh_provider.issuer)
    assert first.returncode == 0, first.stderr
    again = ci_login(env, url, "--oauth-scopes", "channel:read")
    assert again.returncode == 0, again.stderr
    condarc = Path(env["CONDARC"]).read_text()
    for kept in ("oauth_client_id: ci-bot", "oauth_client_secret_env: CI_BOT_SECRET"):
        assert kept in condarc
    assert "oauth_scopes: channel:read" in condarc
    fetched = conda_session(env, "fetch", url + REPODATA)
    assert fetched.returncode == 0, fetched.stderr


def storm(
    env: dict[str, str], urls: list[str], settings: dict[str, str], tmp_path: Path, threads: int
) -> list[object]:
    """One storm_worker process per URL, all released at once; every outcome they saw."""
    go = tmp_path / f"go-{time.monotonic_ns()}"
    ready = [tmp_path / f"ready-{n}-{go.name}" for n in range(len(urls))]
    processes = [
        subprocess.Popen(
            [sys.executable, str(WORKER), url, json.dumps(settings), str(threads), str(r), str(go)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env={**os.environ, **env},
            text=True,
        )
        for url, r in zip(urls, ready, strict=True)
    ]
    deadline = time.monotonic() + 90
    while not all(path.exists() for path in ready) and time.monotonic() < deadline:
        time.sleep(0.02)
    go.touch()
    outcomes: list[object] = []
    for process in processes:
        out, err = process.communicate(timeout=240)
        assert process.returncode == 0, err
        seen = json.loads(out.strip().splitlines()[-1])
        assert len(seen) == threads, err  # a thread that never finished
        outcomes += seen
    return outcomes


def test_client_credentials_on_demand_single_flight_without_login(
    fresh_provider: OidcProvider, env: dict[str, str], channel: ChannelServer, tmp_path: Path
) -> None:
    url = channel.url + "/channel"
    settings = ci_settings(fresh_provider, oauth_flow="client-credentials")
    Path(env["CONDARC"]).write_text(
        "channel_settings:\n  - " + json.dumps({"channel": url, "auth": "oauth", **settings}) + "\n"
    )
    outcomes = storm(env, [url] * 3, settings, tmp_path, threads=4)
    assert outcomes == [200] * 12
    fetched = conda_session(env, "fetch", url + REPODATA)
    assert fetched.returncode == 0, fetched.stderr
    stats = fresh_provider.stats()
    assert stats["byGrant"] == {"client_credentials": 1}, stats
    assert stats["errors"] == {}


@pytest.mark.parametrize("storage", ["file", "keyring"])
def test_forty_processes_refreshing_ten_channels_lose_nothing(
    storage: str,
    fresh_provider: OidcProvider,
    env: dict[str, str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    if storage == "keyring":  # keyrings.alt keeps every entry in one file
        one_file = {
            "PYTHON_KEYRING_BACKEND": "keyrings.alt.file.PlaintextKeyring",
            "XDG_DATA_HOME": str(tmp_path / "keyring-data"),
        }
        for key, value in one_file.items():
            monkeypatch.setenv(key, value)
        env = {**env, **one_file}
        import keyring.core

        keyring.core.init_backend()
        assert type(keyring.get_keyring()).__name__ == "PlaintextKeyring"
    files = {path: body for n in range(10) for path, body in channel_files(f"/team-{n}").items()}
    with ChannelServer(
        files=files,
        auth_check=fresh_provider.bearer_is_active,
        auth_challenge='Bearer error="invalid_token"',
    ) as channel:
        refresh_ten_channels(storage, fresh_provider, env, channel, tmp_path)


def refresh_ten_channels(
    storage: str, provider: OidcProvider, env: dict[str, str], channel: ChannelServer, tmp: Path
) -> None:
    urls = [f"{channel.url}/team-{n}" for n in range(10)]
    with ThreadPoolExecutor(10) as pool:
        sessions = list(
            pool.map(lambda url: logged_in(provider, env, url, oauth_token_storage=storage), urls)
        )
    settings = sessions[0].oauth_settings()
    worker_settings = {
        "oauth_issuer": provider.issuer,
        "oauth_client_id": settings.client_id,
        "oauth_scopes": settings.scopes,
        "oauth_token_storage": storage,
    }
    for session in sessions:
        stored = session.manager.stored()
        assert stored is not None
        session.manager.save(stored.expired())
    provider.reset()

    outcomes = storm(env, urls * 4, worker_settings, tmp, threads=1)

    assert outcomes == [200] * 40
    stats = provider.stats()
    assert stats["byGrant"] == {"refresh_token": 10}, stats  # one per channel, none reused
    assert stats["errors"] == {}
    for url in urls:  # the next round: every channel's newest refresh token works
        next_round = make_session(url, worker_settings, env)
        stored = next_round.manager.stored()
        assert stored is not None
        next_round.manager.save(stored.expired())
        assert next_round.get(url + REPODATA).status_code == 200
    stats = provider.stats()
    assert stats["byGrant"] == {"refresh_token": 20}, stats
    assert stats["errors"] == {}
