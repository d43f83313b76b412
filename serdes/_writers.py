"""Which schema id a serializer writes for a subject: resolved once, then a dict lookup.

Shared by every format: the format supplies how to parse a schema and how to build the
bytes written before the payload; this module asks the registry at most once per subject
(per serializer) and keeps the prefix ready, so the hot path never builds it again.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from serdes._config import SerializerConfig
from serdes.client import RegisteredSchema, RegistryClient, Schema
from serdes.context import ContextLike
from serdes.errors import SerdesConfigError
from serdes.framing import id_prefix
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
    """Resolves and remembers, per subject, the writer schema and its prefix."""

    def __init__(
        self,
        client: RegistryClient,
        schema: Schema | None,
        config: SerializerConfig,
        *,
        parse: Callable[[Schema], P],
        record_name: Callable[[P], str | None],
        prefix: Callable[[int, P], bytes] = lambda schema_id, _parsed: id_prefix(schema_id),
        prepare: Callable[[Schema], Schema] | None = None,
    ) -> None:
        if schema is None and config.use_schema_id is None and not config.uses_latest:
            raise SerdesConfigError(
                "a schema is required unless use.schema.id or use.latest.version is set"
            )
        self._client = client
        self._schema = schema
        self._config = config
        self._parse = parse
        self._prefix = prefix
        # Work needed before the own schema can be registered (Protobuf registers its
        # imports first); done lazily, on the first record, like the registration itself.
        self._prepare = prepare
        # The serializer's own schema is parsed once, at construction, so a bad schema fails
        # before the first record rather than on it.
        self._own = parse(schema) if schema is not None else None
        self._record_name = record_name(self._own) if self._own is not None else None
        self._by_subject: dict[str, Writer[P]] = {}
        # The built-in strategies depend only on topic and field (and the fixed record
        # name), so their answer is remembered per (topic, field), sparing the hot path
        # the strategy call and its string formatting.
        self._builtin = config.strategy in _BUILTIN and not config.uses_latest
        self._by_latest: dict[tuple[str, int], Writer[P]] = {}
        self._by_context: dict[tuple[str, str], Writer[P]] = {}
        self._lock = threading.Lock()

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
        found = self._by_subject.get(subject)
        if found is None:
            with self._lock:
                found = self._by_subject.get(subject)
                if found is None:
                    found = self._resolve(subject)
                    self._by_subject[subject] = found
        if self._builtin and ctx is not None:
            self._by_context[(ctx.topic, str(ctx.field))] = found
        return found

    def _latest_writer(self, subject: str) -> Writer[P]:
        registered = self._latest(subject)
        key = (subject, registered.schema_id)
        found = self._by_latest.get(key)
        if found is None:
            parsed = self._parse(registered.schema)
            found = Writer(
                subject, registered.schema_id, self._prefix(registered.schema_id, parsed), parsed
            )
            with self._lock:
                self._by_latest[key] = found
        return found

    def _resolve(self, subject: str) -> Writer[P]:
        config = self._config
        parsed: P | None = None
        if config.use_schema_id is not None:
            schema_id = config.use_schema_id
            parsed = self._parse(self._client.get_schema(schema_id, subject=subject))
        else:
            assert self._schema is not None  # checked in __init__
            schema = self._schema if self._prepare is None else self._prepare(self._schema)
            call = (
                self._client.register_schema if config.auto_register else self._client.lookup_schema
            )
            schema_id = call(subject, schema, normalize=config.normalize).schema_id
            parsed = self._own
        assert parsed is not None
        return Writer(subject, schema_id, self._prefix(schema_id, parsed), parsed)

    def _latest(self, subject: str) -> RegisteredSchema:
        metadata = self._config.use_latest_with_metadata
        if metadata is not None:
            return self._client.get_latest_with_metadata(subject, metadata)
        return self._client.get_latest_version(subject)
