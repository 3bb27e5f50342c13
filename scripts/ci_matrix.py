"""Which packages CI tests: all on main, on a pull request the changed ones and dependents.

Usage: ``python scripts/ci_matrix.py [--base REF]``; prints a JSON list of distribution names.
A change outside ``packages/`` (root config, shared harness, scripts, workflows) tests all.
A change to the contract also tests every package that depends on it.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib


ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "shared"))  # testharness.repo is stdlib-only: the one discovery
CONTRACT = "plugin-contract"

from testharness.repo import discover_packages  # noqa: E402


def packages() -> dict[str, Path]:
    return discover_packages(ROOT)


def depends_on_contract(folder: Path) -> bool:
    with (folder / "pyproject.toml").open("rb") as handle:
        deps = tomllib.load(handle)["project"].get("dependencies", [])
    return any(re.match(rf"^{CONTRACT}\b", dep) for dep in deps)


def changed_files(base: str) -> list[str]:
    out = subprocess.run(
        ["git", "diff", "--name-only", f"{base}...HEAD"],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    ).stdout
    return [line for line in out.splitlines() if line]


def select(changed: list[str], known: dict[str, Path]) -> list[str]:
    by_folder = {folder.name: name for name, folder in known.items()}
    chosen: set[str] = set()
    for path in changed:
        parts = Path(path).parts
        if len(parts) >= 2 and parts[0] == "packages":
            if parts[1] in by_folder:
                chosen.add(by_folder[parts[1]])
        elif not path.endswith(".md"):
            return sorted(known)
    if CONTRACT in chosen:
        chosen |= {name for name, folder in known.items() if depends_on_contract(folder)}
    return sorted(chosen)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", help="the pull request's base ref; omit to select all")
    args = parser.parse_args(argv)
    known = packages()
    chosen = select(changed_files(args.base), known) if args.base else sorted(known)
    print(json.dumps(chosen))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
