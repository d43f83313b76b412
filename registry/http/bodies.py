"""Request bodies to validated values: wrong shapes are 400, invalid content 422."""

from __future__ import annotations

from typing import Any

from compat.types import EntityType, SchemaEntity, SchemaType
from registry.errors import BadRequestError, InvalidSchemaError, UnprocessableError
from registry.http import entities
from registry.records import Reference
from registry.requests import SchemaRequest, SchemaTags, TagSchemaRequest


def _object(body: Any, what: str) -> dict[str, Any]:
    if body is None:
        # Confluent's bean validation of a missing (@NotNull) body: 422 with code 422.
        raise UnprocessableError(f"Invalid {what}: the request body is empty")
    if not isinstance(body, dict):
        raise BadRequestError(f"Invalid {what}: the request body must be a JSON object")
    return body


def _optional_int(body: dict[str, Any], name: str) -> int | None:
    value = body.get(name)
    if value is None:
        return None
    entities.int32(value, name)
    return int(value)


def _optional_metadata(body: dict[str, Any], name: str) -> dict[str, Any] | None:
    """A Metadata field after its type check, compacted; an empty one counts as absent."""
    value = body.get(name)
    if value is None:
        return None
    entities.metadata(value, name)
    return entities.compact_metadata(value) or None


def _optional_rule_set(body: dict[str, Any], name: str) -> dict[str, Any] | None:
    """A RuleSet field after its type check, compacted; an empty one counts as absent."""
    value = body.get(name)
    if value is None:
        return None
    entities.rule_set(value, name)
    return entities.compact_rule_set(value) or None


