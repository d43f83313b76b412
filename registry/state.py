"""The registry's state: a pure state machine over `_schemas` records.

`RegistryState.apply` is the only way state changes. It knows nothing of HTTP or of which log
the records come from, and it is lenient: a record it cannot use is logged and skipped, so a
topic written by Confluent, Karapace or an older Cairn always replays. Schema content is
stored once per (context, id) and shared by every subject-version that carries it.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from compat.types import SchemaType
from registry.dek_records import is_key_record
from registry.dek_state import KeyState
from registry.log.base import LogRecord
from registry.records import (
    ConfigKey,
    ConfigValue,
    ContextKey,
    DeleteSubjectValue,
    IdFloorValue,
    JsonObject,
    ModeKey,
    ModeValue,
    NoopKey,
    RecordError,
    Reference,
    SchemaKey,
    SchemaValue,
    decode_key,
    decode_value,
)
from registry.subjects import (
    DEFAULT_CONTEXT,
    QualifiedSubject,
    config_scope,
    context_of,
    normalize_subject,
)

logger = logging.getLogger(__name__)

SchemaSlot = tuple[str, int]
"""A schema's identity: its context and its id within the context."""

VersionSlot = tuple[str, int]
"""A subject-version's identity: the stored subject and the version number."""


def fingerprint(
    schema_type: SchemaType,
    schema: str,
    references: tuple[Reference, ...],
    metadata: JsonObject | None,
    rule_set: JsonObject | None,
) -> str:
    """The content identity that decides id reuse: type, text, references, metadata, rules."""
    digest = hashlib.sha256(schema_type.value.encode())
    digest.update(b"\0")
    digest.update(schema.encode())
    if references or metadata or rule_set:
        extra = [[[r.name, r.subject, r.version] for r in references], metadata, rule_set]
        digest.update(b"\0")
        digest.update(json.dumps(extra, separators=(",", ":"), sort_keys=True).encode())
    return digest.hexdigest()


@dataclass(frozen=True, slots=True, eq=False, weakref_slot=True)
class StoredSchema:
    """Schema content with its id; one object however many subjects carry it.

    Compared and hashed by identity, and weakly referenceable, so that the HTTP layer can
    keep rendered responses beside it for exactly as long as it is in the state.
    """

    context: str
    id: int
    schema_type: SchemaType
    schema: str
    references: tuple[Reference, ...]
    metadata: JsonObject | None
    rule_set: JsonObject | None
    fingerprint: str
    guid: str


def guid_of(fp: str) -> str:
    """A content-derived UUID, the same in every context (Confluent 8.x `guid`)."""
    return str(uuid.UUID(bytes=hashlib.md5(fp.encode()).digest()))


@dataclass(frozen=True, slots=True, eq=False, weakref_slot=True)
class SubjectVersion:
    """One version of a subject. Replaced, never mutated, when its record changes.

    Identity-compared and weakly referenceable, like `StoredSchema`.
    """

    subject: str
    version: int
    schema: StoredSchema
    deleted: bool
    ts: int
    offset: int


@dataclass(frozen=True, slots=True)
class StateCounts:
    """How much the state holds, for the metrics: a subject counts as deleted when every
    version it keeps is soft-deleted."""

    schemas: int
    subjects: int
    deleted_subjects: int
    versions: int
    deleted_versions: int


