"""OAuth 2.0 / OIDC per conda channel: device flow, PKCE, client credentials, safe refresh"""

from session_oauth.__about__ import __version__

__all__ = ["__version__"]