def _references(raw: Any) -> tuple[Reference, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise BadRequestError("Field 'references' must be a list")
    refs = []
    for item in raw:
        if not isinstance(item, dict):
            raise InvalidSchemaError(f"Invalid reference: {item!r}")
        name, subject, version = item.get("name"), item.get("subject"), item.get("version")
        if (
            not isinstance(name, str)
            or not name
            or not isinstance(subject, str)
            or isinstance(version, bool)
            or not isinstance(version, int)
            or not entities.INT32_MIN <= version <= entities.INT32_MAX
        ):
            raise InvalidSchemaError(
                f"Invalid reference: {item!r}; name, subject and version are all required"
            )
        refs.append(Reference(name, subject, version))
    return tuple(refs)


def _schema_tags(body: dict[str, Any], name: str) -> tuple[SchemaTags, ...]:
    """A list of `{"schemaEntity": {"entityPath", "entityType"}, "tags": [...]}`."""
    raw = body.get(name)
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise BadRequestError(f"Field '{name}' must be a list")
    found = []
    for item in raw:
        entity = item.get("schemaEntity") if isinstance(item, dict) else None
        tags = item.get("tags") if isinstance(item, dict) else None
        path = entity.get("entityPath") if isinstance(entity, dict) else None
        kind = entity.get("entityType") if isinstance(entity, dict) else None
        if (
            not isinstance(path, str)
            or not path
            or kind not in tuple(EntityType)
            or not isinstance(tags, list)
            or not all(isinstance(t, str) for t in tags)
        ):
            raise BadRequestError(
                f"Invalid {name} entry {item!r}: expected "
                '{"schemaEntity": {"entityPath": str, "entityType": "sr_record" or "sr_field"}, '
                '"tags": [str]}'
            )
        found.append(SchemaTags(SchemaEntity(path, EntityType(kind)), tuple(tags)))
    return tuple(found)


def _optional_bool(body: dict[str, Any], name: str) -> bool:
    value = body.get(name)
    if value is None:
        return False
    if not isinstance(value, bool):
        raise BadRequestError(f"Field '{name}' must be a boolean")
    return value


def schema_request(body: Any, *, allow_empty: bool = False) -> SchemaRequest:
    """A RegisterSchemaRequest; unknown fields are ignored, as Confluent does.

    With `allow_empty` (registration) a missing or empty schema is kept as "": the service
    treats it as a metadata-only update of the latest version, or rejects it.
    """
    obj = _object(body, "schema")
    schema = obj.get("schema")
    if schema is None and allow_empty:
        schema = ""
    if schema is None or (schema == "" and not allow_empty):
        raise InvalidSchemaError("Empty schema")
    if not isinstance(schema, str):
        raise BadRequestError("Field 'schema' must be a string holding the schema text")
    type_name = obj.get("schemaType")
    if type_name is not None:
        entities.string(type_name, "schemaType")
    if type_name is None:
        schema_type = SchemaType.AVRO
    else:
        try:
            schema_type = SchemaType(type_name)
        except ValueError:
            raise InvalidSchemaError(f"Invalid schema type {type_name}") from None
    return SchemaRequest(
        schema=schema,
        schema_type=schema_type,
        references=_references(obj.get("references")),
        metadata=_optional_metadata(obj, "metadata"),
        rule_set=_optional_rule_set(obj, "ruleSet"),
        version=_optional_int(obj, "version"),
        id=_optional_int(obj, "id"),
        tags_to_add=_schema_tags(obj, "schemaTagsToAdd"),
        tags_to_remove=_schema_tags(obj, "schemaTagsToRemove"),
        propagate_tags=_optional_bool(obj, "propagateSchemaTags"),
    )


def tag_schema_request(body: Any) -> TagSchemaRequest:
    """A TagSchemaRequest; unknown fields are ignored, as Confluent does."""
    obj = _object(body, "tag request")
    rules_to_remove = obj.get("rulesToRemove")
    if rules_to_remove is not None and (
        not isinstance(rules_to_remove, list)
        or not all(isinstance(r, str) for r in rules_to_remove)
    ):
        raise BadRequestError("Field 'rulesToRemove' must be a list of rule names")
    return TagSchemaRequest(
        new_version=_optional_int(obj, "newVersion"),
        tags_to_add=_schema_tags(obj, "tagsToAdd"),
        tags_to_remove=_schema_tags(obj, "tagsToRemove"),
        metadata=_optional_metadata(obj, "metadata"),
        rule_set=_optional_rule_set(obj, "ruleSet"),
        rules_to_merge=_optional_rule_set(obj, "rulesToMerge"),
        rules_to_remove=None if rules_to_remove is None else tuple(rules_to_remove),
    )


#: ConfigUpdateRequest fields and their JSON types; unknown fields are ignored, as Confluent
#: does, and semantic checks (levels, rule validity) are the service's.
_CONFIG_FIELDS: dict[str, entities.Check] = {
    "compatibility": entities.string,
    "compatibilityLevel": entities.string,
    "compatibilityPolicy": entities.string,
    "compatibilityGroup": entities.string,
    "alias": entities.string,
    "normalize": entities.boolean,
    "validateFields": entities.boolean,
    "validateRules": entities.boolean,
    "defaultMetadata": entities.metadata,
    "overrideMetadata": entities.metadata,
    "defaultRuleSet": entities.rule_set,
    "overrideRuleSet": entities.rule_set,
}


def config_update(body: Any) -> dict[str, Any]:
    """A ConfigUpdateRequest as a partial update (absent = keep, null = clear)."""
    obj = _object(body, "config")
    for name, check in _CONFIG_FIELDS.items():
        value = obj.get(name)
        if value is not None:
            check(value, name)
    update = dict(obj)
    for name in ("defaultMetadata", "overrideMetadata"):
        if update.get(name) is not None:
            update[name] = entities.compact_metadata(update[name])
    for name in ("defaultRuleSet", "overrideRuleSet"):
        if update.get(name) is not None:
            update[name] = entities.compact_rule_set(update[name])
    return update


def mode_update(body: Any) -> object:
    """The `mode` of a ModeUpdateRequest (its value is validated by the service: 42204)."""
    obj = _object(body, "mode")
    mode = obj.get("mode")
    if mode is not None:
        entities.string(mode, "mode")
    return mode
