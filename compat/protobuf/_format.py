"""The Protobuf plug-in: protoc parsing with imports from references, canonical text, views.

Syntax: proto2 and proto3. Editions (`edition = "2023"`) are refused with a clear message:
protoc reads them, but Confluent's registry and its clients do not, and a schema only some
clients can use does not belong in a shared registry.

Schema text may also be a base64 serialized `FileDescriptorProto`, as Confluent accepts; it
is printed as `.proto` text and then compiled like any other schema, so it gets the same
validation and the same canonical text.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from google.protobuf.descriptor_pb2 import FileDescriptorProto
from google.protobuf.message import DecodeError

from compat.errors import SchemaParseError, SchemaReferenceError
from compat.formats import ParsedSchema, ResolvedReference, reachable_references
from compat.protobuf._compile import (
    CompiledProto,
    ProtoCompileError,
    compile_proto,
    well_known_import,
)
from compat.protobuf._diff import COMPATIBLE, compare
from compat.protobuf._messages import confluent_message, finding
from compat.protobuf._render import NO_SPELLINGS, RenderMode, render, render_descriptor
from compat.protobuf._spelling import written_spellings
from compat.types import CompatibilityPolicy, Finding, SchemaType

#: The name the schema itself compiles under (it never appears in the canonical text).
SCHEMA_FILE_NAME = "schema.proto"

_BASE64 = re.compile(r"[A-Za-z0-9+/]+={0,2}")
_IMPORT_PATH = re.compile(r"[^\"\\\x00-\x1f]+")


@dataclass(frozen=True, slots=True)
class ParsedProtobuf:
    """A valid Protobuf schema: canonical text, references, and the compiled descriptors.

    Identity is the canonical text plus the references; the descriptors are derived from
    them and kept so that checks and the serdes never compile the schema again.
    """

    canonical: str
    references: tuple[ResolvedReference, ...]
    compiled: CompiledProto = field(compare=False, repr=False)

    @property
    def schema_type(self) -> SchemaType:
        """Always `SchemaType.PROTOBUF`."""
        return SchemaType.PROTOBUF

    @property
    def file(self) -> FileDescriptorProto:
        """The schema's own `FileDescriptorProto`."""
        return self.compiled.file


def imports_of(references: Sequence[ResolvedReference]) -> dict[str, str]:
    """Import path -> `.proto` text for every schema reachable through `references`.

    A referenced schema's own references are followed too, because protoc needs every file
    an import imports. One path naming two different texts is an error.
    """
    imports: dict[str, str] = {}
    for ref in reachable_references(references):
        schema = ref.schema
        if not isinstance(schema, ParsedProtobuf):
            raise SchemaReferenceError(
                f"Reference '{ref.name}' ({ref.subject} version {ref.version}) is a "
                f"{schema.schema_type.value} schema; a Protobuf schema can only import Protobuf"
            )
        known = imports.setdefault(ref.name, schema.canonical)
        if known != schema.canonical:
            raise SchemaReferenceError(
                f"Invalid schema: the import '{ref.name}' is given by references to two "
                f"different schemas (one is {ref.subject} version {ref.version})"
            )
    return imports


def _missing_import(error: ProtoCompileError, imports: dict[str, str]) -> str | None:
    for diagnostic in error.diagnostics:
        name = diagnostic.file
        if (
            diagnostic.message.startswith("File not found")
            and name not in imports
            and not well_known_import(name)
        ):
            return name
    return None


def _compile(text: str, imports: dict[str, str]) -> CompiledProto:
    name = SCHEMA_FILE_NAME
    while name in imports:
        name = "_" + name
    try:
        compiled = compile_proto(text, imports, name=name)
    except ProtoCompileError as exc:
        missing = _missing_import(exc, imports)
        if missing is not None:
            raise SchemaReferenceError(
                f'Invalid schema: the import "{missing}" was not found; declare it as a schema '
                f'reference named "{missing}" (only google/protobuf/*, google/type/* and '
                "confluent/* imports resolve without a reference)"
            ) from exc
        raise
    if compiled.file.syntax == "editions":
        raise SchemaParseError(
            "Invalid schema: Protobuf editions are not supported; "
            'use syntax = "proto3" or syntax = "proto2"'
        )
    return compiled


