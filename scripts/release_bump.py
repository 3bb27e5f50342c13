"""Bump one distribution's version and its CHANGELOG together (``nox -s release -- DIST PART``).

The ``__about__.py`` version becomes the new one and the CHANGELOG's ``## Unreleased`` entries
move under ``## <version> (<date>)``. Releasing ``plugin-contract`` also rewrites every plugin's
``plugin-contract>=X,<Y`` pin (and ``scripts/new_package.py``'s) to :func:`contract_pin`.
"""

from __future__ import annotations

import datetime
import re
import sys
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

ROOT = Path(__file__).resolve().parent.parent
CONTRACT = "plugin-contract"
VERSION_RE = re.compile(r'__version__\s*=\s*"([^"]+)"')
PIN_RE = re.compile(r"plugin-contract(\[[a-z,]+\])?>=[0-9.]+,<[0-9.]+")
UNRELEASED = "## Unreleased\n"


def about_file(folder: Path) -> Path:
    with (folder / "pyproject.toml").open("rb") as handle:
        project = tomllib.load(handle)
    return folder / str(project["tool"]["hatch"]["version"]["path"])


def read_version(folder: Path) -> str:
    match = VERSION_RE.search(about_file(folder).read_text())
    if not match:
        raise ValueError(f"no __version__ in {about_file(folder)}")
    return match.group(1)


def contract_pin(version: str) -> str:
    """The range every plugin pins: this minor series for 0.x, this major series from 1.0."""
    major, minor = (int(part) for part in version.split(".")[:2])
    upper = f"0.{minor + 1}" if major == 0 else f"{major + 1}"
    return f">={major}.{minor}.0,<{upper}"


def next_version(current: str, how: str) -> str:
    if re.fullmatch(r"\d+\.\d+\.\d+", how):
        return how
    major, minor, patch = (int(part) for part in current.split(".")[:3])
    bumps = {
        "major": f"{major + 1}.0.0",
        "minor": f"{major}.{minor + 1}.0",
        "patch": f"{major}.{minor}.{patch + 1}",
    }
    if how not in bumps:
        raise ValueError(f"release: {how!r} is neither X.Y.Z nor major, minor or patch")
    return bumps[how]


def pin_files(root: Path = ROOT) -> list[Path]:
    """Every file that pins the contract: the plugins' pyproject files and the scaffolder."""
    files = sorted((root / "packages").glob("*/pyproject.toml"))
    return [
        path
        for path in [*files, root / "scripts" / "new_package.py"]
        if PIN_RE.search(path.read_text())
    ]


def rewrite_pins(version: str, root: Path = ROOT) -> None:
    pin = contract_pin(version)
    for path in pin_files(root):
        text = path.read_text()
        path.write_text(PIN_RE.sub(lambda m: f"{CONTRACT}{m.group(1) or ''}{pin}", text))


def bump_release(folder: Path, how: str, today: datetime.date | None = None) -> str:
    """Write the new version and move the CHANGELOG's unreleased entries; return the version."""
    current = read_version(folder)
    version = next_version(current, how)
    changelog = folder / "CHANGELOG.md"
    text = changelog.read_text()
    if UNRELEASED not in text:
        raise ValueError(f"release: {changelog} has no '## Unreleased' heading")
    head, _, rest = text.partition(UNRELEASED)
    entries, sep, older = rest.partition("\n## ")
    if not entries.strip():
        raise ValueError(f"release: nothing under '## Unreleased' in {changelog}")
    date = (today or datetime.date.today()).isoformat()
    new_text = f"{head}{UNRELEASED}\n## {version} ({date})\n\n{entries.strip()}\n{sep}{older}"
    about = about_file(folder)
    about.write_text(VERSION_RE.sub(f'__version__ = "{version}"', about.read_text(), count=1))
    changelog.write_text(new_text if sep else new_text.rstrip("\n") + "\n")
    with (folder / "pyproject.toml").open("rb") as handle:
        if tomllib.load(handle)["project"]["name"] == CONTRACT:
            rewrite_pins(version, folder.parent.parent)
    return version
