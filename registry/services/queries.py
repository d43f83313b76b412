"""The read side: every question the API asks of the state, in one interface.

Reads never write and never wait: they look at the state the store keeps current. Confluent's
visibility rules for soft-deleted data live here, so every endpoint applies them the same way.
"""

from __future__ import annotations

from typing import Any

from compat.formats import Formats, ParsedSchema
from compat.types import SchemaType
from registry.effective import (
    EffectiveConfig,
    Mode,
    config_fields,
    effective_mode,
    resolve_config,
)
from registry.errors import (
    SchemaNotFoundError,
    SubjectConfigNotFoundError,
    SubjectModeNotFoundError,
    SubjectNotFoundError,
    VersionNotFoundError,
)
from registry.resolver import SchemaResolver
from registry.settings import Settings
from registry.state import RegistryState, StoredSchema, SubjectVersion
from registry.subjects import DEFAULT_CONTEXT, LATEST, WILDCARD, QualifiedSubject

#: How many subjects' resolved configs are remembered at most.
CONFIG_CACHE_SIZE = 4096


class RegistryQueries:
    """Read-only questions over one state, with its parser and the server's defaults."""

    def __init__(
        self,
        state: RegistryState,
        resolver: SchemaResolver,
        formats: Formats,
        settings: Settings,
    ) -> None:
        self._state = state
        self._resolver = resolver
        self._formats = formats
        self._settings = settings
        #: Resolved configs by subject, valid while the state's config generation holds.
        self._configs: dict[str | None, EffectiveConfig] = {}
        self._configs_generation = -1

    # ------------------------------------------------------------------ schemas

    def schema_by_id(
        self, schema_id: int, subject: str | None
    ) -> tuple[StoredSchema, SubjectVersion | None]:
        """The schema with `schema_id`, looked up in the subject's context first.

        As in Confluent, the subject is only a hint: when its context lacks the id, an
        unqualified subject falls back to every other context. The second value is the
        subject-version to report (the hinted subject's own, else any carrier), if any.
        """
        state = self._state
        contexts = [DEFAULT_CONTEXT]
        if subject is not None:
            qualified = QualifiedSubject.parse(subject)
            contexts = [qualified.context]
            if not subject.startswith(":."):
                contexts += [c for c in state.contexts() if c != qualified.context]
        for context in contexts:
            schema = state.schema(context, schema_id)
            if schema is None:
                continue
            if subject is None:
                return schema, None
            carriers = state.carriers(context, schema_id)
            own = [c for c in carriers if c.subject == subject]
            chosen = own or [c for c in carriers if not c.deleted] or carriers
            return schema, chosen[0] if chosen else None
        raise SchemaNotFoundError(f"Schema {schema_id} not found")

    def carriers(self, schema: StoredSchema, *, deleted: bool) -> list[SubjectVersion]:
        """The subject-versions carrying `schema`, by subject then version."""
        carriers = self._state.carriers(schema.context, schema.id)
        return carriers if deleted else [c for c in carriers if not c.deleted]

    def by_guid(self, guid: str) -> list[StoredSchema]:
        """Every (context, id) holding the content with this GUID; 40403 when none."""
        found = self._state.by_guid(guid)
        if not found:
            raise SchemaNotFoundError(f"Schema {guid} not found")
        return found

    def max_id(self, context: str) -> int:
        """The highest id the context has handed out."""
        return self._state.max_id(context)

    def parsed(self, schema: StoredSchema) -> ParsedSchema:
        """A stored schema parsed (once, then remembered)."""
        return self._resolver.parsed(schema)

    def render(self, schema: StoredSchema, fmt: str | None) -> str | None:
        """The schema's text in a `format=` view, or None for the stored text."""
        if not fmt:
            return None
        return self._formats.get(schema.schema_type).render(self.parsed(schema), fmt)

    @property
    def formats(self) -> Formats:
        """The schema formats this registry parses and compares with."""
        return self._formats

    def schema_types(self) -> tuple[SchemaType, ...]:
        """The schema types this registry serves."""
        return self._formats.supported

    def list_schemas(
        self, prefix: str, *, deleted: bool, latest_only: bool
    ) -> list[SubjectVersion]:
        """`GET /schemas`: versions of matching subjects, by subject then version."""
        chosen: list[SubjectVersion] = []
        for subject in self.list_subjects(prefix or WILDCARD, deleted=deleted):
            versions = sorted(self._state.versions(subject).values(), key=lambda v: v.version)
            visible = [v for v in versions if deleted or not v.deleted]
            chosen.extend(visible[-1:] if latest_only else visible)
        return chosen

    # ------------------------------------------------------------------ subjects and versions

    def list_subjects(
        self, prefix: str, *, deleted: bool = False, deleted_only: bool = False
    ) -> list[str]:
        """Subjects matching a prefix (`:*:` = all contexts), sorted."""
        out = []
        for subject in self._state.subjects():
            if not _matches_prefix(subject, prefix):
                continue
            flags = [v.deleted for v in self._state.versions(subject).values()]
            if deleted_only:
                keep = any(flags)
            elif deleted:
                keep = True
            else:
                keep = not all(flags)
            if keep:
                out.append(subject)
        return sorted(out)

    def subject_versions(
        self, subject: str, *, deleted: bool = False, deleted_only: bool = False
    ) -> list[SubjectVersion]:
        """The subject's versions visible under the flags, ascending; 40401 when none."""
        versions = self._state.versions(subject)
        if deleted_only:
            chosen = [v for v in versions.values() if v.deleted]
        elif deleted:
            chosen = list(versions.values())
        else:
            chosen = [v for v in versions.values() if not v.deleted]
        if not chosen:
            raise SubjectNotFoundError(subject)
        return sorted(chosen, key=lambda v: v.version)

    def live_versions(self, subject: str) -> list[SubjectVersion]:
        """The subject's non-deleted versions, oldest first (none: an empty list)."""
        versions = self._state.versions(subject)
        return [versions[n] for n in sorted(versions) if not versions[n].deleted]

    def get_version(self, subject: str, version: int, *, deleted: bool = False) -> SubjectVersion:
        """One version; `latest` is the highest live version even with `deleted`."""
        versions = self._state.versions(subject)
        if version == LATEST:
            live = [n for n, v in versions.items() if not v.deleted]
            if not live:
                raise SubjectNotFoundError(subject)
            return versions[max(live)]
        if not versions or (not deleted and all(v.deleted for v in versions.values())):
            raise SubjectNotFoundError(subject)
        found = versions.get(version)
        if found is None or (found.deleted and not deleted):
            raise VersionNotFoundError(version)
        return found

    def latest_with_metadata(
        self, subject: str, wanted: dict[str, str], *, deleted: bool
    ) -> SubjectVersion:
        """The newest version whose metadata properties hold every wanted pair."""
        versions = self._state.versions(subject)
        visible = [v for v in versions.values() if deleted or not v.deleted]
        if not visible:
            raise SubjectNotFoundError(subject)
        for version in sorted(visible, key=lambda v: v.version, reverse=True):
            properties = (version.schema.metadata or {}).get("properties") or {}
            if all(properties.get(k) == v for k, v in wanted.items()):
                return version
        raise SchemaNotFoundError("Schema not found")

    def referrers(self, version: SubjectVersion, *, deleted: bool) -> list[SubjectVersion]:
        """The subject-versions whose references name `version`."""
        referrers = self._state.referrers(version.subject, version.version)
        return referrers if deleted else [r for r in referrers if not r.deleted]

    def contexts(self) -> list[str]:
        """The default context first, then every context ever written."""
        return self._state.contexts()

    # ------------------------------------------------------------------ config and mode

    def effective_config(self, subject: str | None) -> EffectiveConfig:
        """The config governing `subject` (None = the registry), resolved through its scopes.

        Remembered until any config changes: registrations and lookups resolve it on every
        request, and configs change rarely.
        """
        generation = self._state.config_generation
        if generation != self._configs_generation:
            self._configs.clear()
            self._configs_generation = generation
        config = self._configs.get(subject)
        if config is None:
            if len(self._configs) >= CONFIG_CACHE_SIZE:
                self._configs.clear()
            config = resolve_config(self._state, subject, self._settings.default_compatibility)
            self._configs[subject] = config
        return config

    def config(self, scope: str | None, *, default_to_global: bool) -> dict[str, Any]:
        """`GET /config[/{s}]`: the scope's own config, or the effective one."""
        if scope is None or default_to_global:
            return config_fields(self._state, scope, self._settings.default_compatibility)
        stored = self._state.config(scope)
        if stored is None:
            raise SubjectConfigNotFoundError(scope)
        return dict(stored)

    def effective_mode(self, subject: str | None) -> Mode:
        """The mode governing writes to `subject` (None = the registry)."""
        return effective_mode(self._state, subject)

    def mode(self, scope: str | None, *, default_to_global: bool) -> str:
        """`GET /mode[/{s}]`: the scope's own mode, or the effective one."""
        if scope is None or default_to_global:
            return self.effective_mode(scope).value
        stored = self._state.mode(scope)
        if stored is None:
            raise SubjectModeNotFoundError(scope)
        return stored


def _matches_prefix(subject: str, prefix: str) -> bool:
    if prefix == WILDCARD:
        return True
    if prefix.startswith(WILDCARD):
        return QualifiedSubject.parse(subject).name.startswith(prefix[len(WILDCARD) :])
    qualified_prefix = QualifiedSubject.parse(prefix) if prefix.startswith(":.") else None
    if qualified_prefix is not None and qualified_prefix.is_default_context:
        return not subject.startswith(":.") and subject.startswith(qualified_prefix.name)
    return subject.startswith(prefix)
