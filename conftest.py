"""Root conftest: put the repository's test harness (``shared/``) on the path and load it."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent / "shared"))

pytest_plugins = ["testharness.plugin"]
