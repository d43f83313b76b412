"""The `_schemas` topic's record formats: keys and values byte-compatible with Confluent's.

Kafka compacts by key bytes, so keys are produced exactly as Confluent's Jackson writer does
(compact JSON, fixed field order, its `magic` values). Decoding is lenient: both historical
forms of the global CONFIG/MODE key map to one logical key, a missing AVRO `schemaType` means
AVRO, and unknown fields are ignored. Anything unusable raises `RecordError`, which replay
logs and skips.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from compat.types import SchemaType

JsonObject = dict[str, Any]

#: Confluent's only tenant outside its cloud; CONTEXT records always name it.
DEFAULT_TENANT = "default"


class RecordError(ValueError):
    """A key or value that cannot be decoded into a record the registry understands."""


@dataclass(frozen=True, slots=True)
class SchemaKey:
    """A subject-version slot."""

    subject: str
    version: int
    magic: int = 1


@dataclass(frozen=True, slots=True)
class ConfigKey:
    """Config for a subject, a context (`:.ctx:`) or, with subject None, the whole registry."""

    subject: str | None


@dataclass(frozen=True, slots=True)
class ModeKey:
    """Mode for a subject, a context or, with subject None, the whole registry."""

    subject: str | None


@dataclass(frozen=True, slots=True)
class DeleteSubjectKey:
    """Soft deletion of a subject's versions up to a number (an event, never tombstoned)."""

    subject: str


@dataclass(frozen=True, slots=True)
class ClearSubjectKey:
    """Clearing of the lookup state under a subject or context prefix (an event)."""

    subject: str


@dataclass(frozen=True, slots=True)
class ContextKey:
    """Announces a non-default context."""

    context: str
    tenant: str = DEFAULT_TENANT


@dataclass(frozen=True, slots=True)
class NoopKey:
    """A marker written only to learn the log's end offset."""


@dataclass(frozen=True, slots=True)
class IdFloorKey:
    """Cairn's own record: the highest id ever handed out in a context.

    Ids are derived from the records that carry them, so once a hard delete's tombstone is
    compacted away the highest id could be handed out again. Cairn writes this record with
    every permanent delete so that ids are never reused.

    Confluent's reader stops at a key type it does not know, so the key is a NOOP key
    (which Confluent skips, ignoring the key's other fields) marked `"cairn":"ID_FLOOR"`.
    Logs written before this form used the key type `CAIRN_ID_FLOOR`; it is still read.
    """

    context: str


RecordKey = (
    SchemaKey
    | ConfigKey
    | ModeKey
    | DeleteSubjectKey
    | ClearSubjectKey
    | ContextKey
    | NoopKey
    | IdFloorKey
)


@dataclass(frozen=True, slots=True)
class Reference:
    """A schema reference as stored: the name the schema uses, and the subject-version it means."""

    name: str
    subject: str
    version: int

    def to_json(self) -> JsonObject:
        """Confluent's SchemaReference entity."""
        return {"name": self.name, "subject": self.subject, "version": self.version}


@dataclass(frozen=True, slots=True)
class SchemaValue:
    """The value of a SCHEMA record."""

    subject: str
    version: int
    id: int
    schema: str
    schema_type: SchemaType = SchemaType.AVRO
    references: tuple[Reference, ...] = ()
    metadata: JsonObject | None = None
    rule_set: JsonObject | None = None
    deleted: bool = False


@dataclass(frozen=True, slots=True)
class ConfigValue:
    """The value of a CONFIG record: Confluent's config fields by their JSON names."""

    subject: str | None
    fields: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ModeValue:
    """The value of a MODE record."""

    subject: str | None
    mode: str


@dataclass(frozen=True, slots=True)
class DeleteSubjectValue:
    """The value of a DELETE_SUBJECT record: versions 1..version become soft-deleted."""

    subject: str
    version: int


@dataclass(frozen=True, slots=True)
class ClearSubjectValue:
    """The value of a CLEAR_SUBJECT record."""

    subject: str


@dataclass(frozen=True, slots=True)
class ContextValue:
    """The value of a CONTEXT record."""

    context: str
    tenant: str = DEFAULT_TENANT


@dataclass(frozen=True, slots=True)
class IdFloorValue:
    """The value of an ID_FLOOR record."""

    context: str
    max_id: int


