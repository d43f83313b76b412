"""Which schema id a serializer writes for a subject: resolved once, then a dict lookup.

Shared by every format: the format's codec (`serdes._codec`) parses schemas and builds the
bytes written before the payload; this module asks the registry at most once per subject
(per serializer) and keeps the prefix ready, so the hot path never builds it again.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import Generic, TypeVar

from serdes._codec import SchemaCodec
from serdes._config import SerializerConfig
from serdes._fetch import SchemaFetcher
from serdes._once import OncePerKey
from serdes.client import RegisteredSchema, RegistryClient, Schema
from serdes.context import ContextLike
from serdes.errors import SerdesConfigError
from serdes.strategies import (
    record_subject_name_strategy,
    subject_for,
    topic_record_subject_name_strategy,
    topic_subject_name_strategy,
)

P = TypeVar("P")

_BUILTIN = (
    topic_subject_name_strategy,
    record_subject_name_strategy,
    topic_record_subject_name_strategy,
)


@dataclass(frozen=True, slots=True)
class Writer(Generic[P]):
    """The schema records of one subject are written with, and the bytes that precede them."""

    subject: str
    schema_id: int
    prefix: bytes
    parsed: P


class WriterResolver(Generic[P]):
    """Resolves and remembers, per subject, the writer schema and its prefix.

    A subject is resolved under its own lock, so a slow registration of one subject does
    not hold up records of another.
    """

    def __init__(
        self,
        client: RegistryClient,
        schema: Schema | None,
        config: SerializerConfig,
        codec: SchemaCodec[P],
    ) -> None:
        if schema is None and config.use_schema_id is None and not config.uses_latest:
            raise SerdesConfigError(
                "a schema is required unless use.schema.id or use.latest.version is set"
            )
        self._client = client
        self._schema = schema
        self._config = config
        self._codec = codec
        # The serializer's own schema is parsed once, at construction, so a bad schema fails
        # before the first record rather than on it.
        self._own = codec.parse(schema) if schema is not None else None
        self._record_name = codec.record_name(self._own) if self._own is not None else None
        self._by_subject: OncePerKey[str, Writer[P]] = OncePerKey()
        # The built-in strategies depend only on topic and field (and the fixed record
        # name), so their answer is remembered per (topic, field), sparing the hot path
        # the strategy call and its string formatting.
        self._builtin = config.strategy in _BUILTIN and not config.uses_latest
        self._by_context: dict[tuple[str, str], Writer[P]] = {}
        self._latest = SchemaFetcher(client, codec, latest_metadata=config.use_latest_with_metadata)
        self._by_latest: OncePerKey[tuple[str, int], Writer[P]] = OncePerKey()

    @property
    def own(self) -> P | None:
        """The serializer's own schema, parsed; None when it has none."""
        return self._own

    def writer(self, ctx: ContextLike | None) -> Writer[P]:
        """The writer for the record in `ctx`; asks the registry on the first call per subject.

        With `use.latest.*` the client is asked for the latest version on every record, as
        confluent-kafka does, so a new version is picked up as soon as the client's cache
        lets it through (`CachedRegistryClient(latest_ttl_s=...)`).
        """
        if self._builtin and ctx is not None:
            found = self._by_context.get((ctx.topic, ctx.field))
            if found is not None:
                return found
        subject = subject_for(self._config.strategy, ctx, self._record_name)
        if self._config.uses_latest:
            return self._latest_writer(subject)
        found = self._by_subject.get(subject) or self._by_subject.once(
            subject, partial(self._resolve, subject)
        )
        if self._builtin and ctx is not None:
            self._by_context[(ctx.topic, str(ctx.field))] = found
        return found

    def _latest_writer(self, subject: str) -> Writer[P]:
        registered = self._latest.latest(subject)
        key = (subject, registered.schema_id)
        return self._by_latest.get(key) or self._by_latest.once(
            key, partial(self._written_with, subject, registered)
        )

    def _written_with(self, subject: str, registered: RegisteredSchema) -> Writer[P]:
        parsed = self._latest.parsed(subject, registered)
        schema_id = registered.schema_id
        return Writer(subject, schema_id, self._codec.prefix(schema_id, parsed), parsed)

    def _register(self, subject: str, schema: Schema) -> RegisteredSchema:
        """Register `schema` under `subject`, or look it up when auto-registration is off."""
        config = self._config
        if config.auto_register:
            return self._client.register_schema(subject, schema, normalize=config.normalize)
        return self._client.lookup_schema(subject, schema, normalize=config.normalize)

    def _resolve(self, subject: str) -> Writer[P]:
        config = self._config
        parsed: P | None = None
        if config.use_schema_id is not None:
            schema_id = config.use_schema_id
            parsed = self._codec.parse(self._client.get_schema(schema_id, subject=subject))
        else:
            assert self._schema is not None  # checked in __init__
            schema = self._codec.with_references(self._schema, self._register)
            schema_id = self._register(subject, schema).schema_id
            parsed = self._own
        assert parsed is not None
        return Writer(subject, schema_id, self._codec.prefix(schema_id, parsed), parsed)
