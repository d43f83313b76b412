"""Fetching the schemas a schema references, depth first, each subject-version once."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import TypeVar

from compat.formats import ResolvedReference
from serdes.client import RegistryClient, Schema, SchemaReference
from serdes.errors import SchemaError

P = TypeVar("P")

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


def parse_with_references(
    parse: Callable[[str, Sequence[ResolvedReference]], P],
    schema: Schema,
    client: RegistryClient | None,
) -> tuple[P, list[tuple[SchemaReference, Schema, P]]]:
    """`schema` parsed by a format plug-in's `parse`, with its references fetched and parsed
    first (dependencies before dependants); also each reference, its schema and parse.

    Raises what `parse` raises (`compat.errors.CompatError`) and `SchemaError` for
    references that cannot be fetched.
    """
    parsed: dict[tuple[str, int], P] = {}

    def resolved(refs: tuple[SchemaReference, ...]) -> list[ResolvedReference]:
        return [
            ResolvedReference(r.name, r.subject, r.version, parsed[(r.subject, r.version)])  # type: ignore[arg-type]
            for r in refs
        ]

    chain: list[tuple[SchemaReference, Schema, P]] = []
    for ref, target in referenced_schemas(schema, client):
        result = parse(target.schema_str, resolved(target.references))
        parsed[(ref.subject, ref.version)] = result
        chain.append((ref, target, result))
    return parse(schema.schema_str, resolved(schema.references)), chain
