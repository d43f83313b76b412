"""`cairn generate`: realistic, valid test records for a schema, deterministic for a seed."""

from __future__ import annotations

import base64
import io
import json
import struct
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click
import fastavro
from google.protobuf.message import Message

from cli.avro_records import AvroRecordGenerator, parse_json
from cli.errors import InputError
from cli.json_records import JsonRecordGenerator
from cli.param_types import SCHEMA_TYPE
from cli.proto_records import ProtoRecordGenerator, wire_payload
from cli.proto_records import to_json as proto_json
from cli.schema_files import ReferenceSpec, SchemaLoader
from compat.formats import ParsedSchema, default_formats
from compat.protobuf import ParsedProtobuf
from compat.types import SchemaType

_FILE = click.Path(exists=True, dir_okay=False, path_type=Path)
MAGIC = b"\x00"


@dataclass(frozen=True, slots=True)
class RecordSource:
    """How to make the next record, print it as one JSON line, and encode it as a wire body."""

    next: Callable[[], object]
    line: Callable[[object], str]
    payload: Callable[[object], bytes]


def _avro(parsed: ParsedSchema, seed: int | None) -> RecordSource:
    referenced = [parse_json(ref.schema.canonical) for ref in parsed.references]
    generator = AvroRecordGenerator(parse_json(parsed.canonical), referenced, seed=seed)
    named: dict[str, dict[str, Any]] = {}
    for ref in parsed.references:
        fastavro.parse_schema(json.loads(ref.schema.canonical), named_schemas=named)
    schema = fastavro.parse_schema(json.loads(parsed.canonical), named_schemas=named)

    def payload(value: object) -> bytes:
        buffer = io.BytesIO()
        fastavro.schemaless_writer(buffer, schema, value)
        return buffer.getvalue()

    def line(value: object) -> str:
        """Avro's JSON encoding, which `serdes.AvroJsonDecoder` reads back."""
        text = io.StringIO()
        fastavro.json_writer(text, schema, [value])
        return text.getvalue().strip()

    return RecordSource(generator.record, line, payload)


def _json(parsed: ParsedSchema, seed: int | None) -> RecordSource:
    documents = {ref.name: parse_json(ref.schema.canonical) for ref in parsed.references}
    generator = JsonRecordGenerator(parse_json(parsed.canonical), documents, seed=seed)
    return RecordSource(
        generator.record, json.dumps, lambda value: json.dumps(value).encode("utf-8")
    )


def _protobuf(parsed: ParsedProtobuf, message: str | None, seed: int | None) -> RecordSource:
    generator = ProtoRecordGenerator(parsed, message, seed=seed)

    def as_message(value: object) -> Message:
        assert isinstance(value, Message)
        return value

    return RecordSource(
        generator.record,
        lambda value: json.dumps(proto_json(as_message(value))),
        lambda value: wire_payload(generator, as_message(value)),
    )


def record_source(
    parsed: ParsedSchema, seed: int | None, message: str | None = None
) -> RecordSource:
    """The generator for `parsed`'s schema type."""
    if parsed.schema_type is SchemaType.AVRO:
        return _avro(parsed, seed)
    if parsed.schema_type is SchemaType.JSON:
        return _json(parsed, seed)
    if isinstance(parsed, ParsedProtobuf):
        return _protobuf(parsed, message, seed)
    raise InputError(f"Generating {parsed.schema_type.value} records is not supported")


@click.command(
    epilog="""\b
Examples:
  cairn generate order.avsc -n 100 --seed 7 > orders.jsonl
  cairn generate order.proto --message Order -n 3
  cairn generate order.json -n 5 --wire --schema-id 12   # base64 Confluent wire bytes

\b
Output, one record per line, in the form Cairn's serializers take:
  Avro         Avro's JSON encoding (as kafka-avro-console-producer reads it);
               serdes.AvroJsonDecoder(schema) makes each line the Avro serializer's
               input and serves as its to_dict:
                 date                  int, days since 1970-01-01
                 time-millis/-micros   int, ms / us after midnight
                 timestamp-*           int, ms / us / ns since the epoch (also local-*)
                 bytes, fixed,         string, one code point U+0000-U+00FF per byte
                 decimal               (decimal: the two's-complement unscaled value)
                 uuid                  string
                 union                 null, or {"<branch type>": value}
  JSON Schema  the JSON documents themselves
  Protobuf     the proto3 JSON mapping (json_format.Parse reads it)"""
)
@click.argument("schema", type=_FILE)
@click.option(
    "-n",
    "count",
    type=click.IntRange(min=0),
    default=10,
    show_default=True,
    help="How many records to print.",
)
@click.option("--seed", type=int, default=None, help="Same seed, same records.")
@click.option("--type", "schema_type", type=SCHEMA_TYPE, help="Schema type if not by extension.")
@click.option(
    "--reference", "-r", "references", multiple=True, help="NAME=PATH of a referenced schema."
)
@click.option("--message", "-m", help="Protobuf: the message type (default: the first).")
@click.option("--wire", is_flag=True, help="Print base64 Confluent wire-format bytes instead.")
@click.option("--schema-id", type=click.IntRange(min=0), help="Schema id for --wire.")
def generate(
    schema: Path,
    count: int,
    seed: int | None,
    schema_type: SchemaType | None,
    references: tuple[str, ...],
    message: str | None,
    wire: bool,
    schema_id: int | None,
) -> None:
    """Print N valid records for SCHEMA as JSON lines (Avro, JSON Schema, Protobuf).

    Each line can be fed to Cairn's serializer for the schema (see below for Avro).
    """
    loader = SchemaLoader(default_formats())
    resolved = loader.references([ReferenceSpec.parse(r) for r in references], schema_type)
    parsed = loader.load(schema, schema_type, resolved)
    if wire and schema_id is None:
        raise InputError("--wire needs --schema-id (the registry id of SCHEMA)")
    source = record_source(parsed, seed, message)
    for _ in range(count):
        value = source.next()
        if schema_id is not None and wire:
            framed = MAGIC + struct.pack(">I", schema_id) + source.payload(value)
            click.echo(base64.b64encode(framed).decode("ascii"))
        else:
            click.echo(source.line(value))
