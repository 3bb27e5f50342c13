"""The ``conda-shell`` program: its name and the path a shell hook should call it by.

Its own module so that spawn mode and the CLI both use it without importing each other.
"""

# os.path on purpose: importing pathlib costs start-up time on the activation hot path.
# ruff: noqa: PTH100, PTH110, PTH118, PTH119, PTH120
from __future__ import annotations

import os
import sys

PROG = "conda-shell"


def self_program() -> str:
    """The path of the ``conda-shell`` program for the hook function."""
    program = sys.argv[0] if sys.argv and sys.argv[0] else PROG
    if os.path.basename(program) == PROG:
        return os.path.abspath(program) if os.sep in program else program
    launcher = os.path.join(os.path.dirname(sys.executable), PROG)
    return launcher if os.path.exists(launcher) else PROG
