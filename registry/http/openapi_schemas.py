"""The JSON entities of the OpenAPI description: Confluent's field names, types and codes.

Request entities say what the API accepts, and no more: unknown fields are allowed (as
Confluent ignores them) and string enums are left open where the server is lenient (levels
and modes in any case), so a fuzzer's "invalid" input is invalid for the server too.
Response entities list the fields Cairn writes, with the ones always present required.
"""

from __future__ import annotations

from typing import Any

JsonSchema = dict[str, Any]

STRING: JsonSchema = {"type": "string"}
BOOLEAN: JsonSchema = {"type": "boolean"}
INT32: JsonSchema = {"type": "integer", "format": "int32"}
INT64: JsonSchema = {"type": "integer", "format": "int64"}
STRINGS: JsonSchema = {"type": "array", "items": STRING}
STRING_MAP: JsonSchema = {"type": "object", "additionalProperties": STRING}


def ref(name: str) -> JsonSchema:
    """A reference to a component schema."""
    return {"$ref": f"#/components/schemas/{name}"}


def array(items: JsonSchema) -> JsonSchema:
    """A JSON array of `items`."""
    return {"type": "array", "items": items}


def obj(properties: dict[str, JsonSchema], *required: str, **extra: Any) -> JsonSchema:
    """A JSON object with these properties (unknown ones allowed)."""
    out: JsonSchema = {"type": "object", "properties": properties, **extra}
    if required:
        out["required"] = list(required)
    return out


SCHEMA_TYPES = ["AVRO", "JSON", "PROTOBUF"]

_RULE = obj(
    {
        "name": STRING,
        "doc": STRING,
        "kind": {**STRING, "description": "TRANSFORM or CONDITION"},
        "mode": {**STRING, "description": "UPGRADE, DOWNGRADE, UPDOWN, WRITE, READ or WRITEREAD"},
        "type": {**STRING, "description": "CEL, CEL_FIELD, JSONATA, ENCRYPT, ..."},
        "tags": STRINGS,
        "params": STRING_MAP,
        "expr": STRING,
        "onSuccess": STRING,
        "onFailure": STRING,
        "disabled": BOOLEAN,
    }
)

_METADATA = obj(
    {
        "tags": {"type": "object", "additionalProperties": STRINGS},
        "properties": STRING_MAP,
        "sensitive": STRINGS,
    }
)

_RULE_SET = obj(
    {
        "migrationRules": array(ref("Rule")),
        "domainRules": array(ref("Rule")),
        "encodingRules": array(ref("Rule")),
        "enableAt": {**STRING, "description": "ALL, CLIENT, GATEWAY, SERVER or NONE"},
    }
)

_REFERENCE = obj(
    {"name": STRING, "subject": STRING, "version": INT32}, "name", "subject", "version"
)

_SCHEMA_TAGS = array(
    obj({"schemaEntity": obj({"entityPath": STRING, "entityType": STRING}), "tags": STRINGS})
)

_REGISTER_REQUEST = obj(
    {
        "schema": {**STRING, "description": "The schema text (empty: a metadata-only update)"},
        "schemaType": {**STRING, "enum": SCHEMA_TYPES, "default": "AVRO"},
        "references": array(ref("SchemaReference")),
        "metadata": ref("Metadata"),
        "ruleSet": ref("RuleSet"),
        "version": {**INT32, "description": "The version to register under (IMPORT mode)"},
        "id": {**INT32, "description": "The id to register with (IMPORT mode)"},
        "schemaTagsToAdd": _SCHEMA_TAGS,
        "schemaTagsToRemove": _SCHEMA_TAGS,
        "propagateSchemaTags": BOOLEAN,
    },
    example={"schema": '{"type":"record","name":"Order","fields":[{"name":"id","type":"long"}]}'},
)

_TAG_REQUEST = obj(
    {
        "newVersion": {**INT32, "description": "The version the edit must get (optional)"},
        "tagsToAdd": _SCHEMA_TAGS,
        "tagsToRemove": _SCHEMA_TAGS,
        "metadata": ref("Metadata"),
        "ruleSet": ref("RuleSet"),
        "rulesToMerge": ref("RuleSet"),
        "rulesToRemove": STRINGS,
    }
)

