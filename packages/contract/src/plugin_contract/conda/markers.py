"""pluggy markers for project ``conda``: the same project name real conda uses."""

from __future__ import annotations

import pluggy

PROJECT_NAME = "conda"
ENTRY_POINT_GROUP = "conda"

hookspec = pluggy.HookspecMarker(PROJECT_NAME)
hookimpl = pluggy.HookimplMarker(PROJECT_NAME)
