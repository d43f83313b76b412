"""KEK and DEK records, kept in the registry's own log beside the `_schemas` records.

Confluent keeps its DEK registry in a topic of its own, `_dek_registry_keys`, whose keys
(`{"type":"KEK","tenant":...,"name":...}`) carry no `keytype`. Cairn keeps one log, so these
records must sit in `_schemas` without breaking a Confluent server that reads that topic.
Confluent's `_schemas` reader parses a key's `keytype` first: an unknown one (or none, as in
`_dek_registry_keys` keys) raises an unchecked exception that stops its reader thread, while
a known keytype with extra fields is read leniently, since its key classes ignore unknown
properties. So every key here starts with the NOOP header, `{"keytype":"NOOP","magic":0}`,
which Confluent reads as its no-op marker and skips before it looks at the value, followed
by the fields of Confluent's own `_dek_registry_keys` key (`type`, `tenant`, then `name`, or
`kekName`, `subject`, `algorithm`, `version`). Key bytes stay distinct per KEK or DEK, so
Kafka compaction keeps the latest record of each and a tombstone (a permanent delete)
removes it. Values are Confluent's `_dek_registry_keys` values: `type` and the entity's
fields; `ts` comes from the record's timestamp, as in Confluent.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from registry.records import DEFAULT_TENANT, RecordError

#: The header that makes Confluent's `_schemas` reader treat the record as a no-op.
_NOOP_HEADER = b'{"keytype":"NOOP","magic":0,"type":'

#: DEK algorithms, by Confluent's `DekFormat` names.
ALGORITHMS = ("AES128_GCM", "AES256_GCM", "AES256_SIV")
DEFAULT_ALGORITHM = "AES256_GCM"


@dataclass(frozen=True, slots=True)
class KekKey:
    """The slot of one key encryption key."""

    name: str
    tenant: str = DEFAULT_TENANT


@dataclass(frozen=True, slots=True, order=True)
class DekKey:
    """The slot of one data encryption key: a KEK, a subject, an algorithm and a version."""

    kek_name: str
    subject: str
    algorithm: str
    version: int
    tenant: str = DEFAULT_TENANT


@dataclass(frozen=True, slots=True)
class Kek:
    """A key encryption key as stored: where the KMS key is, never key material."""

    name: str
    kms_type: str
    kms_key_id: str
    kms_props: Mapping[str, str] = field(default_factory=dict)
    doc: str | None = None
    shared: bool = False
    deleted: bool = False
    ts: int = 0

    def to_json(self) -> dict[str, Any]:
        """Confluent's Kek entity, fields in its order, null ones omitted."""
        out: dict[str, Any] = {
            "name": self.name,
            "kmsType": self.kms_type,
            "kmsKeyId": self.kms_key_id,
            "kmsProps": dict(sorted(self.kms_props.items())),
        }
        if self.doc is not None:
            out["doc"] = self.doc
        out["shared"] = self.shared
        out["ts"] = self.ts
        out["deleted"] = self.deleted
        return out

    def same_key(self, other: Kek) -> bool:
        """Equal but for `deleted` and `ts` (Confluent's `isEquivalent`)."""
        return (
            self.kms_type == other.kms_type
            and self.kms_key_id == other.kms_key_id
            and dict(self.kms_props) == dict(other.kms_props)
            and self.doc == other.doc
            and self.shared == other.shared
        )


@dataclass(frozen=True, slots=True)
class Dek:
    """A data encryption key as stored: its material only as the KMS wrapped it."""

    kek_name: str
    subject: str
    version: int
    algorithm: str
    encrypted_key_material: str | None
    deleted: bool = False
    ts: int = 0

    def to_json(self, key_material: str | None = None) -> dict[str, Any]:
        """Confluent's Dek entity, fields in its order, null ones omitted; `key_material`
        is the unwrapped key, given only for a shared KEK's DEK."""
        out: dict[str, Any] = {
            "kekName": self.kek_name,
            "subject": self.subject,
            "version": self.version,
            "algorithm": self.algorithm,
        }
        if self.encrypted_key_material is not None:
            out["encryptedKeyMaterial"] = self.encrypted_key_material
        if key_material is not None:
            out["keyMaterial"] = key_material
        out["ts"] = self.ts
        out["deleted"] = self.deleted
        return out

    def same_key(self, other: Dek) -> bool:
        """Equal but for `deleted` and `ts`."""
        return self.encrypted_key_material == other.encrypted_key_material


