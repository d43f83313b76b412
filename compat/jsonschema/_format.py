"""The JSON Schema plug-in: parsing with references, canonical text and the compatibility check."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin

from referencing import Registry, Resource
from referencing.exceptions import Unresolvable

from compat.errors import SchemaParseError, SchemaReferenceError
from compat.formats import ParsedSchema, ResolvedReference, reachable_references
from compat.jsonschema._diff import Difference, compare
from compat.jsonschema._load import Loader
from compat.jsonschema._messages import (
    STRICT_COMPATIBLE,
    compatible_set,
    confluent_message,
    finding,
)
from compat.jsonschema._model import Node
from compat.jsonschema._parse import DocumentError, canonical_text, read_document
from compat.types import CompatibilityPolicy, Finding, SchemaType


@dataclass(frozen=True, slots=True)
class ParsedJsonSchema:
    """A valid JSON Schema: canonical text, references, and the loaded graph for checks."""

    canonical: str
    references: tuple[ResolvedReference, ...]
    document: Any = field(compare=False, repr=False)
    root: Node = field(compare=False, repr=False)
    dialect: str = field(compare=False, default="draft-07")

    @property
    def schema_type(self) -> SchemaType:
        """Always `SchemaType.JSON`."""
        return SchemaType.JSON


def _referenced(references: Sequence[ResolvedReference]) -> list[tuple[str, Any]]:
    """Every (name, document) reachable through `references`."""
    out: list[tuple[str, Any]] = []
    for ref in reachable_references(references):
        if not isinstance(ref.schema, ParsedJsonSchema):
            raise SchemaReferenceError(
                f"Reference '{ref.name}' ({ref.subject} version {ref.version}) is a "
                f"{ref.schema.schema_type.value} schema; a JSON schema can only reference JSON"
            )
        out.append((ref.name, ref.schema.document))
    return out


def differences(original: ParsedJsonSchema, update: ParsedJsonSchema) -> list[Difference]:
    """Every difference from `original` (old) to `update` (new), compatible ones included."""
    return compare(original.root, update.root, STRICT_COMPATIBLE)


@dataclass(frozen=True, slots=True)
class JsonSchemaFormat:
    """JSON Schema for the registry: drafts 4 to 2020-12 and Confluent's diff rules."""

    @property
    def schema_type(self) -> SchemaType:
        """Always `SchemaType.JSON`."""
        return SchemaType.JSON

    def parse(
        self,
        text: str,
        references: Sequence[ResolvedReference] = (),
        *,
        normalize: bool = False,
    ) -> ParsedJsonSchema:
        """Parse and validate `text` with `references` available by name; never fetches URLs."""
        try:
            document, dialect = read_document(text)
        except DocumentError as exc:
            raise SchemaParseError(f"Invalid schema: {exc}") from exc
        base = ""
        if isinstance(document, dict) and isinstance(document.get("$id"), str):
            base = document["$id"]
        resources: list[tuple[str, Resource[Any]]] = []
        for name, doc in _referenced(references):
            resource = Resource.from_contents(doc, default_specification=dialect.spec)
            resources.append((name, resource))
            if base:
                resources.append((urljoin(base, name), resource))
        root = Resource.from_contents(document, default_specification=dialect.spec)
        try:
            registry: Registry[Any] = Registry().with_resources([*resources, (base, root)])
            registry = registry.crawl()
            resolver = registry.resolver(base_uri=base)
            node = Loader(dialect.spec, dialect.name == "draft-04", dialect.name == "2020-12").load(
                document, resolver
            )
        except Unresolvable as exc:
            raise SchemaReferenceError(f"Invalid schema: cannot resolve {exc}") from exc
        except RecursionError as exc:
            raise SchemaParseError("Invalid schema: the schema nests too deeply") from exc
        return ParsedJsonSchema(
            canonical_text(document, normalize=normalize),
            tuple(references),
            document,
            node,
            dialect.name,
        )

    def backward_findings(
        self,
        reader: ParsedSchema,
        writer: ParsedSchema,
        *,
        policy: CompatibilityPolicy = CompatibilityPolicy.STRICT,
    ) -> list[Finding]:
        """The incompatible differences from `writer` (old) to `reader` (new); [] if none.

        Schemas this plug-in did not parse are a caller's bug, raised as `TypeError`.
        """
        if not isinstance(reader, ParsedJsonSchema) or not isinstance(writer, ParsedJsonSchema):
            raise TypeError("only two schemas parsed by JsonSchemaFormat can be compared as JSON")
        allowed = compatible_set(policy)
        found = compare(writer.root, reader.root, allowed)
        return [finding(d.type, d.path) for d in found if d.type not in allowed]

    def confluent_message(self, finding: Finding, *, reader: str, writer: str) -> str:
        """`{errorType:"…", description:"…'}` as Confluent words it."""
        return confluent_message(finding, reader=reader, writer=writer)

    def field_names(self, schema: ParsedSchema) -> frozenset[str]:
        """The root object's `properties`."""
        if isinstance(schema, ParsedJsonSchema) and isinstance(schema.document, dict):
            properties = schema.document.get("properties")
            if isinstance(properties, dict):
                return frozenset(properties)
        return frozenset()

    def render(self, schema: ParsedSchema, fmt: str) -> str | None:
        """JSON Schema has no alternative views."""
        return None
