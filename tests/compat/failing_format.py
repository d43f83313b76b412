"""A schema format plug-in whose comparison fails inside, as a bug in a plug-in would.

It is Avro in every other respect (parsing, canonical text, messages), so the registry and the
command line can register and fetch schemas with it; only `backward_findings` raises. Tests of
the "never raises" contract inject it through `Formats` instead of patching the real plug-ins.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from compat.avro import AvroFormat
from compat.formats import Formats, ParsedSchema, ResolvedReference
from compat.types import CompatibilityPolicy, Finding, SchemaType

#: The message of the exception the comparison raises, to find it in logs and answers.
FAILURE_MESSAGE = "comparison exploded"


def _compare_deeply(reader: ParsedSchema, writer: ParsedSchema) -> list[Finding]:
    """Where the failure happens: a frame below `backward_findings`, for the logged stack."""
    raise RuntimeError(f"{FAILURE_MESSAGE}: {reader.canonical} vs {writer.canonical}")


@dataclass(frozen=True, slots=True)
class FailingFormat:
    """Avro, except that every comparison raises `RuntimeError`."""

    inner: AvroFormat = field(default_factory=AvroFormat)

    @property
    def schema_type(self) -> SchemaType:
        """Avro's type, so that it replaces the Avro plug-in."""
        return SchemaType.AVRO

    def parse(
        self,
        text: str,
        references: Sequence[ResolvedReference] = (),
        *,
        normalize: bool = False,
    ) -> ParsedSchema:
        """Avro's parse."""
        return self.inner.parse(text, references, normalize=normalize)

    def backward_findings(
        self,
        reader: ParsedSchema,
        writer: ParsedSchema,
        *,
        policy: CompatibilityPolicy = CompatibilityPolicy.STRICT,
    ) -> list[Finding]:
        """Always raises, from one frame down."""
        return _compare_deeply(reader, writer)

    def confluent_message(self, finding: Finding, *, reader: str, writer: str) -> str:
        """Avro's messages."""
        return self.inner.confluent_message(finding, reader=reader, writer=writer)

    def field_names(self, schema: ParsedSchema) -> frozenset[str]:
        """Avro's field names."""
        return self.inner.field_names(schema)

    def render(self, schema: ParsedSchema, fmt: str) -> str | None:
        """Avro's views."""
        return self.inner.render(schema, fmt)


def failing_formats() -> Formats:
    """The plug-ins of a process whose Avro comparisons all fail inside."""
    return Formats([FailingFormat()])
