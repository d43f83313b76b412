"""Finding the version of a subject that already holds a schema (register and lookup).

Two rules, in Confluent's order: the same content exactly (the fingerprint: type, text,
references, metadata, rules), then Confluent's `canLookup`: the same type, text, references
and rules, with metadata that differs at most in `confluent:version` (`pinning`).
"""

from __future__ import annotations

from collections.abc import Mapping

from compat.formats import ParsedSchema
from registry.requests import SchemaRequest
from registry.services.pinning import comparable, equivalent_ignoring_pin, pinned_version
from registry.state import SubjectVersion


def find_version(
    versions: Mapping[int, SubjectVersion], fp: str, *, deleted: bool
) -> SubjectVersion | None:
    """The newest version (live, or any with `deleted`) whose content has fingerprint `fp`."""
    for number in sorted(versions, reverse=True):
        version = versions[number]
        if version.schema.fingerprint == fp and (deleted or not version.deleted):
            return version
    return None


def equivalent_version(
    versions: Mapping[int, SubjectVersion],
    request: SchemaRequest,
    parsed: ParsedSchema,
    *,
    deleted: bool,
    latest_only: bool = False,
) -> SubjectVersion | None:
    """The newest version holding this content with metadata equal but for
    `confluent:version`; with `latest_only`, only the newest version is considered."""
    candidates = [
        versions[n] for n in sorted(versions, reverse=True) if deleted or not versions[n].deleted
    ]
    if latest_only:
        candidates = candidates[:1]
    given = pinned_version(request.metadata)
    for candidate in candidates:
        stored = candidate.schema
        same = (stored.schema, stored.schema_type, stored.references) == (
            parsed.canonical,
            request.schema_type,
            request.references,
        )
        if (
            same
            and comparable(stored.rule_set) == comparable(request.rule_set)
            and equivalent_ignoring_pin(request.metadata, given, candidate.version, stored.metadata)
        ):
            return candidate
    return None
