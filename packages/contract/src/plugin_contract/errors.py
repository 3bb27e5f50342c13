"""Errors meant for the person at the keyboard: one readable line, never a traceback."""

from __future__ import annotations

__all__ = ["ConfigError", "ContractError", "PluginError"]


class ContractError(Exception):
    """A user-facing error: its message says what is wrong and what to do.

    Command-line entry points print ``str(error)`` on one line and exit non-zero.
    """

    exit_code = 2


class PluginError(ContractError):
    """A plugin is broken: a hookimpl matches no spec, a name is taken twice, it fails to load."""


class ConfigError(ContractError):
    """A configuration file or value is wrong."""
