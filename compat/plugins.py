"""The set of schema-format plug-ins a process uses, looked up by schema type."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from compat.errors import UnsupportedSchemaTypeError
from compat.formats import SchemaFormat
from compat.types import SchemaType


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
