"""Create ``packages/<dist>`` from the template in ``shared/templates/package``.

Usage: ``python scripts/new_package.py DIST [--summary TEXT] [--root DIR]`` (or
``nox -s new -- DIST``). The host follows from the name: ``devpi-*`` is a devpi-server
plugin, anything else (``shell-*``, ``session-*``) a conda plugin. Nothing is written when
the name is bad or taken.
"""

from __future__ import annotations

import argparse
import re
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
NAME_RE = re.compile(r"^(shell|session|devpi)-[a-z0-9]+(-[a-z0-9]+)*$")


@dataclass(frozen=True)
class Host:
    title: str
    group: str
    module: str
    dependencies: tuple[str, ...]
    marker_import: str


HOSTS = {
    "conda": Host(
        "conda",
        "conda",
        "plugin",
        ('"plugin-contract>=0.1.0,<0.2"',),
        "from plugin_contract.conda import hookimpl",
    ),
    "devpi": Host(
        "devpi-server",
        "devpi_server",
        "main",
        ('"plugin-contract[devpi]>=0.1.0,<0.2"', '"devpi-server>=6.10,<7"'),
        "from plugin_contract.devpi import hookimpl",
    ),
}
EXTRA_TEMPLATES = {"shell": "shell-package"}
# A shell plugin needs the contract's shell machinery (psutil finds the parent shell).
EXTRA_DEPENDENCIES = {"shell": ('"plugin-contract[shell]>=0.1.0,<0.2"',)}


class ScaffoldError(Exception):
    pass


def scaffold(dist: str, root: Path, summary: str | None = None) -> Path:
    if not NAME_RE.match(dist):
        raise ScaffoldError(
            f"bad package name {dist!r}: use shell-NAME, session-NAME or devpi-NAME with "
            "lowercase letters, digits and single hyphens (e.g. shell-nu)"
        )
    target = root / "packages" / dist
    if target.exists():
        raise ScaffoldError(f"packages/{dist} exists already; choose another name")
    kind = dist.split("-", 1)[0]
    host = HOSTS["devpi" if kind == "devpi" else "conda"]
    import_name = dist.replace("-", "_")
    values = {
        "dist": dist,
        "import_name": import_name,
        "shell_name": dist.split("-", 1)[1],
        "group": host.group,
        "module": host.module,
        "host_title": host.title,
        "summary": summary or f"A {host.title} plugin: {dist}",
        "dependencies": ", ".join(EXTRA_DEPENDENCIES.get(kind, host.dependencies)),
        "marker_import": host.marker_import,
    }
    templates = [root / "shared" / "templates" / "package"]
    extra = EXTRA_TEMPLATES.get(kind)
    if extra and (root / "shared" / "templates" / extra).is_dir():
        templates.append(root / "shared" / "templates" / extra)
    # Render into a temporary folder first, so a failure leaves nothing half-written.
    with tempfile.TemporaryDirectory(dir=root / "packages") as staging:
        out = Path(staging) / dist
        for template in templates:
            _render_tree(template, out, values)
        out.rename(target)
    return target


def _render_tree(template: Path, out: Path, values: dict[str, str]) -> None:
    for source in sorted(template.rglob("*")):
        if source.is_dir() or "__pycache__" in source.parts:
            continue
        relative = _render(str(source.relative_to(template)), values)
        relative = relative.replace("__import_name__", values["import_name"])
        destination = out / relative
        destination.parent.mkdir(parents=True, exist_ok=True)
        if source.suffix in {".py", ".toml", ".md", ".txt", ".sh", ".cfg"}:
            destination.write_text(_render(source.read_text(encoding="utf-8"), values))
        else:
            shutil.copyfile(source, destination)


def _render(text: str, values: dict[str, str]) -> str:
    def replace(match: re.Match[str]) -> str:
        key = match.group(1)
        if key not in values:
            raise ScaffoldError(f"template placeholder {{{{{key}}}}} has no value")
        return values[key]

    return re.sub(r"\{\{([a-z_]+)\}\}", replace, text)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("dist", help="distribution name, e.g. shell-nu or devpi-audit")
    parser.add_argument("--summary", help="one-line description for the package metadata")
    parser.add_argument("--root", type=Path, default=REPO, help="repository root")
    args = parser.parse_args(argv)
    try:
        target = scaffold(args.dist, args.root.resolve(), args.summary)
    except ScaffoldError as error:
        print(f"new: error: {error}", file=sys.stderr)
        return 2
    print(f"created {target.relative_to(args.root.resolve())}")
    if args.dist.startswith("shell-"):
        syntax = target / "src" / args.dist.replace("-", "_") / "syntax.py"
        print(f"next: write the FILL IN places in {syntax.relative_to(args.root.resolve())}")
        print(f"      and list the shell's Debian packages in packages/{args.dist}/ci/apt.txt")
    print(f"then: nox -s tests -- {args.dist}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
