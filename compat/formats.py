"""The per-format plug-in interface: what the registry needs from a schema language.

A format parses schema text (with its resolved references) into a `ParsedSchema`, produces
the canonical text the registry stores and hashes, compares two parsed schemas as reader and
writer, and renders Confluent's verbose message for each finding. JSON Schema and Protobuf
plug in by implementing `SchemaFormat`; the registry never looks inside a parsed schema.
`Formats` is the set of plug-ins a process uses; `default_formats()` gives every built-in one.

Checks call a plug-in's `backward_findings` through `safe_backward_findings`, the one place
where a comparison that fails inside (a bug, a `RecursionError`) is logged with its stack and
turned into a `CHECK_FAILED` finding, which means "no verdict", not "incompatible". Plug-ins
therefore need no catch-all of their own, and a third-party plug-in gets the same guarantee
as the built-in ones.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from compat.errors import UnsupportedSchemaTypeError
from compat.types import CHECK_FAILED, CompatibilityPolicy, Finding, SchemaType

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ResolvedReference:
    """A reference whose target has been found and parsed (with its own references)."""

    name: str
    subject: str
    version: int
    schema: ParsedSchema


class ParsedSchema(Protocol):
    """A schema after parsing and validation; immutable and cheap to keep."""

    @property
    def schema_type(self) -> SchemaType:
        """The schema language."""

    @property
    def canonical(self) -> str:
        """The canonical text: what the registry stores, returns and hashes."""

    @property
    def references(self) -> Sequence[ResolvedReference]:
        """The resolved references this schema was parsed with."""


class SchemaFormat(Protocol):
    """A schema language plug-in."""

    @property
    def schema_type(self) -> SchemaType:
        """The schema language this plug-in handles."""

    def parse(
        self,
        text: str,
        references: Sequence[ResolvedReference] = (),
        *,
        normalize: bool = False,
    ) -> ParsedSchema:
        """Parse and validate `text`; raise `SchemaParseError` with a message a person can act on.

        With `normalize`, the canonical text is the normalised form, so that equivalent
        schemas written differently get the same identity.
        """

    def backward_findings(
        self,
        reader: ParsedSchema,
        writer: ParsedSchema,
        *,
        policy: CompatibilityPolicy = CompatibilityPolicy.STRICT,
    ) -> list[Finding]:
        """Why `reader` cannot read data written with `writer`; empty when it can.

        Incompatibilities are findings, never exceptions. An exception means the comparison
        itself failed (a bug); callers go through `safe_backward_findings`, which reports it
        as an error. `policy` selects the set of differences that count as compatible where
        the format has more than one.
        """

    def confluent_message(self, finding: Finding, *, reader: str, writer: str) -> str:
        """Confluent's verbose-mode text for one finding, with the given role words."""

    def field_names(self, schema: ParsedSchema) -> frozenset[str]:
        """The names of the schema's top-level fields (a record's fields, an object's
        properties, the first message's fields): what reserved field names must not reuse."""

    def render(self, schema: ParsedSchema, fmt: str) -> str | None:
        """The schema text for a `format=` query value, or None when the format has no such view."""


def safe_backward_findings(
    fmt: SchemaFormat,
    reader: ParsedSchema,
    writer: ParsedSchema,
    *,
    policy: CompatibilityPolicy = CompatibilityPolicy.STRICT,
) -> list[Finding]:
    """`fmt.backward_findings(reader, writer)`, never raising.

    A comparison that raises has not reached a verdict, so reporting it as an incompatibility
    would be a silent lie (a registration refused with 409 for a bug in the checker). The
    exception is logged here with its stack and returned as the single `CHECK_FAILED`
    finding, which `compat.levels` and the command line answer as an error.
    """
    try:
        return fmt.backward_findings(reader, writer, policy=policy)
    except Exception as exc:  # every failure, whatever the plug-in: the contract is to report
        logger.exception(
            "The %s compatibility check failed inside; reporting it as an error, not a verdict",
            fmt.schema_type.value,
        )
        return [_check_failed(exc)]


def _check_failed(exc: BaseException) -> Finding:
    """The `CHECK_FAILED` finding for a comparison that raised `exc`.

    The description names only the exception's type, because it is shown to API clients;
    the message and the stack are in the log.
    """
    name = type(exc).__name__
    return Finding(
        CHECK_FAILED,
        "/",
        detail=f"{name}: {exc}",
        description=(
            f"The compatibility check could not be completed: an internal error ({name}) "
            "occurred while comparing the schemas",
        ),
    )


def reachable_references(references: Sequence[ResolvedReference]) -> list[ResolvedReference]:
    """`references` and, transitively, theirs: breadth first, each (name, subject, version) once.

    Formats that resolve by name (JSON Schema `$ref`s, Protobuf imports) need every schema a
    reference itself depends on in scope, not only the direct ones.
    """
    out: list[ResolvedReference] = []
    seen: set[tuple[str, str, int]] = set()
    pending = list(references)
    while pending:
        ref = pending.pop(0)
        key = (ref.name, ref.subject, ref.version)
        if key in seen:
            continue
        seen.add(key)
        out.append(ref)
        pending.extend(ref.schema.references)
    return out


class Formats:
    """An immutable lookup from schema type to its plug-in."""

    __slots__ = ("_by_type",)

    def __init__(self, formats: Iterable[SchemaFormat]) -> None:
        self._by_type: Mapping[SchemaType, SchemaFormat] = {f.schema_type: f for f in formats}

    def get(self, schema_type: SchemaType) -> SchemaFormat:
        """The plug-in for `schema_type`; raises `UnsupportedSchemaTypeError` when absent."""
        try:
            return self._by_type[schema_type]
        except KeyError:
            raise UnsupportedSchemaTypeError(
                f"Schema type {schema_type.value} is not supported by this registry yet"
            ) from None

    @property
    def supported(self) -> tuple[SchemaType, ...]:
        """The schema types with a plug-in, in a stable order."""
        return tuple(t for t in SchemaType if t in self._by_type)


def default_formats() -> Formats:
    """Every schema format built into Cairn: Avro, JSON Schema and Protobuf.

    The plug-ins are imported here rather than at the top because each of them imports this
    module for the interface it implements.
    """
    from compat.avro import AvroFormat  # noqa: PLC0415
    from compat.jsonschema import JsonSchemaFormat  # noqa: PLC0415
    from compat.protobuf import ProtobufFormat  # noqa: PLC0415

    return Formats([AvroFormat(), JsonSchemaFormat(), ProtobufFormat()])
