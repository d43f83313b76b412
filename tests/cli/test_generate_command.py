"""`cairn generate`: records valid for their schema (checked with fastavro and jsonschema)."""

from __future__ import annotations

import base64
import io
import json
import struct
from pathlib import Path
from typing import Any

import fastavro
import jsonschema  # type: ignore[import-untyped]
import pytest
from click.testing import CliRunner

from cli.avro_records import AvroRecordGenerator
from cli.errors import InputError
from cli.json_records import JsonRecordGenerator
from cli.main import main

AVRO_SCHEMA: dict[str, Any] = {
    "type": "record",
    "name": "Order",
    "namespace": "com.acme",
    "fields": [
        {"name": "id", "type": {"type": "string", "logicalType": "uuid"}},
        {"name": "email", "type": "string"},
        {"name": "placed", "type": {"type": "long", "logicalType": "timestamp-millis"}},
        {"name": "placedMicros", "type": {"type": "long", "logicalType": "timestamp-micros"}},
        {"name": "day", "type": {"type": "int", "logicalType": "date"}},
        {"name": "at", "type": {"type": "int", "logicalType": "time-millis"}},
        {
            "name": "amount",
            "type": {"type": "bytes", "logicalType": "decimal", "precision": 9, "scale": 2},
        },
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
        {"name": "hash", "type": {"type": "fixed", "name": "Hash", "size": 4}},
        {"name": "status", "type": {"type": "enum", "name": "Status", "symbols": ["NEW", "PAID"]}},
        {"name": "previous", "type": ["null", "Status"], "default": None},
        {"name": "choice", "type": ["null", "int", "string", "Hash"], "default": None},
        {"name": "qty", "type": "int", "default": 1},
        {"name": "tags", "type": {"type": "map", "values": "double"}},
        {
            "name": "lines",
            "type": {
                "type": "array",
                "items": {
                    "type": "record",
                    "name": "Line",
                    "fields": [{"name": "sku", "type": "string"}, {"name": "h", "type": "Hash"}],
                },
            },
        },
    ],
}

JSON_SCHEMA: dict[str, Any] = {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "type": "object",
    "required": ["id", "email", "created", "qty", "kind", "lines"],
    "properties": {
        "id": {"type": "string", "format": "uuid"},
        "email": {"type": "string", "format": "email"},
        "created": {"type": "string", "format": "date-time"},
        "day": {"type": "string", "format": "date"},
        "qty": {"type": "integer", "minimum": 1, "maximum": 5},
        "price": {"type": "number", "exclusiveMinimum": 0, "maximum": 100},
        "even": {"type": "integer", "multipleOf": 2, "minimum": 3, "maximum": 11},
        "kind": {"enum": ["a", "b", "c"]},
        "code": {"type": "string", "minLength": 12, "maxLength": 14},
        "zip": {"type": "string", "pattern": "^[a-z]+-[0-9]+$"},
        "maybe": {"type": ["string", "null"]},
        "lines": {
            "type": "array",
            "minItems": 1,
            "maxItems": 2,
            "items": {"$ref": "#/definitions/line"},
        },
        "either": {"oneOf": [{"type": "integer"}, {"type": "string", "format": "email"}]},
    },
    "definitions": {
        "line": {
            "type": "object",
            "properties": {"sku": {"type": "string"}, "n": {"type": "integer", "minimum": 0}},
            "required": ["sku"],
            "additionalProperties": False,
        }
    },
}


def test_avro_records_are_valid_for_fastavro() -> None:
    parsed = fastavro.parse_schema(AVRO_SCHEMA)
    generator = AvroRecordGenerator(AVRO_SCHEMA, seed=3)
    for _ in range(200):
        record = generator.record()
        assert fastavro.validation.validate(record, parsed, raise_errors=True)
        buffer = io.BytesIO()
        fastavro.schemaless_writer(buffer, parsed, record)


