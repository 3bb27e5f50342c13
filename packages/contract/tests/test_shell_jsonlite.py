"""The small JSON reader agrees with the standard library on what env files contain."""

from __future__ import annotations

import json

import pytest

from plugin_contract.shell import jsonlite

SAMPLES = [
    {"env_vars": {"A": "x", "B": ""}},
    {"K": "quo'te \" back\\slash / \b\f\n\r\t \u0001 ünï 终 🐍 $(x) `y`"},
    {"nested": [1, -2, 3.5, 1e3, True, False, None, [], {}], "s": "\ud7ff\ue000"},
    [],
    "plain",
]


@pytest.mark.parametrize("sample", SAMPLES)
@pytest.mark.parametrize("ascii_only", [True, False])
def test_round_trips_what_json_writes(sample: object, ascii_only: bool) -> None:
    for indent in (None, 2):
        text = json.dumps(sample, ensure_ascii=ascii_only, indent=indent)
        assert jsonlite.loads(text) == json.loads(text)


@pytest.mark.parametrize(
    "text",
    [
        "{",
        '{"a" "b"}',
        '{"a": "b",}',
        '"unterminated',
        '"bad \\x"',
        "[1 2]",
        '{"a": tru}',
        '"\\u12"',
        "{} extra",
        '"tab\there"',
        "",
    ],
)
def test_rejects_what_is_not_json(text: str) -> None:
    with pytest.raises(ValueError):  # noqa: PT011 - every failure is a ValueError, by contract
        jsonlite.loads(text)
