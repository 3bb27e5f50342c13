"""THE redaction policy: which setting names hold a secret, and URLs without userinfo.

Used by ``conda-session status``/``which`` (flat settings) and by the devpi helpers (nested
plugin configuration). A key holds a secret when it names one (``password``, ``secret``,
``token``, ``credential``, ``apikey``...), unless it names *where* the secret is or a fact
about it (``*_env``, ``*_file``, ``*_endpoint``, ``*_storage``, ``*_expiry``...): those are
shown. Any ``scheme://user:pass@`` in a shown value loses its userinfo.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

__all__ = ["looks_secret", "redact_nested", "redact_settings", "strip_userinfo"]

SECRET_WORDS = ("pass", "secret", "token", "credential", "apikey", "api_key", "private_key")
HARMLESS_SUFFIXES = (
    "_env",
    "_file",
    "_prefix",
    "_endpoint",
    "_url",
    "_storage",
    "_source",
    "_expiry",
    "_stored",
    "_kind",
    "_type",
)
HARMLESS_KEYS = frozenset({"username", "allow_http", "credential", "logged_in", "login"})
_USERINFO = re.compile(r"(?<=://)[^/@\s?#]*@")


def looks_secret(key: str) -> bool:
    """Whether the value of setting ``key`` is a secret that must not be shown."""
    lowered = key.lower()
    if lowered in HARMLESS_KEYS or lowered.endswith(HARMLESS_SUFFIXES):
        return False
    return any(word in lowered for word in SECRET_WORDS)


def strip_userinfo(text: str) -> str:
    """``text`` with the ``user:pass@`` of every URL in it removed."""
    return _USERINFO.sub("", text)


def redact_settings(settings: Mapping[str, str], marker: str = "<redacted>") -> dict[str, str]:
    """Flat settings as they may be printed: secrets replaced, userinfo removed."""
    return {
        str(key): marker if looks_secret(str(key)) else strip_userinfo(str(value))
        for key, value in settings.items()
    }


def redact_nested(value: Any, marker: str = "***") -> Any:
    """A copy of nested configuration with every secret-looking key's value replaced."""
    if isinstance(value, Mapping):
        return {
            key: (
                marker
                if looks_secret(str(key)) and val not in (None, "")
                else redact_nested(val, marker)
            )
            for key, val in value.items()
        }
    if isinstance(value, list | tuple):
        return [redact_nested(item, marker) for item in value]
    if isinstance(value, str):
        return strip_userinfo(value)
    return value
