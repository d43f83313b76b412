"""Registration, lookup and compatibility checks: everything that parses a request's schema.

Each request resolves the subject's configuration once (`EffectiveConfig`) and passes it to
the data-contract merge, the parse (normalisation) and the compatibility check.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from compat.formats import Formats, ParsedSchema
from compat.levels import CompatibilityResult, PreviousVersion, check_compatibility
from registry.effective import EffectiveConfig, Mode
from registry.errors import (
    CompatibilityCheckError,
    IncompatibleSchemaError,
    InvalidSchemaError,
    InvalidSubjectError,
    OperationNotPermittedError,
    SchemaNotFoundError,
    SchemaTooLargeError,
    SubjectNotFoundError,
    VersionNotFoundError,
)
from registry.merging import effective
from registry.records import SchemaKey, SchemaValue
from registry.requests import SchemaRequest
from registry.resolver import SchemaResolver
from registry.rules import validate_rule_set
from registry.services.lookups import equivalent_version, find_version
from registry.services.pinning import has_pin, with_pin
from registry.services.queries import RegistryQueries
from registry.services.tagging import with_tag_edits
from registry.services.writes import WriteSupport
from registry.settings import Settings
from registry.state import SubjectVersion, fingerprint
from registry.subjects import LATEST, QualifiedSubject, context_of, is_valid_subject
from registry.telemetry import Telemetry

#: The metadata property listing reserved field names, comma-separated (Confluent's).
RESERVED_PROPERTY = "confluent:reserved"


class RegistrationService:
    """`POST /subjects/{s}/versions`, `POST /subjects/{s}` and `POST /compatibility/...`."""

    def __init__(
        self,
        writes: WriteSupport,
        queries: RegistryQueries,
        resolver: SchemaResolver,
        formats: Formats,
        settings: Settings,
        telemetry: Telemetry | None,
    ) -> None:
        self._writes = writes
        self._telemetry = telemetry
        self._queries = queries
        self._resolver = resolver
        self._formats = formats
        self._settings = settings

    async def register(
        self,
        subject: str,
        request: SchemaRequest,
        *,
        normalize: bool | None = None,
        force: bool = False,
    ) -> SubjectVersion:
        """Register a schema under a subject; idempotent for identical content."""
        return await self._register(subject, request, normalize=normalize, force=force)

    async def register_edited(self, subject: str, request: SchemaRequest) -> SubjectVersion:
        """Register a schema built from a stored version (a tag edit): always through the
        full registration, never answered by a lookup of the request as sent."""
        return await self._register(subject, request, look_up_first=False)

    async def _register(
        self,
        subject: str,
        request: SchemaRequest,
        *,
        normalize: bool | None = None,
        force: bool = False,
        look_up_first: bool = True,
    ) -> SubjectVersion:
        """`register`; `look_up_first=False` skips Confluent's lookup of the request as sent
        (a tag edit, which always makes a new version)."""
        if not is_valid_subject(subject):
            raise InvalidSubjectError(subject)
        if request.rule_set is not None:
            validate_rule_set(request.rule_set)
        writes = self._writes
        async with writes.lock(subject):
            state = writes.store.state
            context = context_of(subject)
            config = self._queries.effective_config(subject)
            mode = self._queries.effective_mode(subject)
            if not mode.imports and look_up_first and not request.edits_tags:
                known = self._known_version(subject, request, normalize, config)
                if known is not None:
                    return known
            request = with_tag_edits(
                request, None if mode.imports else self._latest_live_version(subject)
            )
            versions = state.versions(subject)
            next_version = max(versions, default=0) + 1
            if not mode.imports:
                request = self._with_contract(subject, request, config)
                # A requested version (N, or -1 for "latest or new") or a pin already in the
                # metadata is recorded as the number this version really gets.
                if request.version not in (None, 0) or has_pin(request.metadata):
                    metadata = with_pin(request.metadata, next_version)
                    request = dataclasses.replace(request, metadata=metadata)
            request, parsed = self._parse(subject, request, normalize, config)
            fp = _fingerprint(request, parsed)
            existing = find_version(self._writes.store.state.versions(subject), fp, deleted=False)
            if existing is None and not mode.imports and request.version in (None, 0):
                existing = equivalent_version(versions, request, parsed, deleted=False)
            if existing is not None and (request.id is None or request.id == existing.schema.id):
                return existing
            _check_register_mode(subject, mode, request)
            if not mode.imports and not force:
                live = self._queries.live_versions(subject)
                result = self.check(subject, parsed, live, config, metadata=request.metadata)
                if not result.is_compatible:
                    raise IncompatibleSchemaError(
                        "Schema being registered is incompatible with an earlier schema for "
                        f'subject "{subject}", details: [{", ".join(result.messages)}]',
                        error_code=self._settings.incompatible_error_code,
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
                writes.reserve_id(context, schema_id)
            else:
                schema_id = writes.allocate_id(context, fp)
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
            records = writes.context_records(context)
            # A soft-deleted earlier version of the same schema is replaced, as Confluent does,
            # so one subject never lists one schema twice.
            for number, old in versions.items():
                replaced = old.deleted and old.schema.id == schema_id and number < version
                if replaced and not state.referrers(subject, number):
                    records.append((SchemaKey(subject, number), None))
            records.append((SchemaKey(subject, version), value))
            with writes.in_flight(context, fp, schema_id):
                await writes.store.write(records)
            return writes.store.state.versions(subject)[version]

    def lookup(
        self, subject: str, request: SchemaRequest, *, normalize: bool | None, deleted: bool
    ) -> SubjectVersion:
        """The version of `subject` holding this schema; never writes."""
        request = with_tag_edits(request, None)
        versions = self._writes.store.state.versions(subject)
        visible = [v for v in versions.values() if deleted or not v.deleted]
        config = self._queries.effective_config(subject)
        request, parsed = self._parse(subject, request, normalize, config)
        if not visible:
            raise SubjectNotFoundError(subject)
        found = find_version(
            self._writes.store.state.versions(subject),
            _fingerprint(request, parsed),
            deleted=deleted,
        )
        if found is None:
            found = equivalent_version(
                self._writes.store.state.versions(subject), request, parsed, deleted=deleted
            )
        if found is None:
            # As registration would store it: with the config's and latest version's contract.
            merged = self._with_contract(subject, request, config)
            found = find_version(
                self._writes.store.state.versions(subject),
                _fingerprint(merged, parsed),
                deleted=deleted,
            )
        if found is None:
            raise SchemaNotFoundError("Schema not found")
        return found

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
        request = with_tag_edits(request, None)
        config = self._queries.effective_config(subject)
        try:
            request, parsed = self._parse(subject, request, normalize, config)
        except InvalidSchemaError as exc:
            if verbose:
                return CompatibilityResult(False, (exc.message,), ())
            raise
        live = self._queries.live_versions(subject)
        if version is None:
            chosen = live
        elif version == LATEST:
            chosen = live[-1:]
        else:
            # Confluent looks the version up first: an unknown subject's version is 40402.
            target = self._writes.store.state.versions(subject).get(version)
            if target is None:
                raise VersionNotFoundError(version)
            chosen = [] if target.deleted else [target]
        return self.check(subject, parsed, chosen, config, metadata=request.metadata)

    def check(
        self,
        subject: str,
        parsed: ParsedSchema,
        previous: list[SubjectVersion],
        config: EffectiveConfig,
        *,
        metadata: Mapping[str, Any] | None = None,
    ) -> CompatibilityResult:
        """Compatibility of `parsed` against chosen versions under the subject's config.

        A check that fails inside has no verdict: `CompatibilityCheckError` (500), never 409.
        """
        group = config.compatibility_group
        if group:
            wanted = _metadata_property(metadata, group)
            previous = [
                v for v in previous if _metadata_property(v.schema.metadata, group) == wanted
            ]
        prior = [
            PreviousVersion(
                v.version, self._resolver.parsed(v.schema), _reserved(v.schema.metadata)
            )
            for v in previous
        ]
        result = check_compatibility(
            self._formats,
            config.level,
            parsed,
            prior,
            validate_fields=config.validate_fields,
            policy=config.policy,
            reserved=_reserved(metadata),
        )
        if self._telemetry is not None:
            outcome = (
                "failed"
                if result.failed
                else "compatible"
                if result.is_compatible
                else "incompatible"
            )
            self._telemetry.compatibility_checked(parsed.schema_type.value, outcome)
        if result.failed:
            raise CompatibilityCheckError(subject, result.messages)
        return result

    # ------------------------------------------------------------------ steps

    def _with_contract(
        self, subject: str, request: SchemaRequest, config: EffectiveConfig
    ) -> SchemaRequest:
        """`request` with Confluent's data-contract merge applied (`registry.merging`).

        An empty schema re-uses the latest live version's (a metadata-only update); metadata
        and rule set become `override ⊕ (request or latest) ⊕ default` from the config.
        """
        latest = self._latest_live_version(subject)
        schema, schema_type, references = request.schema, request.schema_type, request.references
        given_metadata = request.metadata
        given_rules = request.rule_set
        if latest is not None:
            stored = latest.schema
            if not schema.strip():
                schema, schema_type, references = (
                    stored.schema,
                    stored.schema_type,
                    stored.references,
                )
            given_metadata = stored.metadata if given_metadata is None else given_metadata
            given_rules = stored.rule_set if given_rules is None else given_rules
        metadata = effective(
            config.default_metadata, given_metadata, config.override_metadata, rules=False
        )
        rule_set = effective(
            config.default_rule_set, given_rules, config.override_rule_set, rules=True
        )
        if (schema, schema_type, references, metadata, rule_set) == (
            request.schema,
            request.schema_type,
            request.references,
            request.metadata,
            request.rule_set,
        ):
            return request  # no contract applies: the common case, and a hot path
        return dataclasses.replace(
            request,
            schema=schema,
            schema_type=schema_type,
            references=references,
            metadata=metadata,
            rule_set=rule_set,
        )

    def _known_version(
        self,
        subject: str,
        request: SchemaRequest,
        normalize: bool | None,
        config: EffectiveConfig,
    ) -> SubjectVersion | None:
        """The live version a registration returns before anything is merged, as Confluent's
        does when no config contract applies: the same content, or the same content but
        for `confluent:version` (only the latest version when the request says `-1`)."""
        if not request.schema.strip() or _has_contract(config):
            return None
        if request.version not in (None, 0, LATEST):
            return None
        request, parsed = self._parse(subject, request, normalize, config)
        latest_only = request.version == LATEST
        found = (
            None
            if latest_only
            else find_version(
                self._writes.store.state.versions(subject),
                _fingerprint(request, parsed),
                deleted=False,
            )
        )
        if found is None:
            found = equivalent_version(
                self._writes.store.state.versions(subject),
                request,
                parsed,
                deleted=False,
                latest_only=latest_only,
            )
        if found is not None and request.id is not None and request.id != found.schema.id:
            return None
        return found

    def _latest_live_version(self, subject: str) -> SubjectVersion | None:
        """The newest live version, without sorting every version (register's path)."""
        versions = self._writes.store.state.versions(subject)
        live = [number for number, version in versions.items() if not version.deleted]
        return versions[max(live)] if live else None

    def _parse(
        self,
        subject: str,
        request: SchemaRequest,
        normalize: bool | None,
        config: EffectiveConfig,
    ) -> tuple[SchemaRequest, ParsedSchema]:
        if not request.schema.strip():
            raise InvalidSchemaError("Empty schema")
        if len(request.schema.encode()) > self._settings.max_schema_bytes:
            raise SchemaTooLargeError()
        pinned = self._resolver.resolve_references(request.references, context_of(subject))
        if pinned != request.references:
            request = dataclasses.replace(request, references=pinned)
        parsed = self._resolver.parse_request(
            request, subject, normalize=bool(normalize) or config.normalize
        )
        return request, parsed


def _check_register_mode(subject: str, mode: Mode, request: SchemaRequest) -> None:
    qualified = QualifiedSubject.parse(subject)
    where = f"Subject {qualified.name} in context {qualified.context}"
    if mode.read_only:
        raise OperationNotPermittedError(f"{where} is in read-only mode")
    if request.id is not None and request.id >= 0 and not mode.imports:
        raise OperationNotPermittedError(f"{where} is not in import mode")
    if (request.id is None or request.id < 0) and mode is not Mode.READWRITE:
        raise OperationNotPermittedError(f"{where} is not in read-write mode")


def _has_contract(config: EffectiveConfig) -> bool:
    """Whether the config merges metadata or rules into every registration."""
    return any(
        (
            config.default_metadata,
            config.override_metadata,
            config.default_rule_set,
            config.override_rule_set,
        )
    )


def _fingerprint(request: SchemaRequest, parsed: ParsedSchema) -> str:
    return fingerprint(
        request.schema_type,
        parsed.canonical,
        request.references,
        request.metadata,
        request.rule_set,
    )


def _metadata_property(metadata: Mapping[str, Any] | None, name: str) -> object:
    properties = (metadata or {}).get("properties") or {}
    return properties.get(name) if isinstance(properties, dict) else None


def _reserved(metadata: Mapping[str, Any] | None) -> frozenset[str]:
    """The field names `metadata` reserves."""
    value = _metadata_property(metadata, RESERVED_PROPERTY)
    if not isinstance(value, str):
        return frozenset()
    return frozenset(name.strip() for name in value.split(",") if name.strip())
