"""`AvroJsonDecoder`: Avro's JSON encoding in, the Avro serializer's Python values out."""

from __future__ import annotations

import datetime as dt
import decimal
import json
import uuid

import pytest

from serdes import (
    AvroJsonDecoder,
    AvroSerializer,
    PayloadError,
    SchemaError,
    SerializationContext,
)
from serdes.client import CachedRegistryClient, InMemoryRegistryClient

SCHEMA = json.dumps(
    {
        "type": "record",
        "name": "Order",
        "fields": [
            {"name": "day", "type": {"type": "int", "logicalType": "date"}},
            {"name": "at", "type": {"type": "long", "logicalType": "timestamp-millis"}},
            {"name": "at_us", "type": {"type": "long", "logicalType": "timestamp-micros"}},
            {"name": "local", "type": {"type": "long", "logicalType": "local-timestamp-millis"}},
            {"name": "clock", "type": {"type": "int", "logicalType": "time-millis"}},
            {
                "name": "amount",
                "type": {"type": "bytes", "logicalType": "decimal", "precision": 6, "scale": 2},
            },
            {"name": "raw", "type": "bytes"},
            {"name": "hash", "type": {"type": "fixed", "name": "Hash", "size": 2}},
            {"name": "id", "type": {"type": "string", "logicalType": "uuid"}},
            {"name": "note", "type": ["null", "string", "Hash"]},
        ],
    }
)
LINE = (
    '{"day": 19724, "at": 1704164645123, "at_us": 1704164645123456, "local": 0, '
    '"clock": 3723004, "amount": "\\u00cf\\u00c7", "raw": "\\u0000\\u00ff", '
    '"hash": "ab", "id": "0f8fad5b-d9cb-469f-a165-70867728950e", "note": {"string": "hi"}}'
)


def test_each_logical_type_decodes_to_its_python_value() -> None:
    record = AvroJsonDecoder(SCHEMA)(LINE)
    assert record["day"] == dt.date(2024, 1, 2)
    assert record["at"] == dt.datetime(2024, 1, 2, 3, 4, 5, 123000, tzinfo=dt.UTC)
    assert record["at_us"] == dt.datetime(2024, 1, 2, 3, 4, 5, 123456, tzinfo=dt.UTC)
    assert record["local"] == dt.datetime(1970, 1, 1)
    assert record["clock"] == dt.time(1, 2, 3, 4000)
    assert record["amount"] == decimal.Decimal("-123.45")
    assert record["raw"] == b"\x00\xff"
    assert record["hash"] == b"ab"
    assert record["id"] == uuid.UUID("0f8fad5b-d9cb-469f-a165-70867728950e")
    assert record["note"] == "hi"


def test_a_parsed_object_or_bytes_decode_like_the_line() -> None:
    decode = AvroJsonDecoder(SCHEMA)
    expected = decode(LINE)
    assert decode(json.loads(LINE)) == expected
    assert decode(LINE.encode("utf-8")) == expected
    # Pretty-printed JSON (several lines) is one record all the same.
    assert decode(json.dumps(json.loads(LINE), indent=2)) == expected


def test_as_to_dict_the_serializer_takes_json_lines() -> None:
    client = CachedRegistryClient(InMemoryRegistryClient())
    with_hook = AvroSerializer(client, SCHEMA, to_dict=AvroJsonDecoder(SCHEMA))
    plain = AvroSerializer(client, SCHEMA)
    ctx = SerializationContext("orders")
    assert with_hook(LINE, ctx) == plain(AvroJsonDecoder(SCHEMA)(LINE), ctx)


def test_a_record_that_does_not_fit_is_a_payload_error() -> None:
    decode = AvroJsonDecoder(SCHEMA)
    with pytest.raises(PayloadError, match="Avro's JSON encoding"):
        decode('{"day": "2024-01-02"}')
    with pytest.raises(PayloadError):
        decode("not json")


def test_an_invalid_schema_is_a_schema_error() -> None:
    with pytest.raises(SchemaError):
        AvroJsonDecoder('{"type": "record"}')
