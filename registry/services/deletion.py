"""Soft and permanent deletion of versions and subjects, with Confluent's state machine.

A live version is soft-deleted first (it stays readable with `deleted=true`); only a
soft-deleted version may then be deleted for good. Nothing referenced by another version may
go. A permanent delete first records the context's highest id, so compaction can never let an
id be handed out twice.
"""

from __future__ import annotations

from registry.errors import (
    ReferenceExistsError,
    SubjectNotFoundError,
    SubjectNotSoftDeletedError,
    SubjectSoftDeletedError,
    VersionNotFoundError,
    VersionNotSoftDeletedError,
    VersionSoftDeletedError,
)
from registry.records import DeleteSubjectKey, DeleteSubjectValue, SchemaKey, SchemaValue
from registry.services.writes import WriteSupport, reference_message
from registry.subjects import LATEST


class DeletionService:
    """`DELETE /subjects/{s}` and `DELETE /subjects/{s}/versions/{v}`."""

    def __init__(self, writes: WriteSupport) -> None:
        self._writes = writes

    async def delete_version(self, subject: str, version: int, *, permanent: bool) -> int:
        """Soft-delete a live version, or permanently delete a soft-deleted one."""
        writes = self._writes
        async with writes.lock(subject):
            state = writes.store.state
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
            writes.check_writable(subject)
            referrers = [r for r in state.referrers(subject, version) if permanent or not r.deleted]
            if referrers:
                raise ReferenceExistsError(reference_message(subject, version))
            if permanent:
                if not target.deleted:
                    raise VersionNotSoftDeletedError(subject, version)
                records = [*writes.id_floor(subject), (SchemaKey(subject, version), None)]
                if len(versions) == 1:
                    records += writes.subject_settings_tombstones(subject)
                await writes.store.write(records)
                return version
            if target.deleted:
                raise VersionSoftDeletedError(subject, version)
            schema = target.schema
            value = SchemaValue(
                subject=subject,
                version=version,
                id=schema.id,
                schema=schema.schema,
                schema_type=schema.schema_type,
                references=schema.references,
                metadata=schema.metadata,
                rule_set=schema.rule_set,
                deleted=True,
            )
            await writes.store.write([(SchemaKey(subject, version), value)])
            return version

    async def delete_subject(self, subject: str, *, permanent: bool) -> list[int]:
        """Soft-delete every live version, or permanently delete an all-soft-deleted subject."""
        writes = self._writes
        async with writes.lock(subject):
            state = writes.store.state
            versions = state.versions(subject)
            if not versions:
                raise SubjectNotFoundError(subject)
            writes.check_writable(subject)
            live = sorted(n for n, v in versions.items() if not v.deleted)
            for number in versions:
                for referrer in state.referrers(subject, number):
                    if referrer.subject != subject and (permanent or not referrer.deleted):
                        raise ReferenceExistsError(reference_message(subject, number))
            if permanent:
                if live:
                    raise SubjectNotSoftDeletedError(subject)
                numbers = sorted(versions, reverse=True)
                records = writes.id_floor(subject) + [
                    (SchemaKey(subject, n), None) for n in numbers
                ]
                await writes.store.write(records + writes.subject_settings_tombstones(subject))
                return sorted(numbers)
            if not live:
                raise SubjectSoftDeletedError(subject)
            await writes.store.write(
                [(DeleteSubjectKey(subject), DeleteSubjectValue(subject, max(live)))]
            )
            return live
