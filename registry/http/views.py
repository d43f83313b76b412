"""JSON renderings of the registry's entities, memoised so reads never re-render.

Field names and order follow Confluent 8.x; empty fields are omitted, `false` is kept.
Rendered bytes are kept by a `ResponseMemo`, beside the state rather than in it: the state's
values know nothing of HTTP, and a rendering lives exactly as long as what it renders.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any
from weakref import WeakKeyDictionary

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


def schema_string(
    schema: StoredSchema, text: str | None = None, *, carrier: SubjectVersion | None = None
) -> dict[str, Any]:
    """The SchemaString entity of `GET /schemas/ids/{id}`; with a carrier, its subject-version.

    With a carrier the entity names its `id` too: confluent-kafka (>= 2.14) caches the answer
    to `?subject=` as a registered schema, and `use.schema.id` fails on one without an id.
    """
    out: dict[str, Any] = {}
    if carrier is not None:
        out["subject"] = carrier.subject
        out["version"] = carrier.version
        out["id"] = schema.id
    out["guid"] = schema.guid
    out.update(_schema_fields(schema, schema.schema if text is None else text))
    if carrier is not None:
        out["ts"] = carrier.ts
        out["deleted"] = carrier.deleted
    return out


def registered_entity(version: SubjectVersion) -> dict[str, Any]:
    """The 8.x registration response: `id` first (as clients read it), no subject fields."""
    entity = version_entity(version)
    for name in ("subject", "ts", "deleted"):
        entity.pop(name)
    return {"id": entity.pop("id"), **entity}


class ResponseMemo:
    """Rendered response bytes per stored entity, kept while the entity is in the state.

    Entities are replaced, never mutated, when their records change, so a memo entry can
    never go stale; it goes when the entity is dropped from the state (weak keys). Entries
    are made on the first read only: most stored schemas are never read.
    """

    def __init__(self) -> None:
        self._views: WeakKeyDictionary[StoredSchema | SubjectVersion, dict[str, bytes]] = (
            WeakKeyDictionary()
        )

    def _view(
        self, owner: StoredSchema | SubjectVersion, name: str, render: Callable[[], bytes]
    ) -> bytes:
        views = self._views.get(owner)
        if views is None:
            views = self._views[owner] = {}
        cached = views.get(name)
        if cached is None:
            cached = views[name] = render()
        return cached

    def schema_string(self, schema: StoredSchema) -> bytes:
        """`GET /schemas/ids/{id}` without options."""
        return self._view(schema, "id", lambda: dump(schema_string(schema)))

    def version(self, version: SubjectVersion) -> bytes:
        """The Schema entity of a subject-version."""
        return self._view(version, "entity", lambda: dump(version_entity(version)))

    def registered(self, version: SubjectVersion) -> bytes:
        """The registration response for a subject-version."""
        return self._view(version, "registered", lambda: dump(registered_entity(version)))
