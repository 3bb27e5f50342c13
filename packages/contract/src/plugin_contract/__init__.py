"""Hook specifications, host machinery and a testing kit for conda and devpi-server plugins."""

from plugin_contract.__about__ import __version__

__all__ = ["__version__"]
