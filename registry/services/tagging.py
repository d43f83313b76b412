"""Schema tags: edits carried by a registration, and `POST /subjects/{s}/versions/{v}/tags`.

Tags live in the schema text (`compat.tags`), so tagging a schema registers a new version
whose text carries the new tags, exactly as Confluent does, and a Confluent reader of the
topic sees the same record. A registration that edits tags asks for version `-1` unless it
names one, so the new version records its number in `confluent:version` (`pinning`).
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

from compat.errors import SchemaParseError
from compat.tags import edit_tags, inline_tags
from compat.types import SchemaEntity
from registry.errors import (
    InvalidRuleSetError,
    InvalidSchemaError,
    SubjectNotFoundError,
    VersionNotFoundError,
)
from registry.merging import RULE_KINDS, merge_rule_set
from registry.records import JsonObject
from registry.requests import SchemaRequest, TagSchemaRequest, tag_map
from registry.rules import validate_rule_set
from registry.services.pinning import with_pin
from registry.state import SubjectVersion
from registry.subjects import LATEST

if TYPE_CHECKING:
    from registry.services.queries import RegistryQueries
    from registry.services.registration import RegistrationService


def with_tag_edits(request: SchemaRequest, latest: SubjectVersion | None) -> SchemaRequest:
    """`request` with its tag edits applied to its schema text (and, with
    `propagate_tags`, the tags of `latest` carried over); 42201 for an unknown entity.

    `latest` is None in IMPORT mode, where tags are not carried over.
    """
    if not request.edits_tags:
        return request
    text = request.schema
    try:
        if request.propagate_tags and latest is not None and text.strip():
            carried = inline_tags(latest.schema.schema_type, latest.schema.schema)
            present = inline_tags(request.schema_type, text)
            # Entities the new schema no longer has keep nothing to carry the tags to.
            text = _add_where_found(request, text, carried, present)
        add, remove = tag_map(request.tags_to_add), tag_map(request.tags_to_remove)
        if add or remove:
            text = edit_tags(request.schema_type, text, add, remove)
    except SchemaParseError as exc:
        raise InvalidSchemaError(str(exc)) from exc
    version = request.version
    if (request.tags_to_add or request.tags_to_remove) and version is None:
        version = LATEST
    return dataclasses.replace(request, schema=text, version=version)


def _add_where_found(
    request: SchemaRequest,
    text: str,
    carried: dict[SchemaEntity, list[str]],
    present: dict[SchemaEntity, list[str]],
) -> str:
    for entity, tags in carried.items():
        missing = [t for t in tags if t not in present.get(entity, [])]
        if not missing:
            continue
        try:
            text = edit_tags(request.schema_type, text, {entity: missing}, {})
        except SchemaParseError:
            continue
    return text


class TaggingService:
    """`POST /subjects/{s}/versions/{v}/tags`: a new version with the tags edited."""

    def __init__(self, registration: RegistrationService, queries: RegistryQueries) -> None:
        self._registration = registration
        self._queries = queries

    async def modify_tags(
        self, subject: str, version: int, request: TagSchemaRequest
    ) -> SubjectVersion:
        """Register `subject`'s `version` again with tags added and removed, and optionally
        new metadata and rules, as version `new_version` (or the next one)."""
        source = self._queries.get_version(subject, version)
        rule_set = self._rule_set(subject, request)
        stored = source.schema
        metadata = request.metadata if request.metadata is not None else stored.metadata
        try:
            text = edit_tags(
                stored.schema_type,
                stored.schema,
                tag_map(request.tags_to_add),
                tag_map(request.tags_to_remove),
            )
        except SchemaParseError as exc:
            raise InvalidSchemaError(str(exc)) from exc
        schema_request = SchemaRequest(
            schema=text,
            schema_type=stored.schema_type,
            references=stored.references,
            # The pin makes registration record the number the new version gets.
            metadata=with_pin(metadata, request.new_version or 0),
            rule_set=rule_set,
            version=request.new_version or None,
        )
        return await self._registration.register_edited(subject, schema_request)

    def _rule_set(self, subject: str, request: TagSchemaRequest) -> JsonObject | None:
        """The request's rule set, or the previous version's with rules merged and removed."""
        edits = request.rules_to_merge is not None or request.rules_to_remove is not None
        if edits and request.rule_set is not None:
            raise InvalidRuleSetError(
                "ruleSet should be omitted if specifying rulesToMerge or rulesToRemove"
            )
        for rules in (request.rule_set, request.rules_to_merge):
            if rules is not None:
                validate_rule_set(rules)
        if not edits:
            return request.rule_set
        previous = (request.new_version - 1) if request.new_version else LATEST
        try:
            base = self._queries.get_version(subject, previous).schema.rule_set
        except (SubjectNotFoundError, VersionNotFoundError):
            base = None
        merged = merge_rule_set(base, request.rules_to_merge)
        if merged is not None and request.rules_to_remove:
            dropped = set(request.rules_to_remove)
            for kind in RULE_KINDS:
                kept = [r for r in merged.get(kind) or [] if r.get("name") not in dropped]
                if kept:
                    merged[kind] = kept
                else:
                    merged.pop(kind, None)
        return merged or None
