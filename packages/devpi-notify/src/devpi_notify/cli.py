"""``devpi-notify status|retry|replay --serverdir DIR``: look at and act on the outbox.

The running server's workers pick requeued deliveries up at their next poll.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

from devpi_notify.config import NotifyConfig
from devpi_notify.outbox import DEAD, DELIVERED, PENDING, Outbox, outbox_path

PROG = "devpi-notify"


class CliError(Exception):
    pass


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=PROG, description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, help_text: str) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help_text, description=help_text)
        sub.add_argument("--serverdir", required=True, help="the devpi-server directory")
        return sub

    status = command("status", "queue depth, retrying deliveries and dead letters")
    status.add_argument("--json", action="store_true", help="print one JSON document")
    status.add_argument("--limit", type=int, default=20, help="rows to list of each")

    retry = command("retry", "requeue dead letters (all, or one event id)")
    retry.add_argument("--id", dest="event_id", help="only this event id")
    retry.add_argument("--target", help="only this target")

    replay = command("replay", "send delivered events again, with the same event id")
    replay.add_argument("--id", dest="event_id", help="only this event id")
    replay.add_argument("--since-serial", type=int, help="events at or after this serial")
    replay.add_argument("--target", help="only this target")
    check = commands.add_parser("check-config", help="validate a --notify-config file")
    check.add_argument("config", help="the --notify-config YAML file")

    test = commands.add_parser(
        "test", help="send a test event to one target and print the receiver's answer"
    )
    test.add_argument("target", help="a target name from the config file")
    test.add_argument("--notify-config", required=True, help="the --notify-config YAML file")
    test.add_argument(
        "--server-url", default="https://devpi.invalid", help="base of the URLs in the event"
    )

    strip = commands.add_parser(
        "strip-export",
        help="remove the notify_* index keys from a devpi-export directory (uninstalling)",
    )
    strip.add_argument("directory", help="the directory devpi-export wrote")
    return parser


def open_outbox(serverdir: str) -> Outbox:
    folder = Path(serverdir).expanduser()
    if not folder.is_dir():
        raise CliError(f"--serverdir {str(folder)!r} is not a directory")
    path = outbox_path(folder)
    if not path.exists():
        raise CliError(
            f"no outbox in {str(folder)!r}: has devpi-server run there with --notify-config?"
        )
    return Outbox(path, create=False)


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if args.command == "strip-export":
            return strip_export(args.directory)
        if args.command == "check-config":
            config = load_config(args.config)
            print(f"{args.config}: {len(config.targets)} target(s): {', '.join(config.targets)}")
            return 0
        if args.command == "test":
            return send_test_event(args.notify_config, args.target, args.server_url)
        outbox = open_outbox(args.serverdir)
        if args.command == "status":
            code = show_status(outbox, as_json=args.json, limit=args.limit)
            sys.stdout.flush()  # a closed pipe shows here, inside the handler below
            return code
        if args.command == "retry":
            count = outbox.requeue(states=[DEAD], event_id=args.event_id, target=args.target)
            print(f"requeued {count} dead letter(s)")
            return 0
        if args.event_id is None and args.since_serial is None:
            raise CliError("replay needs --id EVENT_ID or --since-serial N")
        count = outbox.requeue(
            states=[DELIVERED, DEAD],
            event_id=args.event_id,
            target=args.target,
            since_serial=args.since_serial,
        )
        print(f"requeued {count} delivery(ies) for replay")
        return 0
    except BrokenPipeError:
        # `devpi-notify status | head`: the reader left; exit quietly like other CLIs
        # (stdout is pointed at devnull so the interpreter's final flush cannot fail again).
        import os

        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except CliError as error:
        print(f"{PROG}: error: {error}", file=sys.stderr)
        return 2
    except Exception as error:  # sqlite errors: a locked or corrupt file
        print(f"{PROG}: error: {type(error).__name__}: {error}", file=sys.stderr)
        return 1


def load_config(path: str) -> NotifyConfig:
    from devpi_notify.config import load_notify_config
    from plugin_contract.errors import ContractError

    try:
        return load_notify_config(path)
    except ContractError as error:
        raise CliError(str(error)) from None


def send_test_event(config_path: str, name: str, server_url: str) -> int:
    from devpi_notify.events import Change, event_payload
    from devpi_notify.senders import DeliveryError, send

    config = load_config(config_path)
    target = config.targets.get(name)
    if target is None:
        known = ", ".join(sorted(config.targets))
        raise CliError(f"no target {name!r} in {config_path}; known: {known}")
    change = Change(
        event_type="test",
        index="devpi-notify/test",
        serial=0,
        path=f"test/{time.time_ns()}",
        project="devpi-notify-test",
        version="0",
    )
    payload = event_payload(change, config.server_url or server_url, time.time())
    try:
        answer = send(target, payload, config.server_url or server_url)
    except DeliveryError as error:
        print(f"{PROG}: test event {payload['id']} to {name} failed: {error}", file=sys.stderr)
        return 1
    if answer is None:
        print(f"test event {payload['id']} to {name}: accepted by the mail server")
    else:
        print(f"test event {payload['id']} to {name}: HTTP {answer.status}")
        if answer.body:
            print(answer.body)
    return 0


def strip_export(directory: str) -> int:
    from devpi_notify.exportdump import DumpError, strip_index_keys

    try:
        removed = strip_index_keys(directory)
    except DumpError as error:
        raise CliError(str(error)) from None
    print(f"removed {removed} notify_* index key(s) from {directory}")
    return 0


def show_status(outbox: Outbox, *, as_json: bool, limit: int) -> int:
    stats = outbox.stats()
    dead = outbox.rows(DEAD, limit=limit)
    retrying = outbox.rows(PENDING, limit=limit, failed_only=True)
    if as_json:
        report = {"stats": asdict(stats), "retrying": retrying, "dead_letters": dead}
        print(json.dumps(report, indent=2))
        return 0
    print(
        f"pending {stats.pending}  delivered {stats.delivered}  dead {stats.dead}  "
        f"failed attempts {stats.failed_attempts_total}  "
        f"oldest pending {stats.oldest_pending_age:.0f} s"
    )
    for target, counts in sorted(stats.per_target.items()):
        print(
            f"  {target}: pending {counts['pending']}  delivered {counts['delivered']}"
            f"  dead {counts['dead']}"
        )
    for title, listed in (("retrying", retrying), ("dead letters", dead)):
        if listed:
            print(f"{title}:")
            for row in listed:
                print(delivery_line(row))
    return 0


def delivery_line(row: dict[str, Any]) -> str:
    when = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(row["created_at"]))
    return (
        f"  {row['event_id']}  {row['target']}  {row['event_type']}  serial {row['serial']}"
        f"  {when}Z  attempts {row['attempts']}: {row['last_error']}"
    )


if __name__ == "__main__":
    raise SystemExit(main())
