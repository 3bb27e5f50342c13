"""``conda-session``: log in to channels, inspect which session applies, fetch through it."""

from __future__ import annotations

import sys
from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    from plugin_contract.session.commands import run

    return run(sys.argv[1:] if argv is None else list(argv))
