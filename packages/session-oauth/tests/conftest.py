"""session-oauth test fixtures live in ``oauth_testkit`` (importable by the tests too)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from oauth_testkit import channel, env, fresh_provider, provider

__all__ = ["channel", "env", "fresh_provider", "provider"]
