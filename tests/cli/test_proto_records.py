"""Protobuf records from `cairn generate`: they parse back into the schema's own messages."""

from __future__ import annotations

import base64
import json
import struct
from pathlib import Path

from click.testing import CliRunner
from google.protobuf import descriptor_pool, json_format, message_factory
from google.protobuf.message import Message

from cli.main import main
from cli.proto_records import ProtoRecordGenerator
from compat.protobuf import ProtobufFormat, decode_indexes

SCHEMA = """syntax = "proto3";
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
  map<string, Line> by_sku = 10;
  enum Status { NEW = 0; PAID = 1; }
  message Line { string sku = 1; uint32 n = 2; }
}
message Other { bool ok = 1; }
"""
PARSED = ProtobufFormat().parse(SCHEMA)


def _message_class(name: str) -> type[Message]:
    pool = descriptor_pool.DescriptorPool()
    for dependency in PARSED.compiled.dependencies:
        pool.Add(dependency)
    pool.Add(PARSED.file)
    return message_factory.GetMessageClass(pool.FindMessageTypeByName(name))


def test_generated_messages_fill_fields_and_one_oneof_member() -> None:
    generator = ProtoRecordGenerator(PARSED, None, seed=4)
    messages = [generator.record() for _ in range(50)]
    for message in messages:
        assert message.DESCRIPTOR.full_name == "shop.Order"
        assert message.WhichOneof("payer") in ("email", "account")
        assert message.HasField("placed")
    assert any(len(m.lines) > 0 for m in messages)  # type: ignore[attr-defined]
    assert any(len(m.by_sku) > 0 for m in messages)  # type: ignore[attr-defined]


def test_cli_json_lines_parse_into_the_message(tmp_path: Path) -> None:
    schema = tmp_path / "order.proto"
    schema.write_text(SCHEMA, encoding="utf-8")
    result = CliRunner().invoke(main, ["generate", str(schema), "-n", "20", "--seed", "8"])
    assert result.exit_code == 0, result.output
    order = _message_class("shop.Order")
    lines = result.output.splitlines()
    assert len(lines) == 20
    for line in lines:
        json_format.ParseDict(json.loads(line), order())  # raises on an unknown field or type
    again = CliRunner().invoke(main, ["generate", str(schema), "-n", "20", "--seed", "8"])
    assert again.output == result.output


def test_cli_wire_bytes_carry_id_indexes_and_message(tmp_path: Path) -> None:
    schema = tmp_path / "order.proto"
    schema.write_text(SCHEMA, encoding="utf-8")
    result = CliRunner().invoke(
        main,
        ["generate", str(schema), "-m", "Other", "-n", "5", "--wire", "--schema-id", "21"],
    )
    assert result.exit_code == 0, result.output
    other = _message_class("shop.Other")
    for line in result.output.splitlines():
        raw = base64.b64decode(line)
        assert raw[0] == 0
        assert struct.unpack(">I", raw[1:5])[0] == 21
        indexes, used = decode_indexes(raw[5:])
        assert indexes == [1]
        other().ParseFromString(raw[5 + used :])


def test_unknown_message_is_a_usage_error(tmp_path: Path) -> None:
    schema = tmp_path / "order.proto"
    schema.write_text(SCHEMA, encoding="utf-8")
    result = CliRunner().invoke(main, ["generate", str(schema), "-m", "Nope"])
    assert result.exit_code == 2
    assert "no message 'shop.Nope'" in result.output
