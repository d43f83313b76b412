"""An in-memory registry for users' tests: no server, no network, deterministic ids.

Identity is the exact schema text, type, references, metadata and rule set (no canonical
form): registering the same text twice returns the same id, as the real registry does for
identical text. It counts calls per method so tests can assert on registry traffic.
"""

from __future__ import annotations

import threading
import uuid
from collections import Counter
from collections.abc import Mapping

from serdes.client._model import RegisteredSchema, Schema
from serdes.errors import UnknownSchemaIdError, UnknownSubjectError


def _not_found(message: str, code: int) -> UnknownSubjectError:
    return UnknownSubjectError(message, status=404, error_code=code)


class InMemoryRegistryClient:
    """A `RegistryClient` backed by dicts; thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_id: dict[int, Schema] = {}
        self._ids: dict[tuple[object, ...], int] = {}
        self._subjects: dict[str, list[RegisteredSchema]] = {}
        self._calls: Counter[str] = Counter()

    @property
    def calls(self) -> Mapping[str, int]:
        """How many times each method was called (a snapshot)."""
        with self._lock:
            return dict(self._calls)

    @property
    def total_calls(self) -> int:
        """How many calls were made in all."""
        with self._lock:
            return sum(self._calls.values())

    @staticmethod
    def guid_of(schema_id: int) -> str:
        """The GUID this client gives the schema with `schema_id` (stable, derived from it)."""
        return str(uuid.UUID(int=schema_id))

    def get_schema(self, schema_id: int, *, subject: str | None = None) -> Schema:
        """The schema with this id."""
        with self._lock:
            self._calls["get_schema"] += 1
            try:
                return self._by_id[schema_id]
            except KeyError:
                raise UnknownSchemaIdError(
                    f"Schema {schema_id} not found", status=404, error_code=40403
                ) from None

    def get_schema_by_guid(self, guid: str) -> Schema:
        """The schema with this GUID."""
        with self._lock:
            self._calls["get_schema_by_guid"] += 1
            found = self._by_id.get(uuid.UUID(guid).int)
        if found is None:
            raise UnknownSchemaIdError(f"Schema {guid} not found", status=404, error_code=40403)
        return found

    def register_schema(
        self, subject: str, schema: Schema, *, normalize: bool = False
    ) -> RegisteredSchema:
        """Register `schema` under `subject`; the same schema again returns its registration."""
        with self._lock:
            self._calls["register_schema"] += 1
            key = schema.identity()
            schema_id = self._ids.get(key)
            if schema_id is None:
                schema_id = len(self._by_id) + 1
                self._ids[key] = schema_id
                self._by_id[schema_id] = schema
            versions = self._subjects.setdefault(subject, [])
            for existing in versions:
                if existing.schema_id == schema_id:
                    return existing
            registered = RegisteredSchema(
                schema_id, schema, subject, len(versions) + 1, self.guid_of(schema_id)
            )
            versions.append(registered)
            return registered

    def lookup_schema(
        self, subject: str, schema: Schema, *, normalize: bool = False
    ) -> RegisteredSchema:
        """The registration of `schema` under `subject`."""
        with self._lock:
            self._calls["lookup_schema"] += 1
            versions = self._subjects.get(subject)
            if versions is None:
                raise _not_found(f"Subject '{subject}' not found.", 40401)
            schema_id = self._ids.get(schema.identity())
            for existing in versions:
                if existing.schema_id == schema_id:
                    return existing
            raise _not_found("Schema not found", 40403)

    def get_latest_version(self, subject: str) -> RegisteredSchema:
        """The newest version of `subject`."""
        with self._lock:
            self._calls["get_latest_version"] += 1
            versions = self._subjects.get(subject)
            if not versions:
                raise _not_found(f"Subject '{subject}' not found.", 40401)
            return versions[-1]

    def get_latest_with_metadata(
        self, subject: str, metadata: Mapping[str, str]
    ) -> RegisteredSchema:
        """The newest version of `subject` whose metadata properties include `metadata`."""
        with self._lock:
            self._calls["get_latest_with_metadata"] += 1
            for registered in reversed(self._subjects.get(subject, [])):
                properties = (registered.schema.metadata or {}).get("properties") or {}
                if all(properties.get(k) == v for k, v in metadata.items()):
                    return registered
            raise _not_found(f"No version of '{subject}' has metadata {dict(metadata)}", 40403)

    def get_version(self, subject: str, version: int) -> RegisteredSchema:
        """Version `version` of `subject`."""
        with self._lock:
            self._calls["get_version"] += 1
            versions = self._subjects.get(subject)
            if not versions:
                raise _not_found(f"Subject '{subject}' not found.", 40401)
            if not 1 <= version <= len(versions):
                raise _not_found(f"Version {version} not found.", 40402)
            return versions[version - 1]
