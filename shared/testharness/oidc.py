"""A real OAuth 2.0 / OIDC server (npm ``oidc-provider``) on a loopback port, for tests.

The server script and its pinned ``node_modules`` live in a package's tests folder (e.g.
``packages/session-oauth/tests/oidc/``, installed by that package's ``ci/setup.sh``).
:func:`start_oidc_provider` runs ``node server.mjs PORT`` and waits for ``READY``; the
returned :class:`OidcProvider` also speaks the script's test-only ``/__test/`` routes.
"""

from __future__ import annotations

import json
import os
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from testharness.ports import free_port
from testharness.process import ServerProcess
from testharness.tools import require_tool

# The resource server registered in tests/oidc/server.mjs; channels introspect as it.
RESOURCE_SERVER = ("channel-rs", "rs-secret")


@dataclass
class OidcProvider:
    """A running oidc-provider: its issuer URL and process, plus test-route helpers."""

    issuer: str
    port: int
    process: ServerProcess

    def _call(self, method: str, path: str, payload: Any = None) -> Any:
        data = None if payload is None else json.dumps(payload).encode()
        request = urllib.request.Request(
            self.issuer + path,
            data=data,
            method=method,
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.load(response)

    def stats(self) -> dict[str, Any]:
        """Token-endpoint requests so far: ``total``, ``byGrant`` and ``errors`` counts."""
        result: dict[str, Any] = self._call("GET", "/__test/stats")
        return result

    def reset(self) -> None:
        self._call("POST", "/__test/reset", {})

    def queue_faults(self, *faults: dict[str, Any]) -> None:
        """Answer the next ``POST /token`` calls with these ``{"status", "body"}`` instead."""
        self._call("POST", "/__test/faults", list(faults))

    def device_decision(self, user_code: str, approve: bool = True) -> None:
        """Approve (as user ``tester``) or deny a pending device authorization."""
        action = "approve" if approve else "deny"
        self._call("POST", "/__test/device", {"user_code": user_code, "action": action})

    def destroy_access_token(self, token: str) -> bool:
        """Revoke one access token server-side, leaving its grant and refresh token alive."""
        return bool(
            self._call("POST", "/__test/destroy-access-token", {"token": token})["destroyed"]
        )

    def bearer_is_active(
        self, headers: Mapping[str, str], client: tuple[str, str] = RESOURCE_SERVER
    ) -> bool:
        """A channel ``auth_check``: the request's bearer token is live at this provider."""
        value = headers.get("Authorization", "")
        if not value.startswith("Bearer "):
            return False
        return bool(self.introspect(value[7:], *client).get("active"))

    def introspect(self, token: str, client_id: str, client_secret: str) -> dict[str, Any]:
        """RFC 7662 introspection as a resource server would do it."""
        import base64
        import urllib.parse

        credentials = base64.b64encode(f"{client_id}:{client_secret}".encode()).decode()
        request = urllib.request.Request(
            self.issuer + "/token/introspection",
            data=urllib.parse.urlencode({"token": token}).encode(),
            headers={"Authorization": f"Basic {credentials}"},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            result: dict[str, Any] = json.load(response)
            return result


def start_oidc_provider(
    server_dir: Path,
    log_path: Path,
    *,
    access_token_ttl: int = 60,
    device_code_ttl: int = 600,
    setup_hint: str = "",
) -> OidcProvider:
    """Start ``node server.mjs PORT`` in ``server_dir`` on 127.0.0.1; stop it with ``.process``."""
    require_tool("node", "apt-get install -y nodejs")
    if not (server_dir / "node_modules" / "oidc-provider").is_dir():
        message = f"oidc-provider is not installed in {server_dir}"
        hint = setup_hint or f"cd {server_dir} && npm ci"
        import pytest

        from testharness.tools import in_ci

        if in_ci():
            pytest.fail(f"{message}; CI must run: {hint}", pytrace=False)
        pytest.skip(f"{message} (install: {hint})")
    port = free_port()
    issuer = f"http://127.0.0.1:{port}"

    def ready() -> bool:
        with urllib.request.urlopen(issuer + "/.well-known/openid-configuration", timeout=2):
            return True

    env = {
        **os.environ,
        "AT_TTL": str(access_token_ttl),
        "DEVICE_TTL": str(device_code_ttl),
        "NODE_NO_WARNINGS": "1",
    }
    process = ServerProcess(
        "oidc-provider",
        ["node", str(server_dir / "server.mjs"), str(port)],
        log_path,
        env=env,
        cwd=server_dir,
        ready=ready,
        start_timeout=30,
    ).start()
    return OidcProvider(issuer=issuer, port=port, process=process)


__all__ = ["RESOURCE_SERVER", "OidcProvider", "start_oidc_provider"]
