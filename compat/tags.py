"""Schema tags written into the schema text, as Confluent's registry embeds them.

Confluent (7.5+) keeps a record's or a field's tags inside the schema itself: for Avro a
`"confluent:tags": ["PII"]` attribute on the record or field object. Tags are added or
removed by naming the entity (`SchemaEntity`: a record, `ns.Record`, or one of its fields,
`ns.Record.field`), and a registration can carry the latest version's tags over to a new
schema. Serializers read the tags back from the text (field-level rules select fields by
tag), so a registry that stored them anywhere else would not be read by them.

Only Avro schemas can be tagged through the registry here; JSON Schema and Protobuf schemas
keep whatever tags their text already holds, and asking to edit them is a
`SchemaParseError`.

>>> add = {SchemaEntity("R", EntityType.SR_RECORD): ("PII",)}
>>> edit_tags(SchemaType.AVRO, '{"type":"record","name":"R","fields":[]}', add, {})
'{"type":"record","name":"R","fields":[],"confluent:tags":["PII"]}'
"""

from __future__ import annotations

from compat.avro._tags import TagMap, avro_inline_tags, edit_avro_tags
from compat.errors import SchemaParseError
from compat.types import EntityType, SchemaEntity, SchemaType

__all__ = ["EntityType", "SchemaEntity", "TagMap", "edit_tags", "inline_tags"]


def edit_tags(schema_type: SchemaType, text: str, add: TagMap, remove: TagMap) -> str:
    """`text` with `add`'s tags added to, then `remove`'s removed from, each entity.

    Raises `SchemaParseError` when an entity is not in the schema, or the schema type
    cannot be tagged here.
    """
    if not add and not remove:
        return text
    if schema_type is not SchemaType.AVRO:
        raise SchemaParseError(
            f"Invalid schema: schema tags can be edited only in AVRO schemas, not {schema_type}"
        )
    return edit_avro_tags(text, add, remove)


def inline_tags(schema_type: SchemaType, text: str) -> dict[SchemaEntity, list[str]]:
    """The tags `text` carries, by entity; empty for the types that cannot be tagged here."""
    if schema_type is not SchemaType.AVRO:
        return {}
    return avro_inline_tags(text)