def test_avro_defaults_and_enum_symbols_are_used() -> None:
    generator = AvroRecordGenerator(AVRO_SCHEMA, seed=5)
    values = [generator.record() for _ in range(200)]
    records = [r for r in values if isinstance(r, dict)]
    assert len(records) == len(values)
    assert {r["status"] for r in records} == {"NEW", "PAID"}
    assert any(r["qty"] == 1 for r in records)
    assert any(r["previous"] is None for r in records)
    assert any(isinstance(r["choice"], bytes) for r in records)


def test_json_schema_records_are_valid() -> None:
    validator = jsonschema.Draft7Validator(
        JSON_SCHEMA, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER
    )
    generator = JsonRecordGenerator(JSON_SCHEMA, seed=11)
    records = [generator.record() for _ in range(100)]
    for record in records:
        validator.validate(record)
    assert all(r["id"].count("-") == 4 for r in records)
    assert all("@" in r["email"] for r in records)


def test_unsatisfiable_schema_is_reported_not_looped() -> None:
    schema = {"type": "string", "pattern": "^\\d{40}$"}
    with pytest.raises(InputError, match="Could not generate a valid record"):
        JsonRecordGenerator(schema, seed=1).record()


def _write(tmp_path: Path, name: str, schema: object) -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(schema), encoding="utf-8")
    return path


def test_cli_output_is_deterministic_for_a_seed(tmp_path: Path) -> None:
    schema = _write(tmp_path, "order.avsc", AVRO_SCHEMA)
    first = CliRunner().invoke(main, ["generate", str(schema), "-n", "20", "--seed", "42"])
    second = CliRunner().invoke(main, ["generate", str(schema), "-n", "20", "--seed", "42"])
    other = CliRunner().invoke(main, ["generate", str(schema), "-n", "20", "--seed", "43"])
    assert first.exit_code == 0, first.output
    assert first.output == second.output
    assert first.output != other.output
    lines = first.output.splitlines()
    assert len(lines) == 20
    assert all(isinstance(json.loads(line), dict) for line in lines)


def test_cli_json_schema_lines_validate(tmp_path: Path) -> None:
    schema = _write(tmp_path, "order.json", JSON_SCHEMA)
    result = CliRunner().invoke(main, ["generate", str(schema), "-n", "30", "--seed", "1"])
    assert result.exit_code == 0, result.output
    for line in result.output.splitlines():
        jsonschema.validate(json.loads(line), JSON_SCHEMA)


def test_wire_output_frames_avro_with_the_schema_id(tmp_path: Path) -> None:
    schema = _write(tmp_path, "order.avsc", AVRO_SCHEMA)
    result = CliRunner().invoke(
        main, ["generate", str(schema), "-n", "5", "--seed", "9", "--wire", "--schema-id", "77"]
    )
    assert result.exit_code == 0, result.output
    parsed = fastavro.parse_schema(AVRO_SCHEMA)
    for line in result.output.splitlines():
        raw = base64.b64decode(line)
        assert raw[0] == 0
        assert struct.unpack(">I", raw[1:5])[0] == 77
        record = fastavro.schemaless_reader(io.BytesIO(raw[5:]), parsed)
        assert isinstance(record, dict)
        assert set(record) == {f["name"] for f in AVRO_SCHEMA["fields"]}


def test_wire_needs_a_schema_id(tmp_path: Path) -> None:
    schema = _write(tmp_path, "order.avsc", AVRO_SCHEMA)
    result = CliRunner().invoke(main, ["generate", str(schema), "--wire"])
    assert result.exit_code == 2
    assert "--schema-id" in result.output


def test_avro_references_from_files(tmp_path: Path) -> None:
    money = _write(
        tmp_path,
        "money.avsc",
        {
            "type": "record",
            "name": "Money",
            "namespace": "m",
            "fields": [{"name": "c", "type": "long"}],
        },
    )
    pay = _write(
        tmp_path,
        "pay.avsc",
        {"type": "record", "name": "Pay", "fields": [{"name": "amount", "type": "m.Money"}]},
    )
    result = CliRunner().invoke(
        main, ["generate", str(pay), "-n", "3", "--seed", "2", "-r", f"m.Money={money}"]
    )
    assert result.exit_code == 0, result.output
    for line in result.output.splitlines():
        assert isinstance(json.loads(line)["amount"]["c"], int)
