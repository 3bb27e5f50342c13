"""``conda-session``: log in to channels, inspect which session applies, fetch through it."""

from __future__ import annotations

import sys
from collections.abc import Sequence

EXTRA_HINT = 'pip install "plugin-contract[session]"'


def main(argv: Sequence[str] | None = None) -> int:
    try:
        from plugin_contract.session.commands import run
    except ModuleNotFoundError as error:
        # Only the contract is installed, without the session extra (requests, keyring, ...).
        print(f"conda-session: error: {error.name} is missing ({EXTRA_HINT})", file=sys.stderr)
        return 2
    return run(sys.argv[1:] if argv is None else list(argv))
