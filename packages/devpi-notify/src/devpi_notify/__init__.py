"""Durable, signed notifications from devpi-server on uploads and changes"""

from devpi_notify.__about__ import __version__

__all__ = ["__version__"]
