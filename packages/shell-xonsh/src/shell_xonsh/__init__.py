"""A conda plugin: shell-xonsh"""

from shell_xonsh.__about__ import __version__

__all__ = ["__version__"]
