"""LDAP authentication and groups for devpi-server that never hangs and caches binds"""

from devpi_auth_ldap.__about__ import __version__

__all__ = ["__version__"]
