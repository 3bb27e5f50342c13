"""conda environment activation for fish, safe with any path"""

from shell_fish.__about__ import __version__

__all__ = ["__version__"]
