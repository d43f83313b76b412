"""Values the registry client exchanges: schemas, references and registrations."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

JsonObject = Mapping[str, Any]
"""A JSON object as parsed (metadata and rule sets are passed through, not interpreted)."""


@dataclass(frozen=True, slots=True)
class SchemaReference:
    """A named import of another registered schema (`name` is the import or type name)."""

    name: str
    subject: str
    version: int


@dataclass(frozen=True, slots=True)
class Schema:
    """Schema text, its language and references; metadata and rule sets travel along untouched."""

    schema_str: str
    schema_type: str = "AVRO"
    references: tuple[SchemaReference, ...] = ()
    metadata: JsonObject | None = field(default=None, compare=False, hash=False)
    rule_set: JsonObject | None = field(default=None, compare=False, hash=False)

    def identity(self) -> tuple[str, str, tuple[SchemaReference, ...], str]:
        """A hashable key for caches: everything the registry compares when registering."""
        extra = ""
        if self.metadata is not None or self.rule_set is not None:
            extra = json.dumps([self.metadata, self.rule_set], sort_keys=True)
        return (self.schema_type, self.schema_str, self.references, extra)

    def to_json(self) -> dict[str, Any]:
        """The request body Confluent's API expects (`schemaType` omitted for Avro, as CSR does)."""
        body: dict[str, Any] = {"schema": self.schema_str}
        if self.schema_type != "AVRO":
            body["schemaType"] = self.schema_type
        if self.references:
            body["references"] = [
                {"name": r.name, "subject": r.subject, "version": r.version}
                for r in self.references
            ]
        if self.metadata is not None:
            body["metadata"] = dict(self.metadata)
        if self.rule_set is not None:
            body["ruleSet"] = dict(self.rule_set)
        return body

    @classmethod
    def from_json(cls, body: JsonObject) -> Schema:
        """Read a schema entity; `schemaType` defaults to AVRO as Confluent omits it for Avro."""
        return cls(
            str(body["schema"]),
            str(body.get("schemaType") or "AVRO"),
            tuple(
                SchemaReference(str(r["name"]), str(r["subject"]), int(r["version"]))
                for r in body.get("references") or ()
            ),
            body.get("metadata"),
            body.get("ruleSet"),
        )


@dataclass(frozen=True, slots=True)
class RegisteredSchema:
    """A schema as registered: its id, and where known its subject, version and GUID."""

    schema_id: int
    schema: Schema
    subject: str | None = None
    version: int | None = None
    guid: str | None = None
