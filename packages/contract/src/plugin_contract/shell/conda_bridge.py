"""``conda shell ...`` inside a real conda, through conda's own ``conda_subcommands`` hook.

conda is imported only when conda calls the hook. Every installed shell plugin implements the
hook by calling ``shell_subcommands(__name__)`` (its hookimpl module); only the first installed
one (in entry-point order) yields the subcommand, so ``shell`` is registered exactly once, and
renaming an entry point cannot drop it. An entry-point name is still accepted.
"""

from __future__ import annotations

from collections.abc import Iterator


def shell_subcommands(plugin: str) -> Iterator[object]:
    """``conda shell`` for the first installed shell plugin; ``plugin`` is the caller's module
    ``__name__`` (or its entry-point name)."""
    from plugin_contract.shell.registry import installed_rows

    rows = sorted(installed_rows(), key=lambda row: row.entry_point)
    if not rows or plugin not in {rows[0].module, rows[0].entry_point}:
        return
    try:
        from conda.plugins.types import CondaSubcommand
    except ImportError:
        return
    yield CondaSubcommand(
        name="shell",
        summary="Activate environments safely in sh, bash, dash, zsh, ksh or fish.",
        action=_action,
        configure_parser=_configure_parser,
    )


PROG = "conda shell"


def _configure_parser(parser: object) -> None:
    """conda's parser answers ``conda shell --help`` itself: give it our whole help text."""
    import argparse

    from plugin_contract.shell.cli import usage

    text = usage(PROG)
    first, _, rest = text.partition("\n\n")
    parser.formatter_class = argparse.RawDescriptionHelpFormatter  # type: ignore[attr-defined]
    parser.usage = first.removeprefix("usage: ")  # type: ignore[attr-defined]
    parser.description = rest  # type: ignore[attr-defined]
    parser.add_argument("arguments", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)  # type: ignore[attr-defined]


def _action(args: object) -> int:
    from plugin_contract.shell.cli import main

    arguments = list(getattr(args, "arguments", []) or [])
    return main(arguments, prog=PROG)