#: Fields of the stored schema shared by Schema, SchemaString and RegisterSchemaResponse.
_SCHEMA_FIELDS: dict[str, JsonSchema] = {
    "guid": STRING,
    "schemaType": {**STRING, "enum": SCHEMA_TYPES},
    "references": array(ref("SchemaReference")),
    "metadata": ref("Metadata"),
    "ruleSet": ref("RuleSet"),
    "schema": STRING,
    "ts": INT64,
    "deleted": BOOLEAN,
}

_SCHEMA = obj(
    {"subject": STRING, "version": INT32, "id": INT32, **_SCHEMA_FIELDS},
    "subject",
    "version",
    "id",
    "schema",
)

_SCHEMA_STRING = obj(
    {
        "subject": STRING,
        "version": INT32,
        "id": INT32,
        **_SCHEMA_FIELDS,
        "maxId": INT32,
        "schemaTags": array(obj({})),
    },
    "schema",
)

_REGISTER_RESPONSE = obj(
    {"id": INT32, "version": INT32, **_SCHEMA_FIELDS},
    "id",
)

#: Config fields shared by the Config entity and ConfigUpdateRequest.
_CONFIG_FIELDS: dict[str, JsonSchema] = {
    "compatibilityPolicy": STRING,
    "compatibilityGroup": STRING,
    "alias": STRING,
    "normalize": BOOLEAN,
    "validateFields": BOOLEAN,
    "validateRules": BOOLEAN,
    "defaultMetadata": ref("Metadata"),
    "overrideMetadata": ref("Metadata"),
    "defaultRuleSet": ref("RuleSet"),
    "overrideRuleSet": ref("RuleSet"),
}

_LEVEL = {
    **STRING,
    "description": "NONE, BACKWARD, FORWARD, FULL or a *_TRANSITIVE level, in any case",
}

_CONFIG = obj({"compatibilityLevel": _LEVEL, **_CONFIG_FIELDS})

_CONFIG_UPDATE = obj(
    {"compatibility": _LEVEL, "compatibilityLevel": _LEVEL, **_CONFIG_FIELDS},
    example={"compatibility": "FULL"},
)

_MODE = obj(
    {"mode": {**STRING, "description": "READWRITE, READONLY, READONLY_OVERRIDE, IMPORT, FORWARD"}},
    example={"mode": "READWRITE"},
)

_ERROR = obj(
    {
        "error_code": {**INT32, "description": "Confluent's code: the status, or 5 digits"},
        "message": STRING,
    },
    "error_code",
    "message",
)

_CLUSTER_ID = obj(
    {
        "id": STRING,
        "scope": obj(
            {
                "path": STRINGS,
                "clusters": obj(
                    {"kafka-cluster": STRING, "schema-registry-cluster": STRING},
                ),
            }
        ),
    },
    "id",
    "scope",
)

COMPONENTS: dict[str, JsonSchema] = {
    "ErrorMessage": _ERROR,
    "Rule": _RULE,
    "RuleSet": _RULE_SET,
    "Metadata": _METADATA,
    "SchemaReference": _REFERENCE,
    "RegisterSchemaRequest": _REGISTER_REQUEST,
    "TagSchemaRequest": _TAG_REQUEST,
    "RegisterSchemaResponse": _REGISTER_RESPONSE,
    "Schema": _SCHEMA,
    "SchemaString": _SCHEMA_STRING,
    "Config": _CONFIG,
    "ConfigUpdateRequest": _CONFIG_UPDATE,
    "Mode": _MODE,
    "CompatibilityCheckResponse": obj(
        {"is_compatible": BOOLEAN, "messages": STRINGS}, "is_compatible"
    ),
    "SubjectVersion": obj({"subject": STRING, "version": INT32}, "subject", "version"),
    "ContextId": obj({"context": STRING, "id": INT32}, "context", "id"),
    "ServerClusterId": _CLUSTER_ID,
    "SchemaRegistryServerVersion": obj({"version": STRING, "commitId": STRING}, "version"),
    "Leader": obj(
        {"leader": {"type": ["string", "null"]}, "isLeader": BOOLEAN}, "leader", "isLeader"
    ),
    "Liveness": obj({"live": BOOLEAN}, "live"),
    "Readiness": obj(
        {"ready": BOOLEAN, "appliedOffset": INT64, "targetOffset": INT64},
        "ready",
        "appliedOffset",
        "targetOffset",
    ),
}
"""Every component schema, by Confluent's entity name where it has one."""
