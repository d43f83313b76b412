"""The JSON codec: orjson and the standard-library fallback write the same bytes."""

from __future__ import annotations

import importlib.util
from typing import Any

import pytest

from serdes._jsoncodec import codec

VALUES: list[Any] = [
    {"name": "Zoë", "age": 30, "tags": ["a", "b"], "ok": True, "none": None},
    {"nested": {"x": [1, 2, {"y": "✓"}]}, "n": -7, "f": 2.5},
    [],
    "text",
]


@pytest.mark.parametrize("value", VALUES)
def test_stdlib_fallback_round_trips_compact_utf8(value: Any) -> None:
    dumps, loads = codec(prefer_orjson=False)
    data = dumps(value)
    assert b", " not in data
    assert b": " not in data
    assert loads(data) == value


@pytest.mark.skipif(importlib.util.find_spec("orjson") is None, reason="orjson is not installed")
@pytest.mark.parametrize("value", VALUES)
def test_both_codecs_write_the_same_bytes(value: Any) -> None:
    assert codec()[0](value) == codec(prefer_orjson=False)[0](value)
