"""Errors of shell activation: one line that says what is wrong and what to do."""

from __future__ import annotations

from plugin_contract.errors import ContractError


class ShellError(ContractError):
    """Shell activation cannot proceed (unknown shell, missing env, unusable prefix)."""


class EnvironmentNotFound(ShellError):
    """The named environment does not exist."""
