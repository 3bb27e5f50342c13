"""Facts about this repository: where it is and which distributions live in packages/."""

from __future__ import annotations

import sys
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib


ROOT = Path(__file__).resolve().parent.parent.parent


def discover_packages(root: Path = ROOT) -> dict[str, Path]:
    """Distribution name -> folder for every ``packages/*`` holding a pyproject.toml."""
    found = {}
    for folder in sorted((root / "packages").iterdir()):
        if (folder / "pyproject.toml").is_file():
            with (folder / "pyproject.toml").open("rb") as handle:
                found[str(tomllib.load(handle)["project"]["name"])] = folder
    return found