class RegistryState:
    """Everything the registry knows, rebuilt by applying log records in offset order."""

    def __init__(self) -> None:
        self.next_offset = 0
        self._subjects: dict[str, dict[int, SubjectVersion]] = {}
        self._schemas: dict[SchemaSlot, StoredSchema] = {}
        self._carriers: dict[SchemaSlot, set[VersionSlot]] = {}
        self._by_fingerprint: dict[tuple[str, str], StoredSchema] = {}
        self._by_guid: dict[str, dict[SchemaSlot, StoredSchema]] = {}
        self._referrers: dict[VersionSlot, set[VersionSlot]] = {}
        self._configs: dict[str | None, Mapping[str, Any]] = {}
        self._modes: dict[str | None, str] = {}
        self._contexts: dict[str, None] = {DEFAULT_CONTEXT: None}
        self._max_id: dict[str, int] = {}
        #: The DEK registry's KEKs and DEKs, carried in the same log.
        self.keys = KeyState()
        self.skipped_records = 0
        #: Changes whenever any stored config changes, so derived views can be cached.
        self.config_generation = 0

    # ----------------------------------------------------------------- applying records

    def apply(self, record: LogRecord) -> None:
        """Apply one record; unusable records are logged and skipped, never raised."""
        if record.offset < self.next_offset:
            return
        self.next_offset = record.offset + 1
        try:
            key = decode_key(record.key)
            if isinstance(key, NoopKey):
                if is_key_record(record.key) and not self.keys.apply(record):
                    self.skipped_records += 1
                return
            if record.value is None:
                self._apply_tombstone(key)
                return
            value = decode_value(key, record.value)
        except RecordError as exc:
            self.skipped_records += 1
            logger.warning("skipping record at offset %d: %s", record.offset, exc)
            return
        match value:
            case SchemaValue():
                assert isinstance(key, SchemaKey)
                self._apply_schema(key, value, record)
            case ConfigValue(_, fields):
                assert isinstance(key, ConfigKey)
                self._configs[config_scope(key.subject)] = dict(fields)
                self.config_generation += 1
            case ModeValue(_, mode):
                assert isinstance(key, ModeKey)
                self._modes[config_scope(key.subject)] = mode.upper()
            case DeleteSubjectValue(subject, version):
                self._apply_delete_subject(normalize_subject(subject), version)
            case IdFloorValue(context, max_id):
                self._max_id[context] = max(self._max_id.get(context, 0), max_id)
            case _:
                if isinstance(key, ContextKey):
                    self._contexts.setdefault(key.context, None)
                # CLEAR_SUBJECT only resets lookup caches in Confluent; the versions it
                # concerns are removed by their own tombstones, so nothing is left to do.

    def _apply_tombstone(self, key: object) -> None:
        match key:
            case SchemaKey(subject, version, _):
                self._remove_version(normalize_subject(subject), version)
            case ConfigKey(subject):
                self._configs.pop(config_scope(subject), None)
                self.config_generation += 1
            case ModeKey(subject):
                self._modes.pop(config_scope(subject), None)
            case ContextKey(context, _) if context != DEFAULT_CONTEXT:
                self._contexts.pop(context, None)
            case _:
                pass

    def _apply_schema(self, key: SchemaKey, value: SchemaValue, record: LogRecord) -> None:
        subject = normalize_subject(key.subject)
        context = context_of(subject)
        slot = (context, value.id)
        refs = value.references
        fp = fingerprint(value.schema_type, value.schema, refs, value.metadata, value.rule_set)
        stored = self._schemas.get(slot)
        if stored is not None and stored.fingerprint != fp:
            # Confluent's duplicate-id rule: the first content bound to an id wins.
            self.skipped_records += 1
            logger.warning(
                "skipping record at offset %d: id %d in context %s already holds another schema",
                record.offset,
                value.id,
                context,
            )
            return
        self._remove_version(subject, key.version)
        stored = self._schemas.get(slot)
        if stored is None:
            stored = StoredSchema(
                context,
                value.id,
                value.schema_type,
                value.schema,
                refs,
                value.metadata,
                value.rule_set,
                fp,
                guid_of(fp),
            )
            self._schemas[slot] = stored
            self._by_fingerprint.setdefault((context, fp), stored)
            self._by_guid.setdefault(stored.guid, {})[slot] = stored
        self._max_id[context] = max(self._max_id.get(context, 0), value.id)
        self._contexts.setdefault(context, None)
        version = SubjectVersion(
            subject, key.version, stored, value.deleted, record.timestamp_ms, record.offset
        )
        self._subjects.setdefault(subject, {})[key.version] = version
        self._carriers.setdefault(slot, set()).add((subject, key.version))
        for ref in refs:
            target = (qualify_reference(ref.subject, context), ref.version)
            self._referrers.setdefault(target, set()).add((subject, key.version))

    def _remove_version(self, subject: str, version: int) -> None:
        versions = self._subjects.get(subject)
        old = versions.pop(version, None) if versions is not None else None
        if old is None:
            return
        if not versions:
            del self._subjects[subject]
        slot = (old.schema.context, old.schema.id)
        carriers = self._carriers.get(slot)
        if carriers is not None:
            carriers.discard((subject, version))
            if not carriers:
                del self._carriers[slot]
                gone = self._schemas.pop(slot)
                fp_key = (gone.context, gone.fingerprint)
                if self._by_fingerprint.get(fp_key) is gone:
                    del self._by_fingerprint[fp_key]
                same_guid = self._by_guid.get(gone.guid, {})
                same_guid.pop(slot, None)
                if not same_guid:
                    self._by_guid.pop(gone.guid, None)
        for ref in old.schema.references:
            target = (qualify_reference(ref.subject, old.schema.context), ref.version)
            referrers = self._referrers.get(target)
            if referrers is not None:
                referrers.discard((subject, version))
                if not referrers:
                    del self._referrers[target]

    def _apply_delete_subject(self, subject: str, up_to: int) -> None:
        versions = self._subjects.get(subject)
        if not versions:
            return
        for number, version in list(versions.items()):
            if number <= up_to and not version.deleted:
                versions[number] = dataclasses.replace(version, deleted=True)

    # ----------------------------------------------------------------- queries

    def subjects(self) -> Iterator[str]:
        """Every subject with at least one version (live or soft-deleted)."""
        return iter(self._subjects)

    def versions(self, subject: str) -> Mapping[int, SubjectVersion]:
        """The versions of a stored subject by number (empty when unknown)."""
        return self._subjects.get(subject, {})

    def schema(self, context: str, schema_id: int) -> StoredSchema | None:
        """The schema with this id in this context, while any version carries it."""
        return self._schemas.get((context, schema_id))

    def carriers(self, context: str, schema_id: int) -> list[SubjectVersion]:
        """Every subject-version carrying the id, ordered by subject then version."""
        slots = sorted(self._carriers.get((context, schema_id), ()))
        return [self._subjects[s][v] for s, v in slots]

    def by_fingerprint(self, context: str, fp: str) -> StoredSchema | None:
        """The schema with this content in this context, if any."""
        return self._by_fingerprint.get((context, fp))

    def by_guid(self, guid: str) -> list[StoredSchema]:
        """Every (context, id) holding the content with this GUID, by context then id."""
        return [self._by_guid[guid][slot] for slot in sorted(self._by_guid.get(guid, {}))]

    def referrers(self, subject: str, version: int) -> list[SubjectVersion]:
        """Subject-versions whose references name this subject-version."""
        slots = sorted(self._referrers.get((subject, version), ()))
        return [self._subjects[s][v] for s, v in slots]

    def max_id(self, context: str) -> int:
        """The highest id seen in the context (0 when none)."""
        return self._max_id.get(context, 0)

    def config(self, scope: str | None) -> Mapping[str, Any] | None:
        """The stored config of a scope (None = global); None when unset."""
        return self._configs.get(scope)

    def mode(self, scope: str | None) -> str | None:
        """The stored mode of a scope (None = global); None when unset."""
        return self._modes.get(scope)

    def mode_scopes(self) -> list[str]:
        """Every subject or context scope that has a mode of its own (global excluded)."""
        return [scope for scope in self._modes if scope is not None]

    def counts(self) -> StateCounts:
        """Count schemas, subjects and versions (one pass over the versions)."""
        subjects = deleted_subjects = versions = deleted_versions = 0
        for by_number in self._subjects.values():
            deleted = sum(1 for version in by_number.values() if version.deleted)
            versions += len(by_number)
            deleted_versions += deleted
            if deleted == len(by_number):
                deleted_subjects += 1
            else:
                subjects += 1
        return StateCounts(
            schemas=len(self._schemas),
            subjects=subjects,
            deleted_subjects=deleted_subjects,
            versions=versions - deleted_versions,
            deleted_versions=deleted_versions,
        )

    def contexts(self) -> list[str]:
        """The default context first, then every context ever written, sorted."""
        return [DEFAULT_CONTEXT, *sorted(c for c in self._contexts if c != DEFAULT_CONTEXT)]


def qualify_reference(subject: str, context: str) -> str:
    """A reference's subject, qualified with the referrer's context when it has none."""
    if subject.startswith(":.") or context == DEFAULT_CONTEXT:
        return normalize_subject(subject)
    return str(QualifiedSubject(context, subject))
