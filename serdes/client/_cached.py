"""A caching layer over any registry client: each answer is fetched once per client.

Ids and GUIDs name immutable content, so they are cached for the life of the client; so are
registrations and lookups per (subject, schema, normalize) and concrete versions. The
"latest" answers can change, so they are cached for `latest_ttl_s` (forever when None, as
confluent-kafka does by default). Errors are never cached.

A hit takes no lock, so records whose schemas are cached keep flowing while the registry is
down; a miss fetches under a lock, so concurrent misses for one key cause one request.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable, Mapping
from typing import TypeVar

from serdes.client._model import RegisteredSchema, Schema
from serdes.client._protocol import RegistryClient

T = TypeVar("T")


class CachedRegistryClient:
    """A `RegistryClient` that asks `inner` at most once per question (latest: once per TTL)."""

    def __init__(
        self,
        inner: RegistryClient,
        *,
        latest_ttl_s: float | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._inner = inner
        self._latest_ttl_s = latest_ttl_s
        self._clock = clock
        self._lock = threading.Lock()
        self._schemas: dict[Hashable, Schema] = {}
        self._registered: dict[Hashable, RegisteredSchema] = {}
        self._latest: dict[Hashable, tuple[float, RegisteredSchema]] = {}

    @property
    def inner(self) -> RegistryClient:
        """The client this one caches for."""
        return self._inner

    def _once(self, cache: dict[Hashable, T], key: Hashable, fetch: Callable[[], T]) -> T:
        found = cache.get(key)
        if found is not None:
            return found
        with self._lock:
            found = cache.get(key)
            if found is None:
                found = fetch()
                cache[key] = found
            return found

    def _fresh(self, key: Hashable, fetch: Callable[[], RegisteredSchema]) -> RegisteredSchema:
        now = self._clock()
        found = self._latest.get(key)
        if found is not None and (
            self._latest_ttl_s is None or now - found[0] < self._latest_ttl_s
        ):
            return found[1]
        with self._lock:
            found = self._latest.get(key)
            if found is not None and (
                self._latest_ttl_s is None or now - found[0] < self._latest_ttl_s
            ):
                return found[1]
            registered = fetch()
            self._latest[key] = (self._clock(), registered)
            return registered

    def get_schema(self, schema_id: int, *, subject: str | None = None) -> Schema:
        """The schema with this id, fetched once."""
        return self._schemas.get(schema_id) or self._once(
            self._schemas, schema_id, lambda: self._inner.get_schema(schema_id, subject=subject)
        )

    def get_schema_by_guid(self, guid: str) -> Schema:
        """The schema with this GUID, fetched once."""
        return self._once(
            self._schemas, ("guid", guid.lower()), lambda: self._inner.get_schema_by_guid(guid)
        )

    def register_schema(
        self, subject: str, schema: Schema, *, normalize: bool = False
    ) -> RegisteredSchema:
        """Register once per (subject, schema, normalize); later calls answer from the cache."""
        key = ("registered", subject, schema.identity(), normalize)
        registered = self._once(
            self._registered,
            key,
            lambda: self._inner.register_schema(subject, schema, normalize=normalize),
        )
        # A registered schema is also found by a lookup, and its id names its text.
        self._registered.setdefault(("lookup", subject, schema.identity(), normalize), registered)
        self._schemas.setdefault(registered.schema_id, registered.schema)
        return registered

    def lookup_schema(
        self, subject: str, schema: Schema, *, normalize: bool = False
    ) -> RegisteredSchema:
        """Look up once per (subject, schema, normalize)."""
        registered = self._once(
            self._registered,
            ("lookup", subject, schema.identity(), normalize),
            lambda: self._inner.lookup_schema(subject, schema, normalize=normalize),
        )
        self._schemas.setdefault(registered.schema_id, registered.schema)
        return registered

    def get_latest_version(self, subject: str) -> RegisteredSchema:
        """The newest version of `subject`, refreshed after `latest_ttl_s`."""
        return self._fresh(("latest", subject), lambda: self._inner.get_latest_version(subject))

    def get_latest_with_metadata(
        self, subject: str, metadata: Mapping[str, str]
    ) -> RegisteredSchema:
        """The newest version matching `metadata`, refreshed after `latest_ttl_s`."""
        key = ("metadata", subject, tuple(sorted(metadata.items())))
        return self._fresh(key, lambda: self._inner.get_latest_with_metadata(subject, metadata))

    def get_version(self, subject: str, version: int) -> RegisteredSchema:
        """Version `version` of `subject`, fetched once."""
        return self._once(
            self._registered,
            ("version", subject, version),
            lambda: self._inner.get_version(subject, version),
        )
