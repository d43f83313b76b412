"""Fetching the schemas a schema references, depth first, each subject-version once."""

from __future__ import annotations

from collections.abc import Iterator

from serdes.client import RegistryClient, Schema, SchemaReference
from serdes.errors import SchemaError

#: Deepest chain of references followed; deeper chains are almost certainly cycles.
MAX_REFERENCE_DEPTH = 32


def referenced_schemas(
    schema: Schema, client: RegistryClient | None
) -> Iterator[tuple[SchemaReference, Schema]]:
    """Every schema `schema` references, dependencies before dependants, each once."""
    seen: set[tuple[str, int]] = set()

    def visit(
        refs: tuple[SchemaReference, ...], depth: int
    ) -> Iterator[tuple[SchemaReference, Schema]]:
        if depth > MAX_REFERENCE_DEPTH:
            raise SchemaError("schema references nest too deeply (a cycle?)")
        for ref in refs:
            if (ref.subject, ref.version) in seen:
                continue
            seen.add((ref.subject, ref.version))
            if client is None:
                raise SchemaError(f"reference {ref.name!r} needs a registry client to resolve")
            target = client.get_version(ref.subject, ref.version).schema
            yield from visit(target.references, depth + 1)
            yield ref, target

    yield from visit(schema.references, 0)
