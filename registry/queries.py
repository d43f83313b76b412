"""Read-side questions over the state, with Confluent's visibility rules for deleted data."""

from __future__ import annotations

from registry.errors import SchemaNotFoundError, SubjectNotFoundError, VersionNotFoundError
from registry.state import RegistryState, StoredSchema, SubjectVersion
from registry.subjects import DEFAULT_CONTEXT, WILDCARD, QualifiedSubject

LATEST = -1


def schema_by_id(
    state: RegistryState, schema_id: int, subject: str | None
) -> tuple[StoredSchema, SubjectVersion | None]:
    """The schema with `schema_id`, looked up in the subject's context first.

    As in Confluent, the subject is only a hint: when its context lacks the id, an
    unqualified subject falls back to every other context. The second value is the
    subject-version to report (the hinted subject's own, else any carrier), if any.
    """
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


def subject_versions(
    state: RegistryState, subject: str, *, deleted: bool = False, deleted_only: bool = False
) -> list[SubjectVersion]:
    """The subject's versions visible under the flags, ascending; 40401 when none."""
    versions = state.versions(subject)
    if deleted_only:
        chosen = [v for v in versions.values() if v.deleted]
    elif deleted:
        chosen = list(versions.values())
    else:
        chosen = [v for v in versions.values() if not v.deleted]
    if not chosen:
        raise SubjectNotFoundError(subject)
    return sorted(chosen, key=lambda v: v.version)


def get_version(
    state: RegistryState, subject: str, version: int, *, deleted: bool = False
) -> SubjectVersion:
    """One version; `latest` is the highest live version even with `deleted`."""
    versions = state.versions(subject)
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


def list_subjects(
    state: RegistryState, prefix: str, *, deleted: bool = False, deleted_only: bool = False
) -> list[str]:
    """Subjects matching a prefix (`:*:` = all contexts), sorted."""
    out = []
    for subject in state.subjects():
        if not _matches_prefix(subject, prefix):
            continue
        flags = [v.deleted for v in state.versions(subject).values()]
        if deleted_only:
            keep = any(flags)
        elif deleted:
            keep = True
        else:
            keep = not all(flags)
        if keep:
            out.append(subject)
    return sorted(out)


def _matches_prefix(subject: str, prefix: str) -> bool:
    if prefix == WILDCARD:
        return True
    if prefix.startswith(WILDCARD):
        return QualifiedSubject.parse(subject).name.startswith(prefix[len(WILDCARD) :])
    qualified_prefix = QualifiedSubject.parse(prefix) if prefix.startswith(":.") else None
    if qualified_prefix is not None and qualified_prefix.is_default_context:
        return not subject.startswith(":.") and subject.startswith(qualified_prefix.name)
    return subject.startswith(prefix)


def latest_with_metadata(
    state: RegistryState, subject: str, wanted: dict[str, str], *, deleted: bool
) -> SubjectVersion:
    """The newest version whose metadata properties hold every wanted pair."""
    versions = state.versions(subject)
    visible = [v for v in versions.values() if deleted or not v.deleted]
    if not visible:
        raise SubjectNotFoundError(subject)
    for version in sorted(visible, key=lambda v: v.version, reverse=True):
        properties = (version.schema.metadata or {}).get("properties") or {}
        if all(properties.get(k) == v for k, v in wanted.items()):
            return version
    raise SchemaNotFoundError("Schema not found")
