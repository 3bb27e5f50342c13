"""session-oauth's fixtures live in ``testharness.oauth_kit`` (importable by the tests too)."""

from testharness.oauth_kit import channel, env, fresh_provider, provider

__all__ = ["channel", "env", "fresh_provider", "provider"]
