"""Validated request values the service acts on (the HTTP layer builds them from JSON)."""

from __future__ import annotations

from dataclasses import dataclass

from compat.types import SchemaType
from registry.records import JsonObject, Reference


@dataclass(frozen=True, slots=True)
class SchemaRequest:
    """The body of register, lookup and compatibility requests."""

    schema: str
    schema_type: SchemaType = SchemaType.AVRO
    references: tuple[Reference, ...] = ()
    metadata: JsonObject | None = None
    rule_set: JsonObject | None = None
    version: int | None = None
    id: int | None = None