def _descriptor_text(text: str, imports: dict[str, str]) -> str | None:
    """The `.proto` text of a base64 serialized `FileDescriptorProto`; None if `text` is not one."""
    stripped = text.strip()
    if not _BASE64.fullmatch(stripped):
        return None
    try:
        file = FileDescriptorProto.FromString(base64.b64decode(stripped, validate=True))
    except (binascii.Error, DecodeError, ValueError):
        return None
    if not (file.message_type or file.enum_type or file.service or file.extension):
        return None
    if any(not _IMPORT_PATH.fullmatch(d) for d in file.dependency):
        raise SchemaParseError("Invalid schema: the serialized descriptor has a bad import path")
    dependencies: tuple[FileDescriptorProto, ...] = ()
    if file.dependency:
        stub = 'syntax = "proto3";\n' + "".join(f'import "{d}";\n' for d in file.dependency)
        dependencies = (*_compile(stub, imports).dependencies,)
    try:
        return render_descriptor(file, dependencies)
    except (IndexError, KeyError, TypeError, ValueError) as exc:
        raise SchemaParseError(f"Invalid schema: unusable serialized descriptor: {exc}") from exc


def backward_differences(reader: ParsedProtobuf, writer: ParsedProtobuf) -> list[Finding]:
    """The incompatible differences from `writer` (old) to `reader` (new), as findings."""
    return [
        finding(d.type, d.path)
        for d in compare(writer.compiled, reader.compiled)
        if d.type not in COMPATIBLE
    ]


@dataclass(frozen=True, slots=True)
class ProtobufFormat:
    """Protobuf for the registry: protoc's validation, Confluent's text and diff rules."""

    @property
    def schema_type(self) -> SchemaType:
        """Always `SchemaType.PROTOBUF`."""
        return SchemaType.PROTOBUF

    def parse(
        self,
        text: str,
        references: Sequence[ResolvedReference] = (),
        *,
        normalize: bool = False,
    ) -> ParsedProtobuf:
        """Compile `text` with each reference importable under its name; `SchemaParseError`.

        Errors carry protoc's `line:column` diagnostics; an import that is neither a
        reference nor well-known raises `SchemaReferenceError` naming it.
        """
        imports = imports_of(references)
        source = _descriptor_text(text, imports) or text
        try:
            compiled = _compile(source, imports)
            spellings = NO_SPELLINGS if normalize else written_spellings(source)
            canonical = render(compiled, RenderMode(normalize=normalize), spellings=spellings)
            if canonical != source:
                # Keep the descriptors of the text that is stored, so that a schema read back
                # from the log has exactly the descriptors it had when it was registered.
                compiled = _compile(canonical, imports)
        except RecursionError as exc:
            raise SchemaParseError("Invalid schema: the schema nests too deeply") from exc
        return ParsedProtobuf(canonical, tuple(references), compiled)

    def backward_findings(
        self,
        reader: ParsedSchema,
        writer: ParsedSchema,
        *,
        policy: CompatibilityPolicy = CompatibilityPolicy.STRICT,
    ) -> list[Finding]:
        """Why `reader` cannot read data written with `writer` (Confluent's rules); [] if it can.

        Protobuf has one rule set, so `policy` does not change the verdict. Schemas this
        plug-in did not parse are a caller's bug, raised as `TypeError`.
        """
        if not isinstance(reader, ParsedProtobuf) or not isinstance(writer, ParsedProtobuf):
            raise TypeError("only two schemas parsed by ProtobufFormat can be compared as Protobuf")
        return backward_differences(reader, writer)

    def confluent_message(self, finding: Finding, *, reader: str, writer: str) -> str:
        """Confluent's verbose-mode text for one finding."""
        return confluent_message(finding, reader=reader, writer=writer)

    def field_names(self, schema: ParsedSchema) -> frozenset[str]:
        """The fields of the file's first message (the one the wire format's `[0]` names)."""
        if isinstance(schema, ParsedProtobuf) and schema.file.message_type:
            return frozenset(f.name for f in schema.file.message_type[0].field)
        return frozenset()

    def render(self, schema: ParsedSchema, fmt: str) -> str | None:
        """`serialized` (base64 `FileDescriptorProto`) or `ignore_extensions`; None otherwise."""
        if not isinstance(schema, ParsedProtobuf):
            return None
        view = fmt.strip().lower()
        if view == "serialized":
            return base64.b64encode(schema.file.SerializeToString()).decode("ascii")
        if view == "ignore_extensions":
            return render(schema.compiled, RenderMode(ignore_extensions=True))
        return None