def _dump(obj: Mapping[str, Any]) -> bytes:
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False).encode()


def encode_key(key: KekKey | DekKey) -> bytes:
    """The key bytes: the NOOP header, then Confluent's `_dek_registry_keys` key fields."""
    head: dict[str, Any] = {"keytype": "NOOP", "magic": 0}
    if isinstance(key, KekKey):
        return _dump(head | {"type": "KEK", "tenant": key.tenant, "name": key.name})
    return _dump(
        head
        | {
            "type": "DEK",
            "tenant": key.tenant,
            "kekName": key.kek_name,
            "subject": key.subject,
            "algorithm": key.algorithm,
            "version": key.version,
        }
    )


def encode_value(value: Kek | Dek) -> bytes:
    """The value bytes: `type` and the entity's fields (`ts` is the record's own)."""
    if isinstance(value, Kek):
        out: dict[str, Any] = {
            "type": "KEK",
            "name": value.name,
            "kmsType": value.kms_type,
            "kmsKeyId": value.kms_key_id,
            "kmsProps": dict(sorted(value.kms_props.items())),
        }
        if value.doc is not None:
            out["doc"] = value.doc
        return _dump(out | {"shared": value.shared, "deleted": value.deleted})
    out = {
        "type": "DEK",
        "kekName": value.kek_name,
        "subject": value.subject,
        "version": value.version,
        "algorithm": value.algorithm,
    }
    if value.encrypted_key_material is not None:
        out["encryptedKeyMaterial"] = value.encrypted_key_material
    return _dump(out | {"deleted": value.deleted})


def is_key_record(raw_key: bytes) -> bool:
    """Whether key bytes are a KEK or DEK key (a NOOP header with a `type`)."""
    return raw_key.startswith(_NOOP_HEADER)


def _load(raw: bytes, what: str) -> dict[str, Any]:
    try:
        obj = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise RecordError(f"{what} is not JSON: {exc}") from exc
    if not isinstance(obj, dict):
        raise RecordError(f"{what} is not a JSON object")
    return obj


def _text(obj: Mapping[str, Any], name: str) -> str:
    value = obj.get(name)
    if not isinstance(value, str):
        raise RecordError(f"field {name!r} must be a string, got {value!r}")
    return value


def _number(obj: Mapping[str, Any], name: str) -> int:
    value = obj.get(name)
    if not isinstance(value, int) or isinstance(value, bool):
        raise RecordError(f"field {name!r} must be an integer, got {value!r}")
    return value


def decode_key(raw: bytes) -> KekKey | DekKey:
    """Decode a KEK or DEK key; raises `RecordError` for anything else."""
    obj = _load(raw, "key")
    tenant = obj.get("tenant") if isinstance(obj.get("tenant"), str) else DEFAULT_TENANT
    match obj.get("type"):
        case "KEK":
            return KekKey(_text(obj, "name"), str(tenant))
        case "DEK":
            return DekKey(
                _text(obj, "kekName"),
                _text(obj, "subject"),
                _text(obj, "algorithm"),
                _number(obj, "version"),
                str(tenant),
            )
    raise RecordError(f"unknown key type {obj.get('type')!r}")


def decode_value(key: KekKey | DekKey, raw: bytes, ts: int) -> Kek | Dek:
    """Decode the value stored under `key`, stamped with the record's timestamp `ts`."""
    obj = _load(raw, "value")
    deleted = obj.get("deleted") is True
    if isinstance(key, KekKey):
        props = obj.get("kmsProps") or {}
        if not isinstance(props, dict) or not all(isinstance(v, str) for v in props.values()):
            raise RecordError("field 'kmsProps' must be an object of strings")
        doc = obj.get("doc")
        return Kek(
            name=key.name,
            kms_type=_text(obj, "kmsType"),
            kms_key_id=_text(obj, "kmsKeyId"),
            kms_props=dict(props),
            doc=doc if isinstance(doc, str) else None,
            shared=obj.get("shared") is True,
            deleted=deleted,
            ts=ts,
        )
    material = obj.get("encryptedKeyMaterial")
    return Dek(
        kek_name=key.kek_name,
        subject=key.subject,
        version=key.version,
        algorithm=key.algorithm,
        encrypted_key_material=material if isinstance(material, str) else None,
        deleted=deleted,
        ts=ts,
    )
