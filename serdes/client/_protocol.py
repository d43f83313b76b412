"""The registry operations the serializers need, as a small interface.

Both `HttpRegistryClient` and `InMemoryRegistryClient` implement it, and `CachedRegistryClient`
wraps either; users may supply their own (a fake in tests, a client for another registry).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

from serdes.client._model import RegisteredSchema, Schema


class RegistryClient(Protocol):
    """What a serializer or deserializer asks of a schema registry."""

    def get_schema(self, schema_id: int, *, subject: str | None = None) -> Schema:
        """The schema with this id; `UnknownSchemaIdError` when there is none."""

    def get_schema_by_guid(self, guid: str) -> Schema:
        """The schema with this GUID (8.x); `UnknownSchemaIdError` when there is none."""

    def register_schema(
        self, subject: str, schema: Schema, *, normalize: bool = False
    ) -> RegisteredSchema:
        """Register `schema` under `subject` (idempotent) and return its id."""

    def lookup_schema(
        self, subject: str, schema: Schema, *, normalize: bool = False
    ) -> RegisteredSchema:
        """The registration of `schema` under `subject`; `UnknownSubjectError` when absent."""

    def get_latest_version(self, subject: str) -> RegisteredSchema:
        """The newest live version of `subject`."""

    def get_latest_with_metadata(
        self, subject: str, metadata: Mapping[str, str]
    ) -> RegisteredSchema:
        """The newest version of `subject` whose metadata properties include `metadata`."""

    def get_version(self, subject: str, version: int) -> RegisteredSchema:
        """Version `version` of `subject` (soft-deleted versions included, as references need)."""
