"""Tags inside Avro schema text: `"confluent:tags": [...]` on record and field objects.

Finding an entity follows Confluent's search, so that the same path names the same object
in both registries: breadth-first from the top, through unions, record fields, array items,
map values and nested types; a record matches by its `name` and, when the path has a
namespace, by the namespace of the top-level schema (Confluent compares every record with
the top level's `namespace` attribute, not with the record's own). A field path names its
record and then the field.
"""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from compat.errors import SchemaParseError
from compat.types import EntityType, SchemaEntity

#: The attribute holding an entity's tags.
TAGS_PROPERTY = "confluent:tags"

#: Tags per entity, in the order they were given.
TagMap = Mapping[SchemaEntity, Sequence[str]]


def _load(text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise SchemaParseError(f"Invalid schema: {exc}") from exc


def _children(node: Any) -> Iterator[Any]:
    """What the search visits after `node` when `node` is not the entity sought."""
    if isinstance(node, list):
        yield from node
    elif isinstance(node, dict):
        if "type" not in node:
            yield from node.values()
            return
        kind = node["type"]
        if kind == "record":
            yield from node.get("fields") or []
        elif kind == "array":
            yield node.get("items")
        elif kind == "map":
            yield node.get("values")
        else:
            yield kind


def _find(root: Any, entity: SchemaEntity) -> dict[str, Any]:
    parts = entity.path.removeprefix(".").split(".")
    is_field = entity.type is EntityType.SR_FIELD
    if is_field and len(parts) < 2:
        raise SchemaParseError(f"No matching path '{entity.path}' found in the schema")
    record, field = (parts[-2], parts[-1]) if is_field else (parts[-1], None)
    namespace = ".".join(parts[: -2 if is_field else -1])
    top_namespace = root.get("namespace") if isinstance(root, dict) else None
    pending: deque[Any] = deque([root])
    while pending:
        node = pending.popleft()
        matches = (
            isinstance(node, dict)
            and node.get("type") == "record"
            and node.get("name") == record
            and (not namespace or namespace == top_namespace)
        )
        if not matches:
            pending.extend(_children(node))
            continue
        if field is None:
            found: dict[str, Any] = node
            return found
        for member in node.get("fields") or []:
            if isinstance(member, dict) and member.get("name") == field:
                return member
    raise SchemaParseError(f"No matching path '{entity.path}' found in the schema")


def edit_avro_tags(text: str, add: TagMap, remove: TagMap) -> str:
    """`text` with each entity's tags: its own, plus `add`'s, minus `remove`'s."""
    root = _load(text)
    for entity in dict.fromkeys([*add, *remove]):
        node = _find(root, entity)
        own = node.get(TAGS_PROPERTY)
        tags = [str(t) for t in dict.fromkeys(own)] if isinstance(own, list) else []
        tags.extend(t for t in add.get(entity, ()) if t not in tags)
        dropped = set(remove.get(entity, ()))
        tags = [t for t in tags if t not in dropped]
        if tags:
            node[TAGS_PROPERTY] = tags
        else:
            node.pop(TAGS_PROPERTY, None)
    return json.dumps(root, separators=(",", ":"), ensure_ascii=False)


def avro_inline_tags(text: str) -> dict[SchemaEntity, list[str]]:
    """The tags in `text` by entity: records as `ns.Name`, fields as `ns.Name.field`.

    Names use the top level's namespace, as the search that applies them expects.
    """
    try:
        root = json.loads(text)
    except json.JSONDecodeError:
        return {}
    top_namespace = root.get("namespace") if isinstance(root, dict) else None
    prefix = f"{top_namespace}." if top_namespace else ""
    found: dict[SchemaEntity, list[str]] = {}
    pending: deque[Any] = deque([root])
    while pending:
        node = pending.popleft()
        if isinstance(node, dict) and node.get("type") == "record":
            name = str(node.get("name", "")).rsplit(".", 1)[-1]
            tags = node.get(TAGS_PROPERTY)
            if isinstance(tags, list) and tags:
                found[SchemaEntity(prefix + name, EntityType.SR_RECORD)] = list(tags)
            for member in node.get("fields") or []:
                tags = member.get(TAGS_PROPERTY) if isinstance(member, dict) else None
                if isinstance(tags, list) and tags:
                    path = f"{prefix}{name}.{member.get('name')}"
                    found[SchemaEntity(path, EntityType.SR_FIELD)] = list(tags)
        pending.extend(_children(node))
    return found
