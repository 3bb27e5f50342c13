"""session-oauth inside a real conda 26.7.1: a static token from the environment (search,
``create -p``, ``install``), a token saved by ``conda-session login`` (device flow against a
real oidc-provider) used by conda, refresh after a 401 and before expiry, redirects."""

from __future__ import annotations

import json
import os
import pty
import select
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from testharness.channel import ChannelServer, bearer_check
from testharness.conda import RealConda
from testharness.conda_channels import fresh_user, installable_channel, output
from testharness.oidc import OidcProvider, start_oidc_provider
from testharness.plugin import RealCondaFactory
from testharness.repo import ROOT

pytestmark = pytest.mark.slow

OIDC_DIR = ROOT / "packages" / "session-oauth" / "tests" / "oidc"
STATIC = "static-token-1"
REFRESH = "refresh_token"


@pytest.fixture(scope="module")
def base(real_conda_factory: RealCondaFactory) -> RealConda:
    return real_conda_factory("session-basic-auth", "session-oauth")


@pytest.fixture(scope="module")
def provider(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OidcProvider]:
    logs = tmp_path_factory.mktemp("oidc-logs")
    server = start_oidc_provider(
        OIDC_DIR,
        logs / "oidc-provider.log",
        access_token_ttl=60,
        setup_hint="packages/session-oauth/ci/setup.sh",
    )
    yield server
    server.process.stop()


@pytest.fixture
def conda(base: RealConda, tmp_path: Path) -> RealConda:
    return fresh_user(base, tmp_path / "home")


def oauth_condarc(url: str, settings: str) -> str:
    return f"channel_settings:\n  - channel: {url}/private/*\n    auth: oauth\n{settings}"


def search(conda: RealConda, url: str, **env: str) -> subprocess.CompletedProcess[str]:
    return conda.run("search", "--override-channels", "-c", f"{url}/private", "tiny", env=env)


def test_static_token_from_the_environment_search_create_install(conda: RealConda) -> None:
    with ChannelServer(
        installable_channel("/private"),
        auth_check=bearer_check(STATIC),
        auth_challenge='Bearer error="invalid_token"',
    ) as channel:
        conda.write_condarc(oauth_condarc(channel.url, "    oauth_token_env: CHANNEL_TOKEN\n"))
        env = {"CHANNEL_TOKEN": STATIC}
        found = search(conda, channel.url, **env)
        assert found.returncode == 0, output(found)
        assert "tiny" in found.stdout
        url = f"{channel.url}/private"
        created = conda.home / "created"
        create = conda.run(
            "create", "-y", "-p", str(created), "--override-channels", "-c", url, "tiny", env=env
        )
        assert create.returncode == 0, output(create)
        assert (created / "share" / "tiny.txt").is_file()
        empty = conda.home / "empty"
        assert conda.run("create", "-y", "-p", str(empty), env=env).returncode == 0
        install = conda.run(
            "install", "-y", "-p", str(empty), "--override-channels", "-c", url, "tiny", env=env
        )
        assert install.returncode == 0, output(install)
        assert (empty / "share" / "tiny.txt").is_file()
        assert set(channel.authorizations()) == {f"Bearer {STATIC}"}
        wrong = search(conda, channel.url, CHANNEL_TOKEN="not-the-token")
        assert wrong.returncode != 0
        assert "Traceback" not in output(wrong)
        assert "not-the-token" not in output(wrong)


def test_static_token_does_not_follow_a_redirect_out_of_the_channel(conda: RealConda) -> None:
    files = {**installable_channel("/private"), **installable_channel("/outside")}
    with ChannelServer(files) as channel:
        for subdir in ("noarch", "linux-64"):
            channel.redirects[f"/private/{subdir}/repodata.json"] = (
                f"{channel.url}/outside/{subdir}/repodata.json"
            )
        conda.write_condarc(oauth_condarc(channel.url, "    oauth_token_env: CHANNEL_TOKEN\n"))
        result = search(conda, channel.url, CHANNEL_TOKEN=STATIC)
        assert result.returncode == 0, output(result)
        outside = [r for r in channel.recorded() if r.path.startswith("/outside/")]
        assert outside, "the redirect was not followed"
        assert [r.authorization for r in outside] == [None] * len(outside)
        assert any(r.authorization for r in channel.recorded() if r.path.startswith("/private/"))


