"""Registered schemas as the serdes need them: by the id or GUID a record names, or latest.

Every deserializer reads the schema id (or 8.x GUID) from a record's framing and needs that
schema parsed; with `use.latest.version` / `use.latest.with.metadata`, deserializers and
serializers also need the subject's latest version. This is the one place that asks the
registry client for them and has the format's codec parse each answer once.

Misses lock per key (`serdes._once`), so a slow fetch of one schema does not hold up
records written with another; a hit is one dict lookup.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from functools import partial
from typing import Generic, TypeVar

from serdes._codec import SchemaCodec
from serdes._once import OncePerKey
from serdes.client import RegisteredSchema, RegistryClient, Schema

P = TypeVar("P")

SchemaKey = int | uuid.UUID
"""What a record's framing names its writer schema by: an id, or a GUID (8.x)."""


class SchemaFetcher(Generic[P]):
    """Fetches schemas through a registry client and keeps them parsed by a format's codec.

    `latest_metadata` is `use.latest.with.metadata`: when set, "latest" means the newest
    version whose metadata matches it, else the newest version.
    """

    __slots__ = ("_client", "_codec", "_latest", "_metadata", "_writers", "get")

    def __init__(
        self,
        client: RegistryClient,
        codec: SchemaCodec[P],
        *,
        latest_metadata: Mapping[str, str] | None = None,
    ) -> None:
        self._client = client
        self._codec = codec
        self._metadata = latest_metadata
        self._writers: OncePerKey[SchemaKey, P] = OncePerKey()
        self._latest: OncePerKey[tuple[str, int], P] = OncePerKey()
        # The writer schemas parsed so far: a plain dict lookup for the deserializers' hot
        # paths, which call `writer` only when it answers None.
        self.get: Callable[[SchemaKey], P | None] = self._writers.get

    def writer(self, key: SchemaKey) -> P:
        """The schema a record was written with, by the id or GUID in its framing.

        Fetched and parsed once per key; raises what the client raises
        (`UnknownSchemaIdError`, `RegistryUnavailableError`) and what the codec raises.
        """
        return self._writers.get(key) or self._writers.once(key, partial(self._parse, key))

    def _parse(self, key: SchemaKey) -> P:
        return self._codec.parse(self._fetch(key))

    def _fetch(self, key: SchemaKey) -> Schema:
        if isinstance(key, int):
            return self._client.get_schema(key)
        return self._client.get_schema_by_guid(str(key))

    def latest(self, subject: str) -> RegisteredSchema:
        """The subject's latest (matching) version, asked of the client on every call.

        Callers ask per record, as confluent-kafka does, so a new version is picked up as soon
        as the client's cache lets it through (`CachedRegistryClient(latest_ttl_s=...)`).
        """
        if self._metadata is not None:
            return self._client.get_latest_with_metadata(subject, self._metadata)
        return self._client.get_latest_version(subject)

    def parsed(self, subject: str, registered: RegisteredSchema) -> P:
        """`registered` (an answer of `latest` for `subject`) parsed, once per id."""
        key = (subject, registered.schema_id)
        return self._latest.get(key) or self._latest.once(
            key, partial(self._codec.parse, registered.schema)
        )
