"""`cairn generate` output goes straight into Cairn's own serializers, for every type.

Avro lines are Avro's JSON encoding, read by `serdes.AvroJsonDecoder` as the Avro
serializer's `to_dict`; JSON Schema lines are the documents the JSON serializer validates;
Protobuf lines are the proto3 JSON mapping of the schema's messages.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from google.protobuf import json_format

from cli.main import main
from compat.protobuf import ProtobufFormat
from serdes import (
    AvroDeserializer,
    AvroJsonDecoder,
    AvroSerializer,
    JSONSerializer,
    ProtobufDeserializer,
    ProtobufSerializer,
    SerializationContext,
)
from serdes.client import CachedRegistryClient, InMemoryRegistryClient, Schema, SchemaReference
from serdes.protobuf import message_class


def _logical(kind: str, logical: str, **extra: object) -> dict[str, object]:
    return {"type": kind, "logicalType": logical, **extra}


#: Every Avro type and every logical type the specification names.
EVERY_AVRO_TYPE: dict[str, Any] = {
    "type": "record",
    "name": "Everything",
    "namespace": "com.acme",
    "fields": [
        {"name": "nothing", "type": "null"},
        {"name": "flag", "type": "boolean"},
        {"name": "count", "type": "int"},
        {"name": "total", "type": "long"},
        {"name": "ratio", "type": "float"},
        {"name": "score", "type": "double"},
        {"name": "blob", "type": "bytes"},
        {"name": "name", "type": "string"},
        {"name": "status", "type": {"type": "enum", "name": "Status", "symbols": ["NEW", "PAID"]}},
        {"name": "hash", "type": {"type": "fixed", "name": "Hash", "size": 4}},
        {"name": "tags", "type": {"type": "array", "items": "string"}},
        {"name": "prices", "type": {"type": "map", "values": "double"}},
        {
            "name": "line",
            "type": {
                "type": "record",
                "name": "Line",
                "fields": [{"name": "sku", "type": "string"}, {"name": "h", "type": "Hash"}],
            },
        },
        {"name": "maybe", "type": ["null", "string"], "default": None},
        {"name": "either", "type": ["null", "int", "string", "Hash", "Status", "Line"]},
        {"name": "numbers", "type": ["long", "double", "bytes"]},
        {"name": "when", "type": ["null", _logical("long", "timestamp-millis")]},
        {"name": "amount", "type": _logical("bytes", "decimal", precision=9, scale=2)},
        {
            "name": "price",
            "type": {
                "type": "fixed",
                "name": "Price",
                "size": 6,
                "logicalType": "decimal",
                "precision": 12,
                "scale": 3,
            },
        },
        {"name": "big", "type": _logical("bytes", "big-decimal")},
        {"name": "id", "type": _logical("string", "uuid")},
        {
            "name": "raw_id",
            "type": {"type": "fixed", "name": "RawId", "size": 16, "logicalType": "uuid"},
        },
        {"name": "day", "type": _logical("int", "date")},
        {"name": "at_ms", "type": _logical("int", "time-millis")},
        {"name": "at_us", "type": _logical("long", "time-micros")},
        {"name": "ts_ms", "type": _logical("long", "timestamp-millis")},
        {"name": "ts_us", "type": _logical("long", "timestamp-micros")},
        {"name": "ts_ns", "type": _logical("long", "timestamp-nanos")},
        {"name": "local_ms", "type": _logical("long", "local-timestamp-millis")},
        {"name": "local_us", "type": _logical("long", "local-timestamp-micros")},
        {"name": "local_ns", "type": _logical("long", "local-timestamp-nanos")},
        {
            "name": "lasted",
            "type": {"type": "fixed", "name": "Lasted", "size": 12, "logicalType": "duration"},
        },
        {"name": "answer", "type": "int", "default": 42},
    ],
}
#: Schemas that are not records: each top-level kind must serialize too.
TOP_LEVEL = [
    "string",
    _logical("long", "timestamp-micros"),
    ["null", "long", {"type": "enum", "name": "E", "symbols": ["A", "B"]}],
    {"type": "map", "values": _logical("bytes", "decimal", precision=4, scale=1)},
    {"type": "array", "items": {"type": "fixed", "name": "F", "size": 2}},
]


def _generate(tmp_path: Path, name: str, text: str, *args: str) -> list[str]:
    schema = tmp_path / name
    schema.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(main, ["generate", str(schema), *args])
    assert result.exit_code == 0, result.output
    return result.output.splitlines()


def _client() -> CachedRegistryClient:
    return CachedRegistryClient(InMemoryRegistryClient())


@pytest.mark.parametrize(
    "schema", [EVERY_AVRO_TYPE, *TOP_LEVEL], ids=["record", *(json.dumps(s) for s in TOP_LEVEL)]
)
def test_every_avro_line_serializes_with_cairns_serializer(tmp_path: Path, schema: Any) -> None:
    text = json.dumps(schema)
    lines = _generate(tmp_path, "s.avsc", text, "-n", "200", "--seed", "5")
    assert len(lines) == 200
    client = _client()
    decode = AvroJsonDecoder(text)
    serialize = AvroSerializer(client, text, to_dict=decode)
    plain = AvroSerializer(client, text)
    deserialize = AvroDeserializer(client)
    ctx = SerializationContext("everything")
    for line in lines:
        data = serialize(line, ctx)
        assert data is not None
        value = deserialize(data, ctx)
        # What is read back writes the same bytes (floats compare as float32, not as text);
        # a null value is read back as None, which a serializer leaves unframed.
        if value is None:
            assert data[5:] == b"\x00"  # the union's null branch
        else:
            assert plain(value, ctx) == data


def test_avro_lines_use_avros_json_encoding(tmp_path: Path) -> None:
    """Numbers for times, code-point strings for bytes, branch names for unions."""
    lines = _generate(tmp_path, "s.avsc", json.dumps(EVERY_AVRO_TYPE), "-n", "50", "--seed", "1")
    records = [json.loads(line) for line in lines]
    for record in records:
        assert isinstance(record["ts_ms"], int)
        assert isinstance(record["day"], int)
        assert isinstance(record["amount"], str)
        assert all(ord(ch) < 256 for ch in record["hash"])
        assert len(record["hash"]) == 4
    branches = {next(iter(r["either"])) for r in records if r["either"] is not None}
    assert branches <= {"int", "string", "com.acme.Hash", "com.acme.Status", "com.acme.Line"}
    assert len(branches) > 1


def test_avro_lines_with_references_serialize(tmp_path: Path) -> None:
    money = {
        "type": "record",
        "name": "Money",
        "namespace": "m",
        "fields": [{"name": "cents", "type": _logical("bytes", "decimal", precision=6)}],
    }
    pay = {"type": "record", "name": "Pay", "fields": [{"name": "amount", "type": "m.Money"}]}
    money_file = tmp_path / "money.avsc"
    money_file.write_text(json.dumps(money), encoding="utf-8")
    lines = _generate(tmp_path, "pay.avsc", json.dumps(pay), "-r", f"m.Money={money_file}")
    inner = InMemoryRegistryClient()
    inner.register_schema("money", Schema(json.dumps(money)))
    client = CachedRegistryClient(inner)
    schema = Schema(json.dumps(pay), references=(SchemaReference("m.Money", "money", 1),))
    serialize = AvroSerializer(client, schema, to_dict=AvroJsonDecoder(schema, client))
    for line in lines:
        assert serialize(line, SerializationContext("pay")) is not None


JSON_SCHEMA = {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "type": "object",
    "required": ["id", "created", "qty", "kind"],
    "properties": {
        "id": {"type": "string", "format": "uuid"},
        "created": {"type": "string", "format": "date-time"},
        "day": {"type": "string", "format": "date"},
        "qty": {"type": "integer", "minimum": 1},
        "price": {"type": "number", "exclusiveMinimum": 0},
        "kind": {"enum": ["a", "b"]},
        "maybe": {"type": ["string", "null"]},
        "flags": {"type": "array", "items": {"type": "boolean"}},
        "either": {"oneOf": [{"type": "integer"}, {"type": "string", "format": "email"}]},
    },
}


def test_every_json_schema_line_passes_the_json_serializer(tmp_path: Path) -> None:
    text = json.dumps(JSON_SCHEMA)
    lines = _generate(tmp_path, "s.json", text, "-n", "100", "--seed", "3")
    serialize = JSONSerializer(text, _client())
    for line in lines:
        assert serialize(json.loads(line), SerializationContext("json")) is not None


PROTO = """syntax = "proto3";
package shop;
import "google/protobuf/timestamp.proto";
message Order {
  string id = 1;
  int64 qty = 2;
  Status status = 3;
  repeated Line lines = 4;
  map<string, double> prices = 5;
  oneof payer { string email = 6; int32 account = 7; }
  google.protobuf.Timestamp placed = 8;
  optional bytes blob = 9;
  uint64 big = 10;
  sint32 delta = 11;
  fixed64 f64 = 12;
  float ratio = 13;
  bool ok = 14;
  enum Status { NEW = 0; PAID = 1; }
  message Line { string sku = 1; uint32 n = 2; }
}
"""


def test_every_protobuf_line_parses_into_the_message_and_serializes(tmp_path: Path) -> None:
    lines = _generate(tmp_path, "order.proto", PROTO, "-n", "100", "--seed", "4")
    order = message_class(ProtobufFormat().parse(PROTO), "shop.Order")
    client = _client()
    serialize = ProtobufSerializer(order, client)
    deserialize = ProtobufDeserializer(order, schema_registry_client=client)
    ctx = SerializationContext("orders")
    for line in lines:
        message = json_format.Parse(line, order())
        data = serialize(message, ctx)
        assert data is not None
        assert deserialize(data, ctx) == message