def device_login(conda: RealConda, provider: OidcProvider, url: str) -> None:
    """``conda-session login URL --session oauth --flow device`` at a terminal (a pty, as a
    person runs it), approved at the provider once it shows the code."""
    primary, secondary = pty.openpty()
    env = conda.terminal_env()
    process = subprocess.Popen(
        [
            str(conda.prefix / "bin" / "conda-session"),
            *("login", f"{url}/private", "--session", "oauth", "--flow", "device"),
            *("--oauth-issuer", provider.issuer, "--oauth-client-id", "conda-cli"),
            *("--oauth-scopes", "openid offline_access channel:read"),
        ],
        stdin=secondary,
        stdout=secondary,
        stderr=secondary,
        env=env,
        cwd=conda.home,
    )
    os.close(secondary)
    seen = ""
    approved = False
    try:
        deadline = time.monotonic() + 90
        while process.poll() is None and time.monotonic() < deadline:
            ready, _, _ = select.select([primary], [], [], 0.5)
            if ready:
                try:
                    seen += os.read(primary, 4096).decode(errors="replace")
                except OSError:
                    break
            if not approved and "enter the code " in seen:
                code = seen.split("enter the code ")[1].split()
                if code:
                    provider.device_decision(code[0])
                    approved = True
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)
        os.close(primary)
    assert approved, seen
    assert process.returncode == 0, seen


def stored_tokens(conda: RealConda) -> tuple[str, dict[str, object]]:
    entries = json.loads((conda.home / "keyring.json").read_text())
    (key,) = [key for key in entries if key.startswith("conda-session::oauth::")]
    return key, json.loads(entries[key])


def test_a_login_token_is_used_by_conda_and_refreshed_after_a_401_and_before_expiry(
    conda: RealConda, provider: OidcProvider
) -> None:
    with ChannelServer(
        installable_channel("/private"),
        auth_check=provider.bearer_is_active,
        auth_challenge='Bearer error="invalid_token"',
    ) as channel:
        conda.write_condarc("")
        device_login(conda, provider, channel.url)
        rc = conda.condarc.read_text()
        assert "auth: oauth" in rc, rc
        _, saved = stored_tokens(conda)
        provider.reset()

        first = search(conda, channel.url)
        assert first.returncode == 0, output(first)
        assert set(channel.authorizations()) == {f"Bearer {saved['access_token']}"}
        assert provider.stats()["byGrant"] == {}

        # revoked at the server: one refresh, one resend, and conda still succeeds
        assert provider.destroy_access_token(str(saved["access_token"]))
        seen = len(channel.authorizations())
        after_401 = search(conda, channel.url)
        assert after_401.returncode == 0, output(after_401)
        assert provider.stats()["byGrant"] == {REFRESH: 1}
        _, refreshed = stored_tokens(conda)
        assert refreshed["access_token"] != saved["access_token"]
        assert channel.authorizations()[-1] == f"Bearer {refreshed['access_token']}"
        assert f"Bearer {saved['access_token']}" in channel.authorizations()[seen:]

        # 5 s left of 60 (less than 25 %): refreshed before it is sent, never rejected
        key, tokens = stored_tokens(conda)
        tokens["expires_at"] = time.time() + 5
        entries = json.loads((conda.home / "keyring.json").read_text())
        entries[key] = json.dumps(tokens, sort_keys=True)
        (conda.home / "keyring.json").write_text(json.dumps(entries))
        seen = len(channel.authorizations())
        before_expiry = search(conda, channel.url)
        assert before_expiry.returncode == 0, output(before_expiry)
        assert provider.stats()["byGrant"] == {REFRESH: 2}
        _, renewed = stored_tokens(conda)
        assert renewed["access_token"] != refreshed["access_token"]
        assert set(channel.authorizations()[seen:]) == {f"Bearer {renewed['access_token']}"}
