"""Schemas fetched from a registry and parsed locally, references included.

Used where the CLI runs the compatibility engine itself on registered versions: `cairn diff
--subject` and `cairn check --subject … --level` (a what-if check at another level).
"""

from __future__ import annotations

from collections.abc import Sequence

from cli.errors import RegistryRefusedError
from cli.rest_client import RegistryRestClient, as_list, as_object, segment
from cli.schema_files import ReferenceSpec, SchemaLoader
from compat.formats import ParsedSchema, ResolvedReference
from compat.types import SchemaType


def fetch_references(
    loader: SchemaLoader, client: RegistryRestClient, raw: object
) -> list[ResolvedReference]:
    """Resolve a `references` list (`{name, subject, version}` items) through the registry."""
    resolved: list[ResolvedReference] = []
    for item in raw if isinstance(raw, list) else []:
        ref = as_object(item, "a reference")
        subject, version = str(ref.get("subject")), str(ref.get("version"))
        schema, number = fetch_version(loader, client, subject, version)
        resolved.append(
            ResolvedReference(
                name=str(ref.get("name")), subject=subject, version=number, schema=schema
            )
        )
    return resolved


def fetch_version(
    loader: SchemaLoader, client: RegistryRestClient, subject: str, version: str
) -> tuple[ParsedSchema, int]:
    """One registered version (soft-deleted ones too), parsed, and its version number."""
    path = f"/subjects/{segment(subject)}/versions/{segment(version)}"
    entity = as_object(client.get(path, {"deleted": True}), "the schema")
    references = fetch_references(loader, client, entity.get("references"))
    parsed = loader.parse_text(
        str(entity.get("schema", "")),
        SchemaType(str(entity.get("schemaType", "AVRO"))),
        origin=f"{subject} version {version}",
        references=references,
    )
    return parsed, int(str(entity.get("version", version)))


def live_versions(
    loader: SchemaLoader, client: RegistryRestClient, subject: str
) -> list[tuple[int, ParsedSchema]]:
    """Every live version of `subject`, oldest first; empty for an unknown subject."""
    try:
        numbers = as_list(client.get(f"/subjects/{segment(subject)}/versions"), "versions")
    except RegistryRefusedError as exc:
        if exc.error_code == 40401:
            return []
        raise
    out: list[tuple[int, ParsedSchema]] = []
    for number in numbers:
        parsed, version = fetch_version(loader, client, subject, str(number))
        out.append((version, parsed))
    return out


def registry_references(
    loader: SchemaLoader, client: RegistryRestClient, specs: Sequence[ReferenceSpec]
) -> list[ResolvedReference]:
    """References given on the command line, resolved through the registry."""
    return fetch_references(loader, client, [spec.to_registry() for spec in specs])
