"""HTTP basic auth per conda channel; credentials never in plain-text config"""

from session_basic_auth.__about__ import __version__

__all__ = ["__version__"]
