"""Run devpi-server with the devpi-notify entry point blocked (the benchmark's baseline).

Same interpreter, same installed packages, devpi-server's own start-up path: only the
plugin is missing, so the comparison measures devpi-notify and nothing else.
"""

import sys

from devpi_server import main as devpi_main
from devpi_server.config import get_pluginmanager

BLOCKED = "devpi-notify"


def run() -> int:
    manager = get_pluginmanager(load_entrypoints=False)
    manager.set_blocked(BLOCKED)
    manager.load_setuptools_entrypoints("devpi_server")
    with devpi_main.CommandRunner(pluginmanager=manager) as runner:
        runner.return_code = devpi_main._main(manager, argv=sys.argv)
    return runner.return_code or 0


if __name__ == "__main__":
    sys.exit(run())
