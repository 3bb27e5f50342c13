"""``plugin-contract``: list the installed conda and devpi-server plugins and their hooks."""

from __future__ import annotations

import argparse
import json
import sys
import warnings
from collections.abc import Sequence

from plugin_contract.__about__ import __version__
from plugin_contract.errors import ContractError
from plugin_contract.plugins import PluginInfo


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="plugin-contract",
        description="Inspect the conda and devpi-server plugins installed in this environment.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    listing = commands.add_parser("plugins", help="list installed plugins with hooks and versions")
    listing.add_argument("--host", choices=("conda", "devpi", "all"), default="all")
    listing.add_argument("--json", action="store_true", help="print JSON instead of a table")
    args = parser.parse_args(argv)
    try:
        return _list_plugins(args.host, as_json=args.json)
    except ContractError as error:
        print(f"plugin-contract: error: {error}", file=sys.stderr)
        return error.exit_code


def _list_plugins(host: str, *, as_json: bool) -> int:
    found: dict[str, list[PluginInfo]] = {}
    if host in ("conda", "all"):
        from plugin_contract.conda.manager import get_plugin_manager

        found["conda"] = get_plugin_manager().plugin_infos
    if host in ("devpi", "all"):
        from plugin_contract.devpi.manager import load_devpi_plugins

        with warnings.catch_warnings():
            # devpi-server's own imports (pyramid -> pkg_resources) warn on every start;
            # a listing is no place to repeat that.
            warnings.simplefilter("ignore", DeprecationWarning)
            warnings.simplefilter("ignore", UserWarning)
            found["devpi"] = load_devpi_plugins()[1]
    if as_json:
        print(json.dumps({h: [p.as_dict() for p in infos] for h, infos in found.items()}, indent=2))
        return 0
    for host_name, infos in found.items():
        print(f"{host_name} plugins ({len(infos)}):")
        if not infos:
            print("  (none installed)")
        for info in infos:
            hooks = ", ".join(info.hooks) or "(no hooks yet)"
            print(f"  {info.name:<26} {info.distribution + ' ' + info.version:<30} {hooks}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
