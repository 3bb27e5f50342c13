"""A conda plugin: shell-csh"""

from shell_csh.__about__ import __version__

__all__ = ["__version__"]
