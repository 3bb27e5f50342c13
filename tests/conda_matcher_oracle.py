"""Runs INSIDE a real conda 26.7.1: conda's own ``get_session`` decision for many cases.

stdin: a JSON list of ``{"alias": URL, "entries": [{"channel": ..., "auth": ...}], "url": URL}``.
stdout: a JSON list, per case ``{"name": canonical name or null, "auth": handler or null}``
or ``{"error": "ExceptionName"}`` where conda itself raises.
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

from conda.base.context import context, reset_context
from conda.gateways.connection import session as conda_session


class _Handler:
    handler_name = ""

    def __init__(self, channel_name: str) -> None:
        self.channel_name = channel_name


def _handler_class(name: str) -> type[_Handler]:
    return type(f"Handler_{abs(hash(name))}", (_Handler,), {"handler_name": name})


def main() -> None:
    cases = json.load(sys.stdin)
    results = []
    context.plugin_manager.get_auth_handler = _handler_class  # type: ignore[method-assign]
    with tempfile.TemporaryDirectory() as tmp:
        condarc = Path(tmp) / ".condarc"
        for case in cases:
            with condarc.open("w", encoding="utf-8") as handle:
                # JSON is YAML: conda reads it with its own parser
                json.dump(
                    {"channel_alias": case["alias"], "channel_settings": case["entries"]}, handle
                )
            try:
                reset_context([str(condarc)])
                context.plugin_manager.get_auth_handler = _handler_class  # type: ignore[method-assign]
                name = conda_session.get_channel_name_from_url(case["url"])
                chosen = conda_session.get_session.__wrapped__(case["url"])
                auth = getattr(chosen.auth, "handler_name", None) or None
                results.append({"name": name, "auth": auth})
            except Exception as error:
                results.append({"error": type(error).__name__})
    json.dump(results, sys.stdout)


if __name__ == "__main__":
    main()
