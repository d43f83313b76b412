"""What the shared serializer and deserializer machinery needs to know about one schema format.

Resolving the writer schema (`serdes._writers`) and fetching schemas by id, GUID or as a
subject's latest version (`serdes._fetch`) are the same for Avro, JSON Schema and Protobuf;
only a few steps depend on the format. Each format implements them once, in one object,
so those shared modules never branch on the format and a new format is one new class.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol, TypeVar

from serdes.client import RegisteredSchema, Schema

P = TypeVar("P")

Register = Callable[[str, Schema], RegisteredSchema]
"""Registers (or, without auto-registration, looks up) a schema under a subject."""


class SchemaCodec(Protocol[P]):
    """One schema format: how a registered schema becomes the form records are written with.

    `P` is the format's prepared schema (fastavro's parsed schema and writer, a JSON Schema
    validator, a Protobuf file). `parse` is called once per schema, never per record.
    """

    def parse(self, schema: Schema) -> P:
        """`schema` (fetching its references) in prepared form; `SchemaError` when unusable."""

    def record_name(self, parsed: P) -> str | None:
        """The record's full name, for the record-name subject strategies; None if unnamed."""

    def prefix(self, schema_id: int, parsed: P) -> bytes:
        """The bytes a serializer writes before each payload written with schema `schema_id`."""

    def with_references(self, schema: Schema, register: Register) -> Schema:
        """`schema` as it is registered or looked up under a subject.

        Protobuf registers the files it imports first (through `register`) and names them as
        references; formats whose schemas carry their references already return `schema`.
        """
