"""Parsing of request and stored schemas, with references resolved through the state.

Stored schemas are parsed at most once each (kept until their content leaves the state), so
compatibility checks against many versions never re-parse.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable

from compat.errors import CompatError, UnsupportedSchemaTypeError
from compat.formats import Formats, ParsedSchema, ResolvedReference
from registry.errors import InvalidSchemaError
from registry.records import Reference
from registry.requests import SchemaRequest
from registry.state import RegistryState, SchemaSlot, StoredSchema, qualify_reference
from registry.subjects import context_of

#: How many recently parsed request schemas are remembered.
RECENT_PARSES = 1024

#: Deeper reference chains than this are refused rather than followed.
MAX_REFERENCE_DEPTH = 64


class SchemaResolver:
    """Parses schemas for one state, resolving references to stored subject-versions."""

    def __init__(self, state: RegistryState, formats: Formats) -> None:
        self._state = state
        self._formats = formats
        self._parsed: dict[SchemaSlot, tuple[StoredSchema, ParsedSchema]] = {}
        self._evict_at = 1024
        self._recent: OrderedDict[Hashable, ParsedSchema] = OrderedDict()

    def resolve_references(
        self, references: tuple[Reference, ...], context: str
    ) -> tuple[Reference, ...]:
        """Pin `version: -1` to the latest live version; refuse references that do not exist."""
        pinned = []
        for ref in references:
            subject = qualify_reference(ref.subject, context)
            versions = self._state.versions(subject)
            version = ref.version
            if version == -1:
                live = [n for n, v in versions.items() if not v.deleted]
                version = max(live) if live else -1
            if version not in versions:
                raise InvalidSchemaError(
                    f'Invalid schema: no schema reference found for subject "{ref.subject}" '
                    f"and version {ref.version}"
                )
            pinned.append(Reference(ref.name, ref.subject, version))
        return tuple(pinned)

    def parse_request(
        self, request: SchemaRequest, subject: str, *, normalize: bool
    ) -> ParsedSchema:
        """Parse a request's schema (references already pinned); 42201 on any problem.

        Recent results are memoised by text, type, normalisation and the content of every
        referenced schema: producers re-register the same schema on every start, and that
        path should cost a dictionary lookup, not a parse.
        """
        context = context_of(subject)
        memo_key = self._memo_key(request, context, normalize)
        if memo_key is not None:
            cached = self._recent.get(memo_key)
            if cached is not None:
                self._recent.move_to_end(memo_key)
                return cached
        parsed = self._parse_request(request, context, normalize=normalize)
        if memo_key is not None:
            self._recent[memo_key] = parsed
            if len(self._recent) > RECENT_PARSES:
                self._recent.popitem(last=False)
        return parsed

    def _memo_key(self, request: SchemaRequest, context: str, normalize: bool) -> Hashable | None:
        targets = []
        for ref in request.references:
            target = self._state.versions(qualify_reference(ref.subject, context)).get(ref.version)
            if target is None:
                return None
            targets.append((ref.name, target.schema.fingerprint))
        return (request.schema_type, request.schema, normalize, context, tuple(targets))

    def _parse_request(
        self, request: SchemaRequest, context: str, *, normalize: bool
    ) -> ParsedSchema:
        try:
            fmt = self._formats.get(request.schema_type)
            resolved = self._resolved(request.references, context, depth=0)
            return fmt.parse(request.schema, resolved, normalize=normalize)
        except UnsupportedSchemaTypeError as exc:
            raise InvalidSchemaError(
                f"Invalid schema type {request.schema_type.value}: {exc}"
            ) from exc
        except CompatError as exc:
            raise InvalidSchemaError(
                f"Invalid schema {_excerpt(request.schema)}, details: {exc}"
            ) from exc
        except RecursionError as exc:
            raise InvalidSchemaError("Invalid schema: nested too deeply") from exc

    def parsed(self, stored: StoredSchema, *, depth: int = 0) -> ParsedSchema:
        """The parsed form of a stored schema, computed once."""
        slot = (stored.context, stored.id)
        cached = self._parsed.get(slot)
        if cached is not None and cached[0] is stored:
            return cached[1]
        try:
            fmt = self._formats.get(stored.schema_type)
            resolved = self._resolved(stored.references, stored.context, depth=depth)
            parsed = fmt.parse(stored.schema, resolved)
        except CompatError as exc:
            raise InvalidSchemaError(
                f"Stored schema {stored.id} in context {stored.context} cannot be parsed: {exc}"
            ) from exc
        self._parsed[slot] = (stored, parsed)
        if len(self._parsed) > self._evict_at:
            self._evict()
        return parsed

    def _resolved(
        self, references: tuple[Reference, ...], context: str, *, depth: int
    ) -> list[ResolvedReference]:
        if depth > MAX_REFERENCE_DEPTH:
            raise InvalidSchemaError("Invalid schema: references nest too deeply or form a cycle")
        out = []
        for ref in references:
            subject = qualify_reference(ref.subject, context)
            target = self._state.versions(subject).get(ref.version)
            if target is None:
                raise InvalidSchemaError(
                    f'Invalid schema: no schema reference found for subject "{ref.subject}" '
                    f"and version {ref.version}"
                )
            parsed = self.parsed(target.schema, depth=depth + 1)
            out.append(ResolvedReference(ref.name, ref.subject, ref.version, parsed))
        return out

    def _evict(self) -> None:
        """Forget parses of schemas that left the state (hard deletes), amortised."""
        self._parsed = {
            slot: entry
            for slot, entry in self._parsed.items()
            if entry[0] is self._state.schema(*slot)
        }
        self._evict_at = 2 * len(self._parsed) + 1024


def _excerpt(text: str, limit: int = 200) -> str:
    return text if len(text) <= limit else text[:limit] + "..."
