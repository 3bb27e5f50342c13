"""A small strict JSON reader for ``env_vars.d`` and ``conda-meta/state``.

The standard ``json`` module imports ``re`` and compiles patterns at import, which costs more
than the rest of activation; these files are small, so a plain recursive reader does.
Anything that is not JSON raises ``ValueError``.
"""

from __future__ import annotations

ESCAPES = {'"': '"', "\\": "\\", "/": "/", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}
WHITESPACE = " \t\n\r"
NUMBER_CHARS = "0123456789+-.eE"


def loads(text: str) -> object:
    reader = _Reader(text)
    value = reader.read_value()
    reader.skip()
    if reader.pos != len(text):
        raise ValueError(f"extra data at offset {reader.pos}")
    return value


class _Reader:
    __slots__ = ("pos", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    def skip(self) -> None:
        text, pos = self.text, self.pos
        while pos < len(text) and text[pos] in WHITESPACE:
            pos += 1
        self.pos = pos

    def expect(self, char: str) -> None:
        self.skip()
        if self.text[self.pos : self.pos + 1] != char:
            raise ValueError(f"expected {char!r} at offset {self.pos}")
        self.pos += 1

    def read_value(self) -> object:
        self.skip()
        char = self.text[self.pos : self.pos + 1]
        if char == "{":
            return self.read_object()
        if char == "[":
            return self.read_array()
        if char == '"':
            return self.read_string()
        for word, result in (("true", True), ("false", False), ("null", None)):
            if self.text.startswith(word, self.pos):
                self.pos += len(word)
                return result
        return self.read_number()

    def read_object(self) -> dict[str, object]:
        self.expect("{")
        found: dict[str, object] = {}
        self.skip()
        if self.text[self.pos : self.pos + 1] == "}":
            self.pos += 1
            return found
        while True:
            self.skip()
            if self.text[self.pos : self.pos + 1] != '"':
                raise ValueError(f"expected a string key at offset {self.pos}")
            key = self.read_string()
            self.expect(":")
            found[key] = self.read_value()
            self.skip()
            char = self.text[self.pos : self.pos + 1]
            self.pos += 1
            if char == "}":
                return found
            if char != ",":
                raise ValueError(f"expected ',' or '}}' at offset {self.pos - 1}")

    def read_array(self) -> list[object]:
        self.expect("[")
        found: list[object] = []
        self.skip()
        if self.text[self.pos : self.pos + 1] == "]":
            self.pos += 1
            return found
        while True:
            found.append(self.read_value())
            self.skip()
            char = self.text[self.pos : self.pos + 1]
            self.pos += 1
            if char == "]":
                return found
            if char != ",":
                raise ValueError(f"expected ',' or ']' at offset {self.pos - 1}")

    def read_string(self) -> str:
        text = self.text
        pos = self.pos + 1
        parts: list[str] = []
        while True:
            end = pos
            while end < len(text) and text[end] not in '"\\' and text[end] >= " ":
                end += 1
            parts.append(text[pos:end])
            if end >= len(text):
                raise ValueError("unterminated string")
            char = text[end]
            if char == '"':
                self.pos = end + 1
                return "".join(parts)
            if char != "\\":
                raise ValueError(f"control character in string at offset {end}")
            code = text[end + 1 : end + 2]
            if code in ESCAPES:
                parts.append(ESCAPES[code])
                pos = end + 2
            elif code == "u":
                unit, pos = self._unit(end + 2)
                if 0xD800 <= unit < 0xDC00 and text[pos : pos + 2] == "\\u":
                    low, after = self._unit(pos + 2)
                    if 0xDC00 <= low < 0xE000:
                        unit = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00)
                        pos = after
                parts.append(chr(unit))
            else:
                raise ValueError(f"bad escape at offset {end}")

    def _unit(self, start: int) -> tuple[int, int]:
        digits = self.text[start : start + 4]
        if len(digits) != 4 or any(c not in "0123456789abcdefABCDEF" for c in digits):
            raise ValueError(f"bad \\u escape at offset {start}")
        return int(digits, 16), start + 4

    def read_number(self) -> float | int:
        start = self.pos
        while self.pos < len(self.text) and self.text[self.pos] in NUMBER_CHARS:
            self.pos += 1
        token = self.text[start : self.pos]
        if not token:
            raise ValueError(f"unexpected character at offset {start}")
        try:
            return int(token) if token.lstrip("-").isdigit() else float(token)
        except ValueError:
            raise ValueError(f"bad number {token!r} at offset {start}") from None
