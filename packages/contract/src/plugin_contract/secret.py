"""``Secret``: a value that never shows itself (neutral: sessions and devpi plugins use it)."""

from __future__ import annotations

from typing import Any

__all__ = ["Secret"]


class Secret:
    """A secret value whose ``repr`` and ``str`` never show it; call :meth:`reveal` to use it."""

    __slots__ = ("_source", "_value")

    def __init__(self, value: str, source: str = "value") -> None:
        self._value = value
        self._source = source

    def reveal(self) -> str:
        return self._value

    @property
    def source(self) -> str:
        """Where the secret came from, e.g. ``env:NAME`` or ``file:/run/secrets/x``."""
        return self._source

    def __repr__(self) -> str:
        return f"Secret(<redacted from {self._source}>)"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(("Secret", self._value))

    def __reduce__(self) -> Any:
        raise TypeError("a Secret is not pickled")
