"""Schemas read from local files: the type from the extension, references from other files.

A reference is given as `NAME=PATH[@SUBJECT:VERSION]` (`--reference`): NAME is how the schema
refers to it (an Avro full name, a JSON Schema `$ref` URL, a Protobuf import path), PATH the file
that holds it. Against a registry only `NAME=@SUBJECT:VERSION` matters, since the registry
resolves references from its own store; offline, PATH is parsed and the subject and version
default to NAME and 1. References are parsed in the order given, each with the earlier ones
available, so a chain of references is given innermost first.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from cli.errors import InputError
from cli.parse_errors import explain
from compat.errors import CompatError
from compat.formats import Formats, ParsedSchema, ResolvedReference
from compat.types import SchemaType

EXTENSIONS: dict[str, SchemaType] = {
    ".avsc": SchemaType.AVRO,
    ".avro": SchemaType.AVRO,
    ".json": SchemaType.JSON,
    ".proto": SchemaType.PROTOBUF,
}
TYPE_NAMES: dict[str, SchemaType] = {
    "avro": SchemaType.AVRO,
    "json": SchemaType.JSON,
    "jsonschema": SchemaType.JSON,
    "protobuf": SchemaType.PROTOBUF,
    "proto": SchemaType.PROTOBUF,
}


@dataclass(frozen=True, slots=True)
class ReferenceSpec:
    """One `--reference NAME=PATH[@SUBJECT:VERSION]` as given on the command line."""

    name: str
    path: Path | None
    subject: str | None
    version: int | None

    @classmethod
    def parse(cls, text: str) -> ReferenceSpec:
        """Parse the option value; a `InputError` says what the syntax is."""
        name, sep, rest = text.partition("=")
        if not sep or not name:
            raise InputError(
                f"Reference {text!r} must look like NAME=PATH, NAME=PATH@SUBJECT:VERSION "
                "or NAME=@SUBJECT:VERSION"
            )
        path_text, at, coordinates = rest.rpartition("@") if "@" in rest else (rest, "", "")
        subject: str | None = None
        version: int | None = None
        if at:
            subject, colon, version_text = coordinates.rpartition(":")
            if not colon or not subject:
                raise InputError(
                    f"Reference {text!r}: after '@' give SUBJECT:VERSION (VERSION a number "
                    "or -1 for the latest)"
                )
            try:
                version = int(version_text)
            except ValueError:
                raise InputError(
                    f"Reference {text!r}: version {version_text!r} is not a number"
                ) from None
        return cls(name, Path(path_text) if path_text else None, subject, version)

    def to_registry(self) -> dict[str, object]:
        """The reference as the REST API takes it; the registry resolves it itself."""
        if self.subject is None or self.version is None:
            raise InputError(
                f"Reference {self.name!r} needs a subject and version for the registry: "
                f"--reference {self.name}=@SUBJECT:VERSION"
            )
        return {"name": self.name, "subject": self.subject, "version": self.version}


def schema_type_for(path: Path, explicit: SchemaType | None) -> SchemaType:
    """The schema type: `explicit` if given, else from the file's extension."""
    if explicit is not None:
        return explicit
    found = EXTENSIONS.get(path.suffix.lower())
    if found is None:
        raise InputError(
            f"Cannot tell the schema type of {path} from its extension; use --type "
            "AVRO, JSON or PROTOBUF (or name it .avsc, .json or .proto)"
        )
    return found


def read_text(path: Path) -> str:
    """The file's text, or a `InputError` naming the file."""
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"Cannot read {path}: {exc}") from exc


@dataclass(frozen=True, slots=True)
class SchemaLoader:
    """Parses local schema files with the formats this build supports."""

    formats: Formats

    def parse_text(
        self,
        text: str,
        schema_type: SchemaType,
        *,
        origin: str,
        references: Sequence[ResolvedReference] = (),
    ) -> ParsedSchema:
        """Parse `text`; invalid schemas and unsupported types become `InputError`.

        The error names `origin` (the file) where the parser named its own file, and says
        how to supply a reference it could not find.
        """
        try:
            return self.formats.get(schema_type).parse(text, references)
        except CompatError as exc:
            reason = explain(str(exc), origin)
            raise InputError(
                f"{origin} is not a valid {schema_type.value} schema: {reason}"
            ) from exc

    def references(
        self, specs: Sequence[ReferenceSpec], explicit: SchemaType | None
    ) -> tuple[ResolvedReference, ...]:
        """Parse the reference files in order, each with the earlier ones available."""
        resolved: list[ResolvedReference] = []
        for spec in specs:
            if spec.path is None:
                raise InputError(
                    f"Reference {spec.name!r} needs a file for an offline check: "
                    f"--reference {spec.name}=PATH"
                )
            schema_type = schema_type_for(spec.path, explicit)
            parsed = self.parse_text(
                read_text(spec.path), schema_type, origin=str(spec.path), references=resolved
            )
            resolved.append(
                ResolvedReference(
                    name=spec.name,
                    subject=spec.subject or spec.name,
                    version=spec.version if spec.version and spec.version > 0 else 1,
                    schema=parsed,
                )
            )
        return tuple(resolved)

    def load(
        self,
        path: Path,
        explicit: SchemaType | None,
        references: Sequence[ResolvedReference] = (),
    ) -> ParsedSchema:
        """Read and parse one schema file."""
        return self.parse_text(
            read_text(path),
            schema_type_for(path, explicit),
            origin=str(path),
            references=references,
        )
