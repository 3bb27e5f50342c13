"""Check a release tag ``<dist>-v<version>`` against the package it names.

Prints ``dist=...`` and ``folder=...`` lines (for ``$GITHUB_OUTPUT``); exits non-zero with one
line on stderr when the tag names no package or its version differs from the package's.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib


ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "shared"))  # testharness.repo is stdlib-only: the one discovery
from testharness.repo import discover_packages  # noqa: E402

TAG = re.compile(r"^(?P<dist>[a-z0-9][a-z0-9-]*)-v(?P<version>\d+(\.\d+)*([a-z0-9.+-]*))$")


def package_version(folder: Path) -> tuple[str, str]:
    with (folder / "pyproject.toml").open("rb") as handle:
        project = tomllib.load(handle)
    about = ROOT / folder / project["tool"]["hatch"]["version"]["path"]
    match = re.search(r'__version__\s*=\s*"([^"]+)"', about.read_text())
    if not match:
        raise SystemExit(f"release: no __version__ in {about}")
    return project["project"]["name"], match.group(1)


def check(tag: str) -> tuple[str, Path]:
    match = TAG.match(tag)
    if not match:
        raise ValueError(f"tag {tag!r} is not of the form <dist>-v<version>")
    folder = discover_packages(ROOT).get(match["dist"])
    if folder is not None:
        dist, version = package_version(folder)
        if version != match["version"]:
            raise ValueError(f"tag {tag!r} says {match['version']}, but {dist} is {version}")
        return dist, folder
    raise ValueError(f"tag {tag!r} names no package under packages/")


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: release_check.py TAG", file=sys.stderr)
        return 2
    try:
        dist, folder = check(argv[0])
    except ValueError as error:
        print(f"release: {error}", file=sys.stderr)
        return 1
    print(f"dist={dist}")
    print(f"folder={folder.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
