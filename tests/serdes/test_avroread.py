"""The generated Avro readers return exactly what fastavro returns, or refuse."""

from __future__ import annotations

import io
import struct
from typing import Any

import pytest
from fastavro import parse_schema, schemaless_reader, schemaless_writer

from serdes._avroread import generate_reader
from tests.serdes.test_avrogen import BASE, EVERYTHING, VARIANTS


def _parse(schema: Any) -> tuple[Any, dict[str, Any]]:
    named: dict[str, Any] = {}
    return parse_schema(schema, named_schemas=named), named


def _write(parsed: Any, datum: Any) -> bytes:
    out = io.BytesIO()
    schemaless_writer(out, parsed, datum)
    return out.getvalue()


@pytest.mark.parametrize("variant", VARIANTS)
def test_generated_values_equal_fastavros(variant: dict[str, Any]) -> None:
    parsed, named = _parse(EVERYTHING)
    read = generate_reader(parsed, named)
    assert read is not None
    data = b"hdr" + _write(parsed, {**BASE, **variant})
    value, end = read(data, 3)
    assert end == len(data)
    expected: Any = schemaless_reader(io.BytesIO(data[3:]), parsed, None)
    assert value == expected
    assert [type(value[k]) for k in sorted(value)] == [type(expected[k]) for k in sorted(expected)]


def test_blocks_with_negative_counts_and_sizes() -> None:
    parsed, named = _parse({"type": "array", "items": "int"})
    read = generate_reader(parsed, named)
    assert read is not None
    # Two blocks: count -2 with a byte size, then count 1, then the end marker.
    data = bytes([0x03, 0x04, 0x02, 0x04, 0x02, 0x06, 0x00])
    assert read(data, 0) == ([1, 2, 3], len(data))
    assert read(data, 0)[0] == schemaless_reader(io.BytesIO(data), parsed, None)


def test_recursive_records() -> None:
    schema = {
        "type": "record",
        "name": "Node",
        "fields": [{"name": "v", "type": "long"}, {"name": "next", "type": ["null", "Node"]}],
    }
    parsed, named = _parse(schema)
    read = generate_reader(parsed, named)
    assert read is not None
    datum = {"v": 1, "next": {"v": -2, "next": None}}
    assert read(_write(parsed, datum), 0)[0] == datum


def test_truncated_and_corrupt_payloads_raise() -> None:
    parsed, named = _parse(EVERYTHING)
    read = generate_reader(parsed, named)
    assert read is not None
    data = _write(parsed, BASE)
    for cut in (1, 10, len(data) // 2, len(data) - 1):
        with pytest.raises((ValueError, IndexError, KeyError, struct.error)):
            read(data[:cut], 0)
    union = _parse(["null", "string"])
    union_read = generate_reader(*union)
    assert union_read is not None
    with pytest.raises(ValueError, match="union"):
        union_read(b"\x04", 0)


@pytest.mark.parametrize(
    "schema",
    [
        {"type": "int", "logicalType": "date"},
        ["int", "string", "null"],
        {"type": "record", "name": "U", "fields": [{"name": "u", "type": ["int", "string"]}]},
    ],
)
def test_unsupported_schemas_get_no_generated_reader(schema: Any) -> None:
    assert generate_reader(*_parse(schema)) is None
