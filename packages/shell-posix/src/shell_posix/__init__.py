"""conda environment activation for sh, bash, dash, zsh and ksh, safe with any path"""

from shell_posix.__about__ import __version__

__all__ = ["__version__"]
