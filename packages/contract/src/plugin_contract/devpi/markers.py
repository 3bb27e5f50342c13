"""pluggy marker for devpi-server plugins."""

from __future__ import annotations

import pluggy

PROJECT_NAME = "devpiserver"
ENTRY_POINT_GROUP = "devpi_server"

hookimpl = pluggy.HookimplMarker(PROJECT_NAME)
