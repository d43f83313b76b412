"""Validated request values the service acts on (the HTTP layer builds them from JSON)."""

from __future__ import annotations

from dataclasses import dataclass

from compat.types import SchemaEntity, SchemaType
from registry.records import JsonObject, Reference


@dataclass(frozen=True, slots=True)
class SchemaTags:
    """Tags for one entity of a schema (Confluent's `SchemaTags`)."""

    entity: SchemaEntity
    tags: tuple[str, ...]


def tag_map(entries: tuple[SchemaTags, ...]) -> dict[SchemaEntity, list[str]]:
    """Tags by entity, the lists of one entity joined in order (duplicates dropped)."""
    merged: dict[SchemaEntity, list[str]] = {}
    for entry in entries:
        tags = merged.setdefault(entry.entity, [])
        tags.extend(t for t in entry.tags if t not in tags)
    return merged


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
    #: Tags to add to (then remove from) the schema text before it is registered.
    tags_to_add: tuple[SchemaTags, ...] = ()
    tags_to_remove: tuple[SchemaTags, ...] = ()
    #: Carry the latest version's tags over to this schema.
    propagate_tags: bool = False

    @property
    def edits_tags(self) -> bool:
        """Whether the request changes the schema's tags (then it is never a plain lookup)."""
        return bool(self.tags_to_add or self.tags_to_remove or self.propagate_tags)


@dataclass(frozen=True, slots=True)
class TagSchemaRequest:
    """The body of `POST /subjects/{s}/versions/{v}/tags` (Confluent's `TagSchemaRequest`)."""

    new_version: int | None = None
    tags_to_add: tuple[SchemaTags, ...] = ()
    tags_to_remove: tuple[SchemaTags, ...] = ()
    metadata: JsonObject | None = None
    rule_set: JsonObject | None = None
    rules_to_merge: JsonObject | None = None
    rules_to_remove: tuple[str, ...] | None = None
