"""The devpi-server side of the contract: the hookimpl marker and shared typed helpers.

devpi-server owns its hook specifications (``devpi_server.hookspecs``); plugins mark their
implementations with :data:`hookimpl` (project ``devpiserver``) and register under the
entry-point group ``devpi_server``.
"""

from plugin_contract.devpi.auth import AuthResult, auth_ok, auth_reject
from plugin_contract.devpi.config import load_yaml_config, redacted
from plugin_contract.devpi.markers import ENTRY_POINT_GROUP, PROJECT_NAME, hookimpl
from plugin_contract.devpi.secrets import Secret, SecretSourceError, secret_from

__all__ = [
    "ENTRY_POINT_GROUP",
    "PROJECT_NAME",
    "AuthResult",
    "Secret",
    "SecretSourceError",
    "auth_ok",
    "auth_reject",
    "hookimpl",
    "load_yaml_config",
    "redacted",
    "secret_from",
]
