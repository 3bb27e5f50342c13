"""Secrets taken from an environment variable or a file, never from the config text."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from plugin_contract.errors import ConfigError
from plugin_contract.files import FileReadError, read_secret_file
from plugin_contract.secret import Secret

__all__ = ["Secret", "SecretSourceError", "secret_from"]


class SecretSourceError(ConfigError):
    """A configured secret source (variable or file) is missing or unreadable."""


def secret_from(
    config: Mapping[str, Any],
    key: str,
    *,
    where: str,
    required: bool = False,
    environ: Mapping[str, str] | None = None,
) -> Secret | None:
    """Read the secret configured as ``<key>_env`` (a variable name) or ``<key>_file`` (a path).

    An inline ``<key>`` is refused: secrets do not belong in configuration files.
    ``where`` names the config location in error messages (e.g. ``targets.ci``).
    """
    env = os.environ if environ is None else environ
    if key in config:
        raise SecretSourceError(
            f"{where}: an inline {key!r} is not accepted; put the secret in an environment "
            f"variable and set {key}_env, or in a file and set {key}_file"
        )
    env_name = config.get(f"{key}_env")
    file_name = config.get(f"{key}_file")
    if env_name and file_name:
        raise SecretSourceError(f"{where}: set only one of {key}_env and {key}_file")
    if env_name:
        value = env.get(str(env_name))
        if not value:
            raise SecretSourceError(
                f"{where}: environment variable {env_name} (from {key}_env) is not set or empty"
            )
        return Secret(value, f"env:{env_name}")
    if file_name:
        path = Path(str(file_name)).expanduser()
        try:
            value = read_secret_file(path, what=f"{key}_file")
        except FileReadError as error:
            raise SecretSourceError(f"{where}: {error}") from None
        return Secret(value, f"file:{path}")
    if required:
        raise SecretSourceError(f"{where}: set {key}_env or {key}_file")
    return None
