"""The generated Avro encoders write exactly what fastavro writes, or defer to it."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from fastavro import parse_schema, schemaless_writer

from serdes._avrogen import generate
from serdes._avrowrite import writer_for


def _fastavro(parsed: Any, datum: Any) -> bytes:
    out = io.BytesIO()
    schemaless_writer(out, parsed, datum)
    return out.getvalue()


def _parse(schema: Any) -> tuple[Any, dict[str, Any]]:
    named: dict[str, Any] = {}
    parsed = parse_schema(schema, named_schemas=named)
    return parsed, named


EVERYTHING = {
    "type": "record",
    "name": "All",
    "namespace": "t",
    "fields": [
        {"name": "b", "type": "boolean"},
        {"name": "i", "type": "int"},
        {"name": "l", "type": "long"},
        {"name": "f", "type": "float"},
        {"name": "d", "type": "double"},
        {"name": "s", "type": "string"},
        {"name": "by", "type": "bytes"},
        {"name": "n", "type": "null"},
        {
            "name": "e",
            "type": {"type": "enum", "name": "Color", "symbols": ["RED", "GREEN", "BLUE"]},
        },
        {"name": "fx", "type": {"type": "fixed", "name": "Four", "size": 4}},
        {"name": "a", "type": {"type": "array", "items": "long"}},
        {"name": "m", "type": {"type": "map", "values": "string"}},
        {"name": "u1", "type": ["null", "string"]},
        {"name": "u2", "type": ["long", "null"], "default": 5},
        {"name": "e2", "type": "t.Color", "default": "BLUE"},
        {
            "name": "inner",
            "type": {
                "type": "record",
                "name": "Inner",
                "fields": [{"name": "x", "type": "int"}, {"name": "c", "type": "t.Color"}],
            },
        },
        {"name": "inners", "type": {"type": "array", "items": "t.Inner"}},
        {"name": "maybe", "type": ["null", "t.Inner"], "default": None},
    ],
}

BASE: dict[str, Any] = {
    "b": True,
    "i": -1,
    "l": 2**40,
    "f": 1.5,
    "d": -0.1,
    "s": "héllo ✓",
    "by": b"\x00\xff",
    "n": None,
    "e": "GREEN",
    "fx": b"abcd",
    "a": [0, 1, -1, 63, -64, 64, 2**63 - 1, -(2**63)],
    "m": {"k": "v", "": "empty"},
    "u1": "x",
    "u2": None,
    "e2": "RED",
    "inner": {"x": 2**31 - 1, "c": "RED"},
    "inners": [{"x": -(2**31), "c": "BLUE"}, {"x": 0, "c": "GREEN"}],
    "maybe": {"x": 1, "c": "RED"},
}

VARIANTS: list[dict[str, Any]] = [
    {},
    {"a": [], "m": {}, "inners": [], "u1": None, "maybe": None, "s": ""},
    {"u2": 123456789, "d": 3, "f": 2},  # ints where floats are expected
    {"extra": "ignored"},
]


@pytest.mark.parametrize("variant", VARIANTS)
def test_generated_bytes_equal_fastavros(variant: dict[str, Any]) -> None:
    parsed, named = _parse(EVERYTHING)
    fast = generate(parsed, named)
    assert fast is not None
    datum = {**BASE, **variant}
    buf = bytearray()
    fast(buf, datum)
    assert bytes(buf) == _fastavro(parsed, datum)


def test_missing_fields_take_defaults_like_fastavro() -> None:
    parsed, named = _parse(EVERYTHING)
    fast = generate(parsed, named)
    assert fast is not None
    datum = {k: v for k, v in BASE.items() if k not in ("u2", "e2", "maybe", "u1")}
    buf = bytearray()
    fast(buf, datum)
    assert bytes(buf) == _fastavro(parsed, datum)


def test_recursive_records() -> None:
    schema = {
        "type": "record",
        "name": "Node",
        "fields": [{"name": "v", "type": "int"}, {"name": "next", "type": ["null", "Node"]}],
    }
    parsed, named = _parse(schema)
    fast = generate(parsed, named)
    assert fast is not None
    datum = {"v": 1, "next": {"v": 2, "next": {"v": 3, "next": None}}}
    buf = bytearray()
    fast(buf, datum)
    assert bytes(buf) == _fastavro(parsed, datum)


@pytest.mark.parametrize(
    "schema",
    [
        {"type": "long", "logicalType": "timestamp-millis"},
        ["null", "string", "long"],
        {"type": "record", "name": "B", "fields": [{"name": "b", "type": "bytes", "default": "x"}]},
    ],
)
def test_unsupported_schemas_get_no_generated_writer(schema: Any) -> None:
    parsed, named = _parse(schema)
    assert generate(parsed, named) is None


@pytest.mark.parametrize(
    "change",
    [
        {"i": True},  # bool as int: fastavro writes 1
        {"u1": ("string", "tagged")},  # fastavro's tuple union notation
        {"a": (1, 2)},  # tuple as array
        {"i": 2**31},  # out of int range: fastavro decides
    ],
)
def test_what_the_generated_code_refuses_fastavro_decides(change: dict[str, Any]) -> None:
    parsed, _named = _parse(EVERYTHING)
    write = writer_for(parsed)
    datum = {**BASE, **change}
    try:
        expected: bytes | type[Exception] = _fastavro(parsed, datum)
    except Exception as exc:
        expected = type(exc)
    buf = bytearray(b"prefix")
    if isinstance(expected, bytes):
        write(buf, datum)
        assert bytes(buf) == b"prefix" + expected
    else:
        with pytest.raises(expected):
            write(buf, datum)


@pytest.mark.parametrize(
    "change",
    [{"s": 5}, {"e": "PURPLE"}, {"fx": b"abc"}, {"inner": {"c": "RED"}}, {"m": {"k": 1}}],
)
def test_invalid_values_still_fail(change: dict[str, Any]) -> None:
    parsed, _named = _parse(EVERYTHING)
    with pytest.raises(Exception):  # noqa: B017, PT011 (whatever fastavro raises)
        writer_for(parsed)(bytearray(), {**BASE, **change})


def test_top_level_primitives_and_arrays() -> None:
    for schema, datum in (
        ("string", "plain"),
        ("long", -(2**62)),
        ({"type": "array", "items": ["null", "double"]}, [None, 1.25]),
        ({"type": "map", "values": {"type": "array", "items": "int"}}, {"a": [1, 2], "b": []}),
    ):
        parsed, named = _parse(json.loads(json.dumps(schema)))
        fast = generate(parsed, named)
        assert fast is not None, schema
        buf = bytearray()
        fast(buf, datum)
        assert bytes(buf) == _fastavro(parsed, datum), schema


def test_portable_writer_when_fastavros_internals_are_unavailable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import serdes._avrowrite as avrowrite  # noqa: PLC0415 (the module whose global is patched)

    parsed, _named = _parse(EVERYTHING)
    monkeypatch.setattr(avrowrite, "_WRITE_DATA", None)
    buf = bytearray(b"p")
    avrowrite.writer_for(parsed, generated=False)(buf, BASE)
    assert bytes(buf) == b"p" + _fastavro(parsed, BASE)
