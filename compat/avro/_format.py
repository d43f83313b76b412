"""The Avro plug-in: parsing with references, canonical text, and the compatibility check."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType

from compat.avro._canonical import normalized_json, to_text
from compat.avro._checker import check
from compat.avro._jsontext import load
from compat.avro._messages import confluent_message
from compat.avro._model import AvroNode, NamedNode, RecordNode
from compat.avro._parse import build_schema
from compat.errors import SchemaParseError, SchemaReferenceError
from compat.formats import ParsedSchema, ResolvedReference
from compat.types import CompatibilityPolicy, Finding, SchemaType


@dataclass(frozen=True, slots=True)
class ParsedAvroSchema:
    """A valid Avro schema: its canonical text, its references and the graph the checker uses.

    Identity is the canonical text plus the references; the graph is derived from them and is
    kept only so the schema is parsed once however often it is checked.
    """

    canonical: str
    references: tuple[ResolvedReference, ...]
    root: AvroNode = field(compare=False, repr=False)
    #: Named types this text defines (not those of its references), by full name.
    defined: Mapping[str, NamedNode] = field(compare=False, repr=False)
    #: The `format=resolved` text: referenced named types written out where first used.
    resolved: str = field(compare=False, repr=False)

    @property
    def schema_type(self) -> SchemaType:
        """Always `SchemaType.AVRO`."""
        return SchemaType.AVRO


def _scope(references: Sequence[ResolvedReference]) -> tuple[dict[str, NamedNode], list[str]]:
    """The named types the references bring into scope, and their top-level names.

    Referenced schemas are visited depth first, dependencies before dependants, each
    subject-version once. Two different references defining one name is an error, as
    redefining a name is in Avro.
    """
    known: dict[str, NamedNode] = {}
    tops: list[str] = []
    seen: set[tuple[str, int]] = set()

    def visit(ref: ResolvedReference) -> None:
        if (ref.subject, ref.version) in seen:
            return
        seen.add((ref.subject, ref.version))
        schema = ref.schema
        if not isinstance(schema, ParsedAvroSchema):
            raise SchemaReferenceError(
                f"Reference '{ref.name}' ({ref.subject} version {ref.version}) is a "
                f"{schema.schema_type.value} schema; an Avro schema can only reference Avro"
            )
        for inner in schema.references:
            visit(inner)
        for name, node in schema.defined.items():
            if known.get(name, node) is not node:
                raise SchemaReferenceError(
                    f"The type '{name}' is defined by more than one reference "
                    f"(again by '{ref.name}', {ref.subject} version {ref.version})"
                )
            known[name] = node
        if isinstance(schema.root, NamedNode):
            tops.append(schema.root.fullname)

    for ref in references:
        visit(ref)
    return known, tops


@dataclass(frozen=True, slots=True)
class AvroFormat:
    """Avro for the registry: Avro Java's parser rules, canonical form and checker."""

    @property
    def schema_type(self) -> SchemaType:
        """Always `SchemaType.AVRO`."""
        return SchemaType.AVRO

    def parse(
        self,
        text: str,
        references: Sequence[ResolvedReference] = (),
        *,
        normalize: bool = False,
    ) -> ParsedAvroSchema:
        """Parse and validate `text` with `references` in scope; `SchemaParseError` if invalid.

        With `normalize`, the canonical text is Confluent's normal form of the schema.
        """
        try:
            known, tops = _scope(references)
            result = build_schema(load(text), known)
            canonical = to_text(result.root, tops)
            resolved = to_text(result.root) if references else canonical
            if normalize:
                return self.parse(normalized_json(result.root, known), references)
        except RecursionError as exc:
            raise SchemaParseError("Invalid schema: the schema nests too deeply") from exc
        return ParsedAvroSchema(
            canonical,
            tuple(references),
            result.root,
            MappingProxyType(dict(result.defined)),
            resolved,
        )

    def backward_findings(
        self,
        reader: ParsedSchema,
        writer: ParsedSchema,
        *,
        policy: CompatibilityPolicy = CompatibilityPolicy.STRICT,
    ) -> list[Finding]:
        """Why `reader` cannot read data written with `writer` (Avro's checker); [] if it can.

        Avro has one rule set, so `policy` does not change the verdict. Schemas this plug-in
        did not parse are a caller's bug, raised as `TypeError`.
        """
        if not isinstance(reader, ParsedAvroSchema) or not isinstance(writer, ParsedAvroSchema):
            raise TypeError("only two Avro schemas parsed by AvroFormat can be compared as Avro")
        return check(reader.root, writer.root)

    def confluent_message(self, finding: Finding, *, reader: str, writer: str) -> str:
        """`{errorType:'…', description:'…', additionalInfo:'…'}` as Confluent words it."""
        return confluent_message(finding, reader=reader, writer=writer)

    def field_names(self, schema: ParsedSchema) -> frozenset[str]:
        """The fields of a record schema; none for any other type."""
        if isinstance(schema, ParsedAvroSchema) and isinstance(schema.root, RecordNode):
            return frozenset(f.name for f in schema.root.fields)
        return frozenset()

    def render(self, schema: ParsedSchema, fmt: str) -> str | None:
        """`resolved`: the schema with referenced named types written out; None otherwise."""
        if fmt.strip().lower() == "resolved" and isinstance(schema, ParsedAvroSchema):
            return schema.resolved
        return None
