"""Real conda 26.7.1 with ``oauth_flow: client-credentials``: no login step; conda's parallel
repodata downloads cost one token request."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from testharness.channel import ChannelServer, channel_files
from testharness.oauth_kit import ci_settings
from testharness.oidc import OidcProvider
from testharness.plugin import RealCondaFactory

pytestmark = pytest.mark.slow
SHARED = str(Path(__file__).resolve().parents[3] / "shared")


def test_conda_search_gets_a_token_on_demand(
    real_conda_factory: RealCondaFactory, fresh_provider: OidcProvider, tmp_path: Path
) -> None:
    conda = real_conda_factory("session-oauth")
    files = channel_files("/channel")
    files["/channel/linux-64/repodata.json"] = json.dumps(
        {"info": {"subdir": "linux-64"}, "packages": {}}
    ).encode()
    settings = ci_settings(
        fresh_provider, oauth_flow="client-credentials", oauth_token_storage="file"
    )
    with ChannelServer(
        files,
        auth_check=fresh_provider.bearer_is_active,
        auth_challenge='Bearer error="invalid_token"',
    ) as server:
        url = server.url + "/channel"
        entry = json.dumps({"channel": url, "auth": "oauth", **settings})
        conda.write_condarc(f"channel_settings:\n  - {entry}\n")
        env = {
            "PYTHONPATH": SHARED,
            "CI_BOT_SECRET": "ci-secret",
            "CONDA_SESSION_OAUTH_DIR": str(tmp_path / "state"),
        }
        search = conda.run("search", "--override-channels", "-c", url, "tiny", env=env)
        assert search.returncode == 0, search.stdout[-2000:] + search.stderr[-2000:]
        assert "tiny" in search.stdout
        assert server.authorizations(), "conda sent no token"
        assert all(value.startswith("Bearer ") for value in server.authorizations())
    assert fresh_provider.stats()["byGrant"] == {"client_credentials": 1}
    assert "ci-secret" not in search.stdout + search.stderr
