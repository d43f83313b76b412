"""Test doubles for the serdes tests: a registry that can be switched off."""

from __future__ import annotations

from collections.abc import Mapping

from serdes.client import InMemoryRegistryClient, RegisteredSchema, Schema
from serdes.errors import RegistryUnavailableError


class Switchable:
    """An in-memory registry that raises `RegistryUnavailableError` while `down` is set."""

    def __init__(self) -> None:
        self.inner = InMemoryRegistryClient()
        self.down = False

    def _check(self) -> None:
        if self.down:
            raise RegistryUnavailableError("registry is down (test)")

    def get_schema(self, schema_id: int, *, subject: str | None = None) -> Schema:
        self._check()
        return self.inner.get_schema(schema_id, subject=subject)

    def get_schema_by_guid(self, guid: str) -> Schema:
        self._check()
        return self.inner.get_schema_by_guid(guid)

    def register_schema(
        self, subject: str, schema: Schema, *, normalize: bool = False
    ) -> RegisteredSchema:
        self._check()
        return self.inner.register_schema(subject, schema, normalize=normalize)

    def lookup_schema(
        self, subject: str, schema: Schema, *, normalize: bool = False
    ) -> RegisteredSchema:
        self._check()
        return self.inner.lookup_schema(subject, schema, normalize=normalize)

    def get_latest_version(self, subject: str) -> RegisteredSchema:
        self._check()
        return self.inner.get_latest_version(subject)

    def get_latest_with_metadata(
        self, subject: str, metadata: Mapping[str, str]
    ) -> RegisteredSchema:
        self._check()
        return self.inner.get_latest_with_metadata(subject, metadata)

    def get_version(self, subject: str, version: int) -> RegisteredSchema:
        self._check()
        return self.inner.get_version(subject, version)


def framed(data: bytes | None) -> bytes:
    """A serializer's output for a non-None value: never None, typed as bytes."""
    assert data is not None
    return data
