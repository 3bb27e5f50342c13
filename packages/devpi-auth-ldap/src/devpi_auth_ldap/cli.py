"""``devpi-auth-ldap check --config PATH USER``: try one login and show each step's time."""

from __future__ import annotations

import argparse
import getpass
import logging
import sys
from collections.abc import Sequence

from devpi_auth_ldap.config import load_config
from devpi_auth_ldap.directory import Authenticated, Directory, LdapUnavailable
from plugin_contract.errors import ContractError

PROG = "devpi-auth-ldap"
DESCRIPTION = (
    "Check the LDAP settings of devpi-auth-ldap: 'devpi-auth-ldap check --config PATH USER' "
    "tries one login and shows each step's time, the DN and the groups."
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=PROG, description=DESCRIPTION)
    commands = parser.add_subparsers(dest="command", required=True)
    check = commands.add_parser(
        "check",
        help="authenticate one user and print their DN, groups and step timings",
        description="Authenticate USER against the configured LDAP servers. The password is "
        "prompted for, or read from the first line of stdin when stdin is not a terminal.",
    )
    check.add_argument("--config", required=True, help="the LDAP YAML file (as for devpi-server)")
    check.add_argument("user", help="the user name to check")
    return parser


def read_password() -> str:
    if sys.stdin.isatty():
        return getpass.getpass("Password: ")
    return sys.stdin.readline().rstrip("\r\n")


def check(config_path: str, username: str) -> int:
    config = load_config(config_path)
    for warning in config.warnings:
        print(f"{PROG}: warning: {warning}", file=sys.stderr)
    directory = Directory(config)
    try:
        outcome = directory.authenticate(username, read_password())
    finally:
        directory.close()
    for step, seconds in outcome.timings.items():
        print(f"time {step}: {seconds * 1000:.1f} ms")
    if not isinstance(outcome, Authenticated):
        print(f"refused: {outcome.reason}")
        return 1
    print(f"user: {outcome.username}")
    print(f"dn: {outcome.dn}")
    print(f"groups: {', '.join(outcome.groups) if outcome.groups else '(none)'}")
    if outcome.username != username:
        print(f"note: devpi-server only accepts the LDAP spelling {outcome.username!r}")
        return 1
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    # errors are printed below, once; the server's state-change WARNINGs are for devpi's log
    logging.getLogger("devpi_auth_ldap").addHandler(logging.NullHandler())
    try:
        return check(args.config, args.user)
    except (ContractError, LdapUnavailable) as error:
        for line in str(error).splitlines():
            print(f"{PROG}: error: {line}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"{PROG}: error: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