RecordValue = (
    SchemaValue
    | ConfigValue
    | ModeValue
    | DeleteSubjectValue
    | ClearSubjectValue
    | ContextValue
    | IdFloorValue
)

#: The marker of Cairn's id high-water mark records inside a NOOP key.
ID_FLOOR = "ID_FLOOR"
#: The key type those records had before they became NOOP keys (read, never written).
LEGACY_ID_FLOOR_KEYTYPE = "CAIRN_ID_FLOOR"


def _dump(obj: Mapping[str, Any]) -> bytes:
    # Jackson's compact output: no spaces, UTF-8 text rather than \u escapes.
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False).encode()


def encode_key(key: RecordKey) -> bytes:
    """The exact key bytes Confluent writes for `key` (field order and magic included)."""
    match key:
        case SchemaKey(subject, version, magic):
            return _dump(
                {"keytype": "SCHEMA", "subject": subject, "version": version, "magic": magic}
            )
        case ConfigKey(None):
            return _dump({"keytype": "CONFIG", "magic": 0})
        case ConfigKey(subject):
            return _dump({"keytype": "CONFIG", "subject": subject, "magic": 0})
        case ModeKey(None):
            return _dump({"keytype": "MODE", "magic": 0})
        case ModeKey(subject):
            return _dump({"keytype": "MODE", "subject": subject, "magic": 0})
        case DeleteSubjectKey(subject):
            return _dump({"keytype": "DELETE_SUBJECT", "subject": subject, "magic": 0})
        case ClearSubjectKey(subject):
            return _dump({"keytype": "CLEAR_SUBJECT", "subject": subject, "magic": 0})
        case ContextKey(context, tenant):
            return _dump({"keytype": "CONTEXT", "tenant": tenant, "context": context, "magic": 0})
        case NoopKey():
            return _dump({"keytype": "NOOP", "magic": 0})
        case IdFloorKey(context):
            return _dump({"keytype": "NOOP", "magic": 0, "cairn": ID_FLOOR, "context": context})
    raise AssertionError(f"unhandled key {key!r}")  # pragma: no cover


def legacy_global_keys(key: ConfigKey | ModeKey) -> list[bytes]:
    """Every byte form a global CONFIG/MODE key has had, so an unset shadows all of them."""
    keytype = "CONFIG" if isinstance(key, ConfigKey) else "MODE"
    return [encode_key(key), _dump({"keytype": keytype, "subject": None, "magic": 0})]


def _load_object(raw: bytes, what: str) -> JsonObject:
    try:
        obj = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise RecordError(f"{what} is not JSON: {exc}") from exc
    if not isinstance(obj, dict):
        raise RecordError(f"{what} is not a JSON object")
    return obj


def _str(obj: JsonObject, name: str, *, optional: bool = False) -> str | None:
    value = obj.get(name)
    if value is None and optional:
        return None
    if not isinstance(value, str):
        raise RecordError(f"field {name!r} must be a string, got {value!r}")
    return value


def _int(obj: JsonObject, name: str) -> int:
    value = obj.get(name)
    if not isinstance(value, int) or isinstance(value, bool):
        raise RecordError(f"field {name!r} must be an integer, got {value!r}")
    return value


def decode_key(raw: bytes) -> RecordKey:
    """Decode key bytes; raises `RecordError` for malformed or unknown keys."""
    obj = _load_object(raw, "key")
    keytype = obj.get("keytype")
    match keytype:
        case "SCHEMA":
            magic = obj.get("magic", 1)
            if magic not in (0, 1):
                raise RecordError(f"unsupported SCHEMA key magic {magic!r}")
            return SchemaKey(str(_str(obj, "subject")), _int(obj, "version"), int(magic))
        case "CONFIG":
            return ConfigKey(_str(obj, "subject", optional=True))
        case "MODE":
            return ModeKey(_str(obj, "subject", optional=True))
        case "DELETE_SUBJECT":
            return DeleteSubjectKey(str(_str(obj, "subject")))
        case "CLEAR_SUBJECT":
            return ClearSubjectKey(str(_str(obj, "subject")))
        case "CONTEXT":
            tenant = _str(obj, "tenant", optional=True) or DEFAULT_TENANT
            return ContextKey(str(_str(obj, "context")), tenant)
        case "NOOP":
            if obj.get("cairn") == ID_FLOOR:
                return IdFloorKey(str(_str(obj, "context")))
            return NoopKey()
        case "CAIRN_ID_FLOOR":  # LEGACY_ID_FLOOR_KEYTYPE
            return IdFloorKey(str(_str(obj, "context")))
    raise RecordError(f"unknown keytype {keytype!r}")


