"""A caching layer over any registry client: each answer is fetched once per client.

Ids and GUIDs name immutable content, so they are cached for the life of the client; so are
registrations and lookups per (subject, schema, normalize) and concrete versions. The
"latest" answers can change, so they are cached for `latest_ttl_s` (forever when None, as
confluent-kafka does by default). Errors are never cached.

A hit takes no lock, so records whose schemas are cached keep flowing while the registry is
down. A miss locks only its own key (`serdes._once`): concurrent misses of one key cause one
request, while a slow answer for one key never holds up a miss of another.

Schema ids are numbered per registry context, so an id is cached under the context of the
subject it was asked with (`:.ctx:subject` names context `.ctx`; anything else, or no
subject, the default context `.`). GUIDs are unique across contexts.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable, Mapping
from functools import partial

from serdes._once import OncePerKey
from serdes.client._model import RegisteredSchema, Schema
from serdes.client._protocol import RegistryClient

DEFAULT_CONTEXT = "."
"""The registry context of unqualified subjects (and of reads by id without a subject)."""

#: (subject, `Schema.identity()`, normalize): what a registration or lookup is asked.
_RegisteredKey = tuple[str, Hashable, bool]


def context_of(subject: str | None) -> str:
    """The registry context `subject` lives in: `.ctx` for `:.ctx:name`, else `.`."""
    if subject is not None and subject.startswith(":."):
        end = subject.find(":", 2)
        if end != -1:
            return subject[1:end]
    return DEFAULT_CONTEXT


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
        self._ids: OncePerKey[tuple[str, int], Schema] = OncePerKey()
        self._guids: OncePerKey[str, Schema] = OncePerKey()
        self._registered: OncePerKey[_RegisteredKey, RegisteredSchema] = OncePerKey()
        self._lookups: OncePerKey[_RegisteredKey, RegisteredSchema] = OncePerKey()
        self._versions: OncePerKey[tuple[str, int], RegisteredSchema] = OncePerKey()
        self._latest: OncePerKey[tuple[object, ...], tuple[float, RegisteredSchema]] = OncePerKey()

    @property
    def inner(self) -> RegistryClient:
        """The client this one caches for."""
        return self._inner

    def _fresh(self, entry: tuple[float, RegisteredSchema]) -> bool:
        return self._latest_ttl_s is None or self._clock() - entry[0] < self._latest_ttl_s

    def _stamped(self, fetch: Callable[[], RegisteredSchema]) -> tuple[float, RegisteredSchema]:
        registered = fetch()
        return self._clock(), registered

    def _refresh(
        self, key: tuple[object, ...], fetch: Callable[[], RegisteredSchema]
    ) -> RegisteredSchema:
        return self._latest.once(key, partial(self._stamped, fetch), usable=self._fresh)[1]

    def _learn(self, subject: str, registered: RegisteredSchema) -> None:
        """A registration or lookup also names the text of its id in the subject's context."""
        self._ids.setdefault((context_of(subject), registered.schema_id), registered.schema)

    def get_schema(self, schema_id: int, *, subject: str | None = None) -> Schema:
        """The schema with this id in the context of `subject`, fetched once."""
        key = (context_of(subject), schema_id)
        return self._ids.get(key) or self._ids.once(
            key, partial(self._inner.get_schema, schema_id, subject=subject)
        )

    def get_schema_by_guid(self, guid: str) -> Schema:
        """The schema with this GUID, fetched once."""
        key = guid.lower()
        return self._guids.get(key) or self._guids.once(
            key, partial(self._inner.get_schema_by_guid, guid)
        )

    def register_schema(
        self, subject: str, schema: Schema, *, normalize: bool = False
    ) -> RegisteredSchema:
        """Register once per (subject, schema, normalize); later calls answer from the cache."""
        key = (subject, schema.identity(), normalize)
        registered = self._registered.get(key)
        if registered is None:
            registered = self._registered.once(
                key, partial(self._inner.register_schema, subject, schema, normalize=normalize)
            )
            # A registered schema is also found by a lookup.
            self._lookups.setdefault(key, registered)
            self._learn(subject, registered)
        return registered

    def lookup_schema(
        self, subject: str, schema: Schema, *, normalize: bool = False
    ) -> RegisteredSchema:
        """Look up once per (subject, schema, normalize)."""
        key = (subject, schema.identity(), normalize)
        registered = self._lookups.get(key)
        if registered is None:
            registered = self._lookups.once(
                key, partial(self._inner.lookup_schema, subject, schema, normalize=normalize)
            )
            self._learn(subject, registered)
        return registered

    def get_latest_version(self, subject: str) -> RegisteredSchema:
        """The newest version of `subject`, refreshed after `latest_ttl_s`."""
        key = ("latest", subject)
        found = self._latest.get(key)
        if found is not None and self._fresh(found):
            return found[1]
        return self._refresh(key, partial(self._inner.get_latest_version, subject))

    def get_latest_with_metadata(
        self, subject: str, metadata: Mapping[str, str]
    ) -> RegisteredSchema:
        """The newest version matching `metadata`, refreshed after `latest_ttl_s`."""
        key = ("metadata", subject, tuple(sorted(metadata.items())))
        found = self._latest.get(key)
        if found is not None and self._fresh(found):
            return found[1]
        return self._refresh(key, partial(self._inner.get_latest_with_metadata, subject, metadata))

    def get_version(self, subject: str, version: int) -> RegisteredSchema:
        """Version `version` of `subject`, fetched once."""
        key = (subject, version)
        return self._versions.get(key) or self._versions.once(
            key, partial(self._inner.get_version, subject, version)
        )
