"""JSON renderings of the registry's entities, memoised so reads never re-render.

Field names and order follow Confluent 8.x; empty fields are omitted, `false` is kept.
"""

from __future__ import annotations

import json
from typing import Any

from registry.state import StoredSchema, SubjectVersion


def dump(obj: Any) -> bytes:
    """Compact JSON bytes, as Confluent's Jackson writer produces them."""
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False).encode()


def _schema_fields(schema: StoredSchema, text: str) -> dict[str, Any]:
    out: dict[str, Any] = {"schemaType": schema.schema_type.value}
    if schema.references:
        out["references"] = [r.to_json() for r in schema.references]
    if schema.metadata:
        out["metadata"] = schema.metadata
    if schema.rule_set:
        out["ruleSet"] = schema.rule_set
    out["schema"] = text
    return out


def version_entity(version: SubjectVersion, text: str | None = None) -> dict[str, Any]:
    """The Schema entity of a subject-version."""
    schema = version.schema
    out: dict[str, Any] = {
        "subject": version.subject,
        "version": version.version,
        "id": schema.id,
        "guid": schema.guid,
    }
    out.update(_schema_fields(schema, schema.schema if text is None else text))
    out["ts"] = version.ts
    out["deleted"] = version.deleted
    return out


def version_bytes(version: SubjectVersion) -> bytes:
    """The Schema entity of a subject-version as JSON, rendered once."""
    return version.view("entity", lambda: dump(version_entity(version)))


def schema_string(
    schema: StoredSchema, text: str | None = None, *, carrier: SubjectVersion | None = None
) -> dict[str, Any]:
    """The SchemaString entity of `GET /schemas/ids/{id}`; with a carrier, its subject-version."""
    out: dict[str, Any] = {}
    if carrier is not None:
        out["subject"] = carrier.subject
        out["version"] = carrier.version
    out["guid"] = schema.guid
    out.update(_schema_fields(schema, schema.schema if text is None else text))
    if carrier is not None:
        out["ts"] = carrier.ts
        out["deleted"] = carrier.deleted
    return out


def schema_string_bytes(schema: StoredSchema) -> bytes:
    """`GET /schemas/ids/{id}` without options, rendered once."""
    return schema.view("id", lambda: dump(schema_string(schema)))


def registered_bytes(version: SubjectVersion) -> bytes:
    """The 8.x registration response (`id` first, as clients read it), rendered once."""

    def render() -> bytes:
        entity = version_entity(version)
        for name in ("subject", "ts", "deleted"):
            entity.pop(name)
        return dump({"id": entity.pop("id"), **entity})

    return version.view("registered", render)