def encode_value(value: RecordValue) -> bytes:
    """Value bytes in Confluent's field order; null and empty fields omitted, false kept."""
    match value:
        case SchemaValue():
            out: JsonObject = {"subject": value.subject, "version": value.version, "id": value.id}
            out["schemaType"] = value.schema_type.value
            if value.references:
                out["references"] = [r.to_json() for r in value.references]
            if value.metadata:
                out["metadata"] = value.metadata
            if value.rule_set:
                out["ruleSet"] = value.rule_set
            out["schema"] = value.schema
            out["deleted"] = value.deleted
            return _dump(out)
        case ConfigValue(subject, fields):
            head: JsonObject = {} if subject is None else {"subject": subject}
            return _dump(head | {k: v for k, v in fields.items() if v is not None})
        case ModeValue(subject, mode):
            return _dump(({} if subject is None else {"subject": subject}) | {"mode": mode})
        case DeleteSubjectValue(subject, version):
            return _dump({"subject": subject, "version": version})
        case ClearSubjectValue(subject):
            return _dump({"subject": subject})
        case ContextValue(context, tenant):
            return _dump({"tenant": tenant, "context": context})
        case IdFloorValue(context, max_id):
            return _dump({"context": context, "maxId": max_id})
    raise AssertionError(f"unhandled value {value!r}")  # pragma: no cover


def _references(obj: JsonObject) -> tuple[Reference, ...]:
    raw = obj.get("references") or []
    if not isinstance(raw, list):
        raise RecordError("field 'references' must be a list")
    refs = []
    for item in raw:
        if not isinstance(item, dict):
            raise RecordError("a reference must be an object")
        refs.append(
            Reference(str(_str(item, "name")), str(_str(item, "subject")), _int(item, "version"))
        )
    return tuple(refs)


def _optional_object(obj: JsonObject, name: str) -> JsonObject | None:
    value = obj.get(name)
    if value is None or value == {}:
        return None
    if not isinstance(value, dict):
        raise RecordError(f"field {name!r} must be an object")
    return value


def decode_value(key: RecordKey, raw: bytes) -> RecordValue:
    """Decode the value of a non-tombstone record for `key`; raises `RecordError`."""
    obj = _load_object(raw, "value")
    match key:
        case SchemaKey():
            type_name = obj.get("schemaType") or "AVRO"
            try:
                schema_type = SchemaType(type_name)
            except ValueError as exc:
                raise RecordError(f"unknown schemaType {type_name!r}") from exc
            deleted = obj.get("deleted", False)
            return SchemaValue(
                subject=str(_str(obj, "subject", optional=True) or key.subject),
                version=_int(obj, "version"),
                id=_int(obj, "id"),
                schema=str(_str(obj, "schema")),
                schema_type=schema_type,
                references=_references(obj),
                metadata=_optional_object(obj, "metadata"),
                rule_set=_optional_object(obj, "ruleSet"),
                deleted=deleted is True,
            )
        case ConfigKey(subject):
            fields = {k: v for k, v in obj.items() if k != "subject"}
            return ConfigValue(subject, fields)
        case ModeKey(subject):
            return ModeValue(subject, str(_str(obj, "mode")))
        case DeleteSubjectKey(subject):
            return DeleteSubjectValue(
                str(_str(obj, "subject", optional=True) or subject), _int(obj, "version")
            )
        case ClearSubjectKey(subject):
            return ClearSubjectValue(str(_str(obj, "subject", optional=True) or subject))
        case ContextKey(context, tenant):
            return ContextValue(str(_str(obj, "context", optional=True) or context), tenant)
        case IdFloorKey(context):
            return IdFloorValue(context, _int(obj, "maxId"))
        case NoopKey():
            raise RecordError("NOOP records carry no value")
    raise AssertionError(f"unhandled key {key!r}")  # pragma: no cover
