"""The registry's write operations: registration, deletion, config, mode, and checks.

Every operation validates against the current state, appends the records that express it,
and returns once they are applied. Writes to one subject are serialised by a per-subject lock;
writes to different subjects proceed together (their durable appends share fsyncs), with ids
handed out from an in-memory reservation so concurrent registrations never collide.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Mapping
from typing import Any

from compat.formats import Formats, ParsedSchema
from compat.levels import CompatibilityResult, PreviousVersion, check_compatibility
from compat.types import CompatibilityLevel, CompatibilityPolicy
from registry.configs import CONFIG_FIELDS, Mode, effective_config, effective_level, effective_mode
from registry.errors import (
    CompatibilityCheckError,
    ContextNotEmptyError,
    IncompatibleSchemaError,
    InvalidCompatibilityError,
    InvalidModeError,
    InvalidSchemaError,
    InvalidSubjectError,
    OperationNotPermittedError,
    ReferenceExistsError,
    SchemaNotFoundError,
    SchemaTooLargeError,
    SubjectConfigNotFoundError,
    SubjectModeNotFoundError,
    SubjectNotFoundError,
    SubjectNotSoftDeletedError,
    SubjectSoftDeletedError,
    VersionNotFoundError,
    VersionNotSoftDeletedError,
    VersionSoftDeletedError,
)
from registry.merging import effective
from registry.records import (
    ClearSubjectKey,
    ClearSubjectValue,
    ConfigKey,
    ConfigValue,
    ContextKey,
    ContextValue,
    DeleteSubjectKey,
    DeleteSubjectValue,
    IdFloorKey,
    IdFloorValue,
    ModeKey,
    ModeValue,
    SchemaKey,
    SchemaValue,
    legacy_global_keys,
)
from registry.requests import SchemaRequest
from registry.resolver import SchemaResolver
from registry.rules import validate_rule_set
from registry.settings import Settings
from registry.state import StoredSchema, SubjectVersion, fingerprint
from registry.store import Store, Write
from registry.subjects import DEFAULT_CONTEXT, QualifiedSubject, context_of, is_valid_subject

LATEST = -1


class RegistryService:
    """Write-side operations over a `Store`; reads go straight to `store.state`."""

    def __init__(self, store: Store, formats: Formats, settings: Settings) -> None:
        self.store = store
        self.formats = formats
        self.settings = settings
        self.resolver = SchemaResolver(store.state, formats)
        self._locks: defaultdict[str, asyncio.Lock] = defaultdict(asyncio.Lock)
        self._reserved_ids: dict[str, int] = {}
        self._inflight: dict[tuple[str, str], int] = {}

    # ------------------------------------------------------------------ helpers

    def live_versions(self, subject: str) -> list[SubjectVersion]:
        """The subject's non-deleted versions, oldest first."""
        versions = self.store.state.versions(subject)
        return [versions[n] for n in sorted(versions) if not versions[n].deleted]

    def _latest_live_schema(self, subject: str) -> StoredSchema | None:
        """The newest live version's schema, without sorting every version (register's path)."""
        versions = self.store.state.versions(subject)
        live = [number for number, version in versions.items() if not version.deleted]
        return versions[max(live)].schema if live else None

    def _with_contract(self, subject: str, request: SchemaRequest) -> SchemaRequest:
        """`request` with Confluent's data-contract merge applied (`registry.merging`).

        An empty schema re-uses the latest live version's (a metadata-only update); metadata
        and rule set become `override ⊕ (request or latest) ⊕ default` from the config.
        """
        latest = self._latest_live_schema(subject)
        config = effective_config(self.store.state, subject, self.settings.default_compatibility)
        schema, schema_type, references = request.schema, request.schema_type, request.references
        if not schema.strip() and latest is not None:
            schema, schema_type, references = latest.schema, latest.schema_type, latest.references
        given_metadata = request.metadata
        given_rules = request.rule_set
        if latest is not None:
            given_metadata = latest.metadata if given_metadata is None else given_metadata
            given_rules = latest.rule_set if given_rules is None else given_rules
        metadata = effective(
            config.get("defaultMetadata"),
            given_metadata,
            config.get("overrideMetadata"),
            rules=False,
        )
        rule_set = effective(
            config.get("defaultRuleSet"), given_rules, config.get("overrideRuleSet"), rules=True
        )
        return SchemaRequest(
            schema, schema_type, references, metadata, rule_set, request.version, request.id
        )

    def _normalize_flag(self, subject: str, requested: bool | None) -> bool:
        if requested:
            return True
        config = effective_config(self.store.state, subject, self.settings.default_compatibility)
        return config.get("normalize") is True

    def _parse(
        self, subject: str, request: SchemaRequest, normalize: bool | None
    ) -> tuple[SchemaRequest, ParsedSchema]:
        if not request.schema.strip():
            raise InvalidSchemaError("Empty schema")
        if len(request.schema.encode()) > self.settings.max_schema_bytes:
            raise SchemaTooLargeError()
        pinned = self.resolver.resolve_references(request.references, context_of(subject))
        request = SchemaRequest(
            request.schema,
            request.schema_type,
            pinned,
            request.metadata,
            request.rule_set,
            request.version,
            request.id,
        )
        parsed = self.resolver.parse_request(
            request, subject, normalize=self._normalize_flag(subject, normalize)
        )
        return request, parsed

    @staticmethod
    def _fingerprint(request: SchemaRequest, parsed: ParsedSchema) -> str:
        return fingerprint(
            request.schema_type,
            parsed.canonical,
            request.references,
            request.metadata,
            request.rule_set,
        )

    def _find_version(self, subject: str, fp: str, *, deleted: bool) -> SubjectVersion | None:
        versions = self.store.state.versions(subject)
        for number in sorted(versions, reverse=True):
            version = versions[number]
            if version.schema.fingerprint == fp and (deleted or not version.deleted):
                return version
        return None

    def check(
        self,
        subject: str,
        parsed: ParsedSchema,
        previous: list[SubjectVersion],
        level: CompatibilityLevel | None = None,
        *,
        metadata: Mapping[str, Any] | None = None,
    ) -> CompatibilityResult:
        """Compatibility of `parsed` against chosen versions under the subject's level.

        A check that fails inside has no verdict: `CompatibilityCheckError` (500), never 409.
        """
        state = self.store.state
        if level is None:
            level = effective_level(state, subject, self.settings.default_compatibility)
        config = effective_config(state, subject, self.settings.default_compatibility)
        group = config.get("compatibilityGroup")
        if group:
            wanted = _metadata_property(metadata, group)
            previous = [
                v for v in previous if _metadata_property(v.schema.metadata, group) == wanted
            ]
        prior = [
            PreviousVersion(v.version, self.resolver.parsed(v.schema), _reserved(v.schema.metadata))
            for v in previous
        ]
        policy = CompatibilityPolicy.parse(config.get("compatibilityPolicy", "STRICT"))
        result = check_compatibility(
            self.formats,
            level,
            parsed,
            prior,
            validate_fields=config.get("validateFields") is True,
            policy=policy or CompatibilityPolicy.STRICT,
            reserved=_reserved(metadata),
        )
        if result.failed:  # no verdict: a 500 for registration and the compatibility endpoint
            raise CompatibilityCheckError(subject, result.messages)
        return result

    def _allocate_id(self, context: str, fp: str) -> int:
        existing = self.store.state.by_fingerprint(context, fp)
        if existing is not None:
            return existing.id
        inflight = self._inflight.get((context, fp))
        if inflight is not None:
            return inflight
        next_id = max(self.store.state.max_id(context), self._reserved_ids.get(context, 0)) + 1
        self._reserved_ids[context] = next_id
        return next_id

    def _context_records(self, context: str) -> list[Write]:
        if context == DEFAULT_CONTEXT or context in self.store.state.contexts():
            return []
        return [(ContextKey(context), ContextValue(context))]

    # ------------------------------------------------------------------ registration

    async def register(
        self,
        subject: str,
        request: SchemaRequest,
        *,
        normalize: bool | None = None,
        force: bool = False,
    ) -> SubjectVersion:
        """Register a schema under a subject; idempotent for identical content."""
        if not is_valid_subject(subject):
            raise InvalidSubjectError(subject)
        if request.rule_set is not None:
            validate_rule_set(request.rule_set)
        async with self._locks[subject]:
            state = self.store.state
            context = context_of(subject)
            mode = effective_mode(state, subject)
            if not mode.imports:
                request = self._with_contract(subject, request)
            request, parsed = self._parse(subject, request, normalize)
            fp = self._fingerprint(request, parsed)
            existing = self._find_version(subject, fp, deleted=False)
            if existing is not None and (request.id is None or request.id == existing.schema.id):
                return existing
            self._check_register_mode(subject, mode, request)
            versions = state.versions(subject)
            next_version = max(versions, default=0) + 1
            if not mode.imports and not force:
                result = self.check(
                    subject, parsed, self.live_versions(subject), metadata=request.metadata
                )
                if not result.is_compatible:
                    raise IncompatibleSchemaError(
                        "Schema being registered is incompatible with an earlier schema for "
                        f'subject "{subject}", details: [{", ".join(result.messages)}]',
                        error_code=self.settings.incompatible_error_code,
                    )
            version = next_version
            if request.version is not None and request.version > 0:
                if mode.imports:
                    version = request.version
                elif request.version != next_version:
                    raise InvalidSchemaError(
                        f"Invalid schema {parsed.canonical}, details: Version is not one more "
                        "than previous version"
                    )
            if mode.imports and request.id is not None:
                bound = state.schema(context, request.id)
                if bound is not None and bound.fingerprint != fp:
                    raise OperationNotPermittedError(
                        f"Overwrite new schema with id {request.id} in context {context} is not "
                        "permitted."
                    )
                schema_id = request.id
                self._reserved_ids[context] = max(self._reserved_ids.get(context, 0), schema_id)
            else:
                schema_id = self._allocate_id(context, fp)
            value = SchemaValue(
                subject=subject,
                version=version,
                id=schema_id,
                schema=parsed.canonical,
                schema_type=request.schema_type,
                references=request.references,
                metadata=request.metadata,
                rule_set=request.rule_set,
            )
            writes = self._context_records(context)
            # A soft-deleted earlier version of the same schema is replaced, as Confluent does,
            # so one subject never lists one schema twice.
            for number, old in versions.items():
                replaced = old.deleted and old.schema.id == schema_id and number < version
                if replaced and not state.referrers(subject, number):
                    writes.append((SchemaKey(subject, number), None))
            writes.append((SchemaKey(subject, version), value))
            self._inflight[(context, fp)] = schema_id
            try:
                await self.store.write(writes)
            finally:
                self._inflight.pop((context, fp), None)
            return self.store.state.versions(subject)[version]

    @staticmethod
    def _check_register_mode(subject: str, mode: Mode, request: SchemaRequest) -> None:
        qualified = QualifiedSubject.parse(subject)
        where = f"Subject {qualified.name} in context {qualified.context}"
        if mode.read_only:
            raise OperationNotPermittedError(f"{where} is in read-only mode")
        if request.id is not None and request.id >= 0 and not mode.imports:
            raise OperationNotPermittedError(f"{where} is not in import mode")
        if (request.id is None or request.id < 0) and mode is not Mode.READWRITE:
            raise OperationNotPermittedError(f"{where} is not in read-write mode")

    def lookup(
        self, subject: str, request: SchemaRequest, *, normalize: bool | None, deleted: bool
    ) -> SubjectVersion:
        """The version of `subject` holding this schema; never writes."""
        versions = self.store.state.versions(subject)
        visible = [v for v in versions.values() if deleted or not v.deleted]
        request, parsed = self._parse(subject, request, normalize)
        if not visible:
            raise SubjectNotFoundError(subject)
        found = self._find_version(subject, self._fingerprint(request, parsed), deleted=deleted)
        if found is None:
            # As registration would store it: with the config's and latest version's contract.
            merged = self._with_contract(subject, request)
            found = self._find_version(subject, self._fingerprint(merged, parsed), deleted=deleted)
        if found is None:
            raise SchemaNotFoundError("Schema not found")
        return found

    # ------------------------------------------------------------------ compatibility

    def test_compatibility(
        self,
        subject: str,
        request: SchemaRequest,
        version: int | None,
        *,
        normalize: bool | None,
        verbose: bool,
    ) -> CompatibilityResult:
        """`POST /compatibility/...`: one version (or `None` = the registration selection)."""
        try:
            request, parsed = self._parse(subject, request, normalize)
        except InvalidSchemaError as exc:
            if verbose:
                return CompatibilityResult(False, (exc.message,), ())
            raise
        state = self.store.state
        live = self.live_versions(subject)
        if version is None:
            return self.check(subject, parsed, live, metadata=request.metadata)
        if version == LATEST:
            chosen = live[-1:]
        else:
            target = state.versions(subject).get(version)
            if target is None:
                if not state.versions(subject):
                    raise SubjectNotFoundError(subject)
                raise VersionNotFoundError(version)
            chosen = [] if target.deleted else [target]
        level = effective_level(state, subject, self.settings.default_compatibility)
        return self.check(subject, parsed, chosen, level, metadata=request.metadata)

    # ------------------------------------------------------------------ deletion

    def _check_writable(self, subject: str | None) -> None:
        if effective_mode(self.store.state, subject).read_only:
            name = subject if subject is not None else "the registry"
            raise OperationNotPermittedError(f"Subject {name} is in read-only mode")

    async def delete_version(self, subject: str, version: int, *, permanent: bool) -> int:
        """Soft-delete a live version, or permanently delete a soft-deleted one."""
        async with self._locks[subject]:
            state = self.store.state
            versions = state.versions(subject)
            if not versions or (not permanent and all(v.deleted for v in versions.values())):
                raise SubjectNotFoundError(subject)
            if version == LATEST:
                live = [n for n, v in versions.items() if not v.deleted]
                if not live:
                    raise SubjectNotFoundError(subject)
                version = max(live)
            target = versions.get(version)
            if target is None:
                raise VersionNotFoundError(version)
            self._check_writable(subject)
            referrers = [r for r in state.referrers(subject, version) if permanent or not r.deleted]
            if referrers:
                raise ReferenceExistsError(_reference_message(subject, version))
            if permanent:
                if not target.deleted:
                    raise VersionNotSoftDeletedError(subject, version)
                writes = [*self._id_floor(subject), (SchemaKey(subject, version), None)]
                if len(versions) == 1:
                    writes += self._subject_settings_tombstones(subject)
                await self.store.write(writes)
                return version
            if target.deleted:
                raise VersionSoftDeletedError(subject, version)
            schema = target.schema
            value = SchemaValue(
                subject,
                version,
                schema.id,
                schema.schema,
                schema.schema_type,
                schema.references,
                schema.metadata,
                schema.rule_set,
                deleted=True,
            )
            await self.store.write([(SchemaKey(subject, version), value)])
            return version

    async def delete_subject(self, subject: str, *, permanent: bool) -> list[int]:
        """Soft-delete every live version, or permanently delete an all-soft-deleted subject."""
        async with self._locks[subject]:
            state = self.store.state
            versions = state.versions(subject)
            if not versions:
                raise SubjectNotFoundError(subject)
            self._check_writable(subject)
            live = sorted(n for n, v in versions.items() if not v.deleted)
            for number in versions:
                for referrer in state.referrers(subject, number):
                    if referrer.subject != subject and (permanent or not referrer.deleted):
                        raise ReferenceExistsError(_reference_message(subject, number))
            if permanent:
                if live:
                    raise SubjectNotSoftDeletedError(subject)
                numbers = sorted(versions, reverse=True)
                writes = self._id_floor(subject) + [(SchemaKey(subject, n), None) for n in numbers]
                await self.store.write(writes + self._subject_settings_tombstones(subject))
                return sorted(numbers)
            if not live:
                raise SubjectSoftDeletedError(subject)
            await self.store.write(
                [(DeleteSubjectKey(subject), DeleteSubjectValue(subject, max(live)))]
            )
            return live

    def _id_floor(self, subject: str) -> list[Write]:
        """Persist the context's highest id before a hard delete can erase its evidence."""
        context = context_of(subject)
        max_id = max(self.store.state.max_id(context), self._reserved_ids.get(context, 0))
        return [(IdFloorKey(context), IdFloorValue(context, max_id))]

    def _subject_settings_tombstones(self, subject: str) -> list[Write]:
        state = self.store.state
        writes: list[Write] = []
        if state.config(subject) is not None:
            writes.append((ConfigKey(subject), None))
        if state.mode(subject) is not None:
            writes.append((ModeKey(subject), None))
        return writes

    # ------------------------------------------------------------------ config

    def get_config(self, scope: str | None, *, default_to_global: bool) -> dict[str, Any]:
        """`GET /config[/{s}]`."""
        state = self.store.state
        if scope is None:
            return effective_config(state, None, self.settings.default_compatibility)
        if default_to_global:
            return effective_config(state, scope, self.settings.default_compatibility)
        stored = state.config(scope)
        if stored is None:
            raise SubjectConfigNotFoundError(scope)
        return dict(stored)

    async def set_config(self, scope: str | None, update: Mapping[str, Any]) -> dict[str, Any]:
        """`PUT /config[/{s}]`: a partial update; explicit nulls clear fields."""
        if scope is not None and not is_valid_subject(scope):
            raise InvalidSubjectError(scope)
        if "compatibility" in update or "compatibilityLevel" in update:
            raw = update.get("compatibility", update.get("compatibilityLevel"))
            if raw is not None:
                level = CompatibilityLevel.parse(raw) if isinstance(raw, str) else None
                if level is None:
                    raise InvalidCompatibilityError()
        policy = update.get("compatibilityPolicy")
        if policy is not None and CompatibilityPolicy.parse(policy) is None:
            raise InvalidCompatibilityError(
                "Invalid compatibility policy. Valid values are STRICT and LENIENT"
            )
        for name in ("defaultRuleSet", "overrideRuleSet"):
            rule_set = update.get(name)
            if rule_set is not None:
                validate_rule_set(rule_set)
        self._check_writable(scope)
        async with self._locks[f"config:{scope}"]:
            stored = dict(self.store.state.config(scope) or {})
            for name, raw_value in update.items():
                value = raw_value
                field = "compatibilityLevel" if name == "compatibility" else name
                if name == "compatibilityLevel" and "compatibility" in update:
                    continue
                if field not in CONFIG_FIELDS:
                    continue
                if isinstance(value, str) and field in (
                    "compatibilityLevel",
                    "compatibilityPolicy",
                ):
                    value = value.upper()
                if value is None:
                    stored.pop(field, None)
                else:
                    stored[field] = value
            await self.store.write([(ConfigKey(scope), ConfigValue(scope, stored))])
        return {("compatibility" if k == "compatibilityLevel" else k): v for k, v in stored.items()}

    async def delete_config(self, scope: str | None) -> dict[str, Any]:
        """`DELETE /config[/{s}]`: unset, returning what was there."""
        state = self.store.state
        self._check_writable(scope)
        if scope is None:
            previous = effective_config(state, None, self.settings.default_compatibility)
            key = ConfigKey(None)
            await self.store.write_raw([(raw, None) for raw in legacy_global_keys(key)])
            return previous
        stored = state.config(scope)
        if stored is None:
            raise SubjectNotFoundError(scope)
        await self.store.write([(ConfigKey(scope), None)])
        return dict(stored)

    # ------------------------------------------------------------------ mode

    def get_mode(self, scope: str | None, *, default_to_global: bool) -> str:
        """`GET /mode[/{s}]`."""
        state = self.store.state
        if scope is None or default_to_global:
            return effective_mode(state, scope).value
        stored = state.mode(scope)
        if stored is None:
            raise SubjectModeNotFoundError(scope)
        return stored

    async def set_mode(self, scope: str | None, raw_mode: object, *, force: bool) -> str:
        """`PUT /mode[/{s}]`."""
        if scope is not None and not is_valid_subject(scope):
            raise InvalidSubjectError(scope)
        try:
            mode = Mode(str(raw_mode).upper()) if isinstance(raw_mode, str) else None
        except ValueError:
            mode = None
        if mode is None:
            raise InvalidModeError(
                "Invalid mode. Valid values are READWRITE, READONLY, IMPORT and FORWARD."
            )
        if mode is Mode.FORWARD and scope is not None:
            raise InvalidModeError("Forward mode only supported on global level")
        state = self.store.state
        entering_import = mode is Mode.IMPORT and effective_mode(state, scope) is not Mode.IMPORT
        if entering_import and not force and self._has_live_subjects(scope):
            raise OperationNotPermittedError("Cannot import since found existing subjects")
        writes: list[Write] = []
        if entering_import:
            writes += self._leftovers_cleared(scope)
        writes.append((ModeKey(scope), ModeValue(scope, mode.value)))
        await self.store.write(writes)
        return mode.value

    def _leftovers_cleared(self, scope: str | None) -> list[Write]:
        """Entering IMPORT: soft-deleted versions in scope are deleted for good, as Confluent
        does, so imported ids and versions cannot collide with them; 42206 if referenced."""
        state = self.store.state
        writes: list[Write] = []
        cleared: list[str] = []
        for subject in state.subjects():
            if not self._in_scope(subject, scope):
                continue
            versions = state.versions(subject)
            dead = [n for n, v in versions.items() if v.deleted]
            for number in dead:
                if state.referrers(subject, number):
                    raise ReferenceExistsError(_reference_message(subject, number))
                writes.append((SchemaKey(subject, number), None))
            if dead:
                cleared.append(subject)
                writes[:0] = self._id_floor(subject)
        if cleared:
            prefix = scope if scope is not None else ""
            writes.append((ClearSubjectKey(prefix), ClearSubjectValue(prefix)))
        return writes

    def _has_live_subjects(self, scope: str | None) -> bool:
        state = self.store.state
        return any(self._in_scope(s, scope) and self.live_versions(s) for s in state.subjects())

    @staticmethod
    def _in_scope(subject: str, scope: str | None) -> bool:
        if scope is None:
            return True
        qualified = QualifiedSubject.parse(scope)
        if qualified.is_context_scope:
            return context_of(subject) == qualified.context
        return subject == scope

    async def delete_mode(self, scope: str | None, *, recursive: bool = False) -> str:
        """`DELETE /mode[/{s}]`: unset, returning the previous mode.

        With `recursive`, the modes of every subject in scope (the whole registry, or a
        context given as `:.ctx:`) are unset too.
        """
        state = self.store.state
        nested: list[Write] = []
        if recursive:
            nested = [
                (ModeKey(name), None)
                for name in state.mode_scopes()
                if name != scope and self._in_scope(name, scope)
            ]
        if scope is None:
            previous = effective_mode(state, None).value
            if nested:
                await self.store.write(nested)
            await self.store.write_raw([(raw, None) for raw in legacy_global_keys(ModeKey(None))])
            return previous
        stored = state.mode(scope)
        if stored is None and not recursive:
            raise SubjectNotFoundError(scope)
        previous = stored if stored is not None else effective_mode(state, scope).value
        writes = [*nested, (ModeKey(scope), None)] if stored is not None else nested
        if writes:
            await self.store.write(writes)
        return previous

    # ------------------------------------------------------------------ contexts

    async def delete_context(self, context: str) -> None:
        """Forget an empty context; one that still holds subjects is refused (42211)."""
        state = self.store.state
        if context == DEFAULT_CONTEXT or any(context_of(s) == context for s in state.subjects()):
            raise ContextNotEmptyError(context)
        if context in state.contexts():
            await self.store.write([(ContextKey(context), None)])


def _reference_message(subject: str, version: int) -> str:
    return (
        "One or more references exist to the schema "
        f"{{magic=1,keytype=SCHEMA,subject={subject},version={version}}}."
    )


def _metadata_property(metadata: Mapping[str, Any] | None, name: str) -> object:
    properties = (metadata or {}).get("properties") or {}
    return properties.get(name) if isinstance(properties, dict) else None


#: The metadata property listing reserved field names, comma-separated (Confluent's).
RESERVED_PROPERTY = "confluent:reserved"


def _reserved(metadata: Mapping[str, Any] | None) -> frozenset[str]:
    """The field names `metadata` reserves."""
    value = _metadata_property(metadata, RESERVED_PROPERTY)
    if not isinstance(value, str):
        return frozenset()
    return frozenset(name.strip() for name in value.split(",") if name.strip())
