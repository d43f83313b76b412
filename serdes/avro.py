"""Avro serializer and deserializer, shaped like confluent-kafka's, on fastavro.

Each schema is parsed by `fastavro.parse_schema` once (per serializer, per writer id in a
deserializer); a record then costs one dict lookup for its subject or id plus fastavro's
encoder or decoder. The deserializer projects old data into the application's schema (the
`schema_str` reader schema, or the subject's latest with `use.latest.version`) by Avro's
resolution rules.
"""

from __future__ import annotations

import io
import json
from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from functools import partial
from typing import Any

from fastavro import parse_schema, schemaless_reader

from compat.avro import AvroFormat
from compat.errors import CompatError
from serdes._avroread import GeneratedRead
from serdes._avrowrite import WriteInto, reader_for, writer_for
from serdes._codec import Register
from serdes._config import DeserializerConfig, SerializerConfig
from serdes._fetch import SchemaFetcher, SchemaKey
from serdes._once import OncePerKey
from serdes._references import parse_with_references
from serdes._writers import WriterResolver
from serdes.client import RegisteredSchema, RegistryClient, Schema
from serdes.context import ContextLike, FromDict, ToDict, as_schema, is_key, locate
from serdes.errors import PayloadError, SchemaError, SerdesError, UnknownSubjectError
from serdes.framing import id_prefix, schema_key
from serdes.rules._model import Contract, contract_of
from serdes.rules.avro_fields import AvroFieldWalker
from serdes.rules.engine import (
    Migration,
    ReadRules,
    RuleEngine,
    encoding_of,
    plan_migrations,
    read_with_rules,
)
from serdes.rules.registry import RuleRegistry
from serdes.strategies import subject_for

AVRO = "AVRO"
_FORMAT = AvroFormat()


@dataclass(frozen=True, slots=True)
class ParsedAvro:
    """A schema as fastavro uses it, its full name when it is a named type, and its writer.

    `origin` is the schema as registered; `contract` its rules (None without any) and
    `walker` the field walk its field rules use.
    """

    schema: Any
    name: str | None
    write: WriteInto
    origin: Schema | None = None
    contract: Contract | None = None
    walker: AvroFieldWalker | None = None


def parse_avro(schema: Schema, client: RegistryClient | None) -> ParsedAvro:
    """Parse `schema` with fastavro, its referenced named types in scope (fetched via `client`).

    The text is first checked by the registry's own Avro parser (Avro Java's rules), which
    is stricter than fastavro: a schema the registry would refuse fails here too, at
    construction, rather than producing records no other client can read.
    """
    if schema.schema_type != AVRO:
        raise SchemaError(f"expected an AVRO schema, got {schema.schema_type}")
    named: dict[str, Any] = {}
    try:
        # Checked by the registry's parser first; then fastavro, dependencies first.
        _, chain = parse_with_references(_FORMAT.parse, schema, client)
        for _, target, _ in chain:
            parse_schema(json.loads(target.schema_str), named_schemas=named)
        parsed = parse_schema(json.loads(schema.schema_str), named_schemas=named)
    except SerdesError:
        raise
    except CompatError as exc:
        raise SchemaError(str(exc)) from exc
    except Exception as exc:
        # fastavro raises several unrelated types for a bad schema; one error at our edge.
        raise SchemaError(f"invalid Avro schema: {exc}") from exc
    name = parsed.get("name") if isinstance(parsed, dict) else None
    contract = contract_of(schema)
    return ParsedAvro(
        parsed,
        name if isinstance(name, str) else None,
        writer_for(parsed),
        schema,
        contract,
        AvroFieldWalker(parsed) if contract is not None else None,
    )


class AvroCodec:
    """Avro for the shared serdes machinery (a `serdes._codec.SchemaCodec[ParsedAvro]`)."""

    __slots__ = ("_client",)

    def __init__(self, client: RegistryClient | None) -> None:
        self._client = client

    def parse(self, schema: Schema) -> ParsedAvro:
        """`parse_avro`, with references fetched through the client."""
        return parse_avro(schema, self._client)

    def record_name(self, parsed: ParsedAvro) -> str | None:
        """The full name of a named type; None for a primitive, array, map or union."""
        return parsed.name

    def prefix(self, schema_id: int, parsed: ParsedAvro) -> bytes:
        """The id prefix: Avro payloads carry nothing else before them."""
        return id_prefix(schema_id)

    def with_references(self, schema: Schema, register: Register) -> Schema:
        """`schema` itself: its references are named by the user, not discovered."""
        return schema


class AvroSerializer:
    """`serializer(obj, ctx) -> bytes`: id prefix plus the Avro binary encoding of `obj`.

    Arguments are confluent-kafka's, in its order: the client, the schema (text or `Schema`),
    an optional `to_dict(obj, ctx)` hook and a conf dict with its keys
    (`auto.register.schemas`, `normalize.schemas`, `use.schema.id`, `use.latest.version`,
    `use.latest.with.metadata`, `subject.name.strategy`). With `use.latest.*` or
    `use.schema.id`, the writer schema's WRITE rules run on each record first and its
    encoding rules on the encoded bytes, through `rule_registry` (default:
    `RuleRegistry.default()`).
    """

    __slots__ = ("_engine", "_to_dict", "_writers")

    def __init__(
        self,
        schema_registry_client: RegistryClient,
        schema_str: str | Schema | None = None,
        to_dict: ToDict | None = None,
        conf: Mapping[str, object] | None = None,
        *,
        rule_registry: RuleRegistry | None = None,
    ) -> None:
        config = SerializerConfig.from_conf(conf)
        self._to_dict = to_dict
        self._writers = WriterResolver(
            schema_registry_client,
            as_schema(schema_str, AVRO),
            config,
            AvroCodec(schema_registry_client),
        )
        # As Confluent's clients: rules run only on a schema taken from the registry.
        from_registry = config.uses_latest or config.use_schema_id is not None
        self._engine = RuleEngine(rule_registry) if from_registry else None

    def __call__(self, obj: object, ctx: ContextLike | None = None) -> bytes | None:
        """Serialize `obj` (None stays None: a tombstone is never framed)."""
        if obj is None:
            return None
        try:
            writer = self._writers.writer(ctx)
            value = obj if self._to_dict is None else self._to_dict(obj, ctx)
            if self._engine is not None:
                parsed = writer.parsed
                value = self._engine.on_write(
                    writer.subject, ctx, parsed.contract, value, parsed.walker
                )
            out = bytearray(writer.prefix)
            try:
                writer.parsed.write(out, value)
            except Exception as exc:
                raise PayloadError(
                    f"value does not match Avro schema id {writer.schema_id}: {exc}"
                ) from exc
            if self._engine is not None:
                return self._engine.on_encode(
                    writer.subject, ctx, writer.parsed.contract, bytes(out), len(writer.prefix)
                )
            return bytes(out)
        except SerdesError as error:
            raise locate(error, ctx) from error.__cause__


@dataclass(frozen=True, slots=True)
class _Decoder:
    """How to read one writer schema: fastavro's schemas, and a generated reader if any."""

    writer: ParsedAvro
    reader: Any
    fast: GeneratedRead | None = None
    rules: ReadRules | None = None


class AvroDeserializer:
    """`deserializer(data, ctx) -> object`: reads the framing, then the Avro payload.

    Arguments are confluent-kafka's: the client, an optional reader schema (old data is
    projected into it by Avro's resolution rules), `from_dict(dict, ctx)`,
    `return_record_name`, and a conf dict (`use.latest.version`, `use.latest.with.metadata`,
    `subject.name.strategy`). Reads id prefixes, GUID prefixes and the schema-id headers.
    With `use.latest.*` the subject's latest version is asked of the client for every
    record, so give it a `CachedRegistryClient`.

    The writer schema's encoding rules run on the payload before it is decoded. The
    reader schema's READ rules run on each record (the writer's, without a reader
    schema), after JSONata migrations from the writer's major version when the reader is
    the subject's latest; executors and actions come from `rule_registry`.
    """

    __slots__ = (
        "_client",
        "_config",
        "_decoders",
        "_engine",
        "_from_dict",
        "_reader",
        "_return_record_name",
        "_schemas",
        "_uses_latest",
    )

    def __init__(
        self,
        schema_registry_client: RegistryClient,
        schema_str: str | Schema | None = None,
        from_dict: FromDict | None = None,
        return_record_name: bool = False,
        conf: Mapping[str, object] | None = None,
        *,
        rule_registry: RuleRegistry | None = None,
    ) -> None:
        self._client = schema_registry_client
        self._engine = RuleEngine(rule_registry)
        self._config = DeserializerConfig.from_conf(conf)
        self._uses_latest = self._config.uses_latest
        codec = AvroCodec(schema_registry_client)
        self._schemas = SchemaFetcher(
            schema_registry_client,
            codec,
            latest_metadata=self._config.use_latest_with_metadata,
        )
        reader = as_schema(schema_str, AVRO)
        self._reader = codec.parse(reader) if reader else None
        self._from_dict = from_dict
        self._return_record_name = return_record_name
        # By writer key, and by (writer key, latest id) with use.latest.*.
        self._decoders: OncePerKey[Hashable, _Decoder] = OncePerKey()

    def __call__(self, data: bytes | None, ctx: ContextLike | None = None) -> Any:
        """Deserialize `data` (None stays None)."""
        if data is None:
            return None
        try:
            headers = ctx.headers if ctx is not None else None
            key, start = schema_key(data, headers, is_key=bool(headers) and is_key(ctx))
            decoder = self._decoders.get(key) or self._decoder(key)
            if self._uses_latest:
                decoder = self._latest(key, decoder, ctx)
            original, rules = data, decoder.rules
            if rules is not None and rules.encoding is not None and ctx is not None:
                subject = subject_for(self._config.strategy, ctx, decoder.writer.name)
                data = self._engine.on_decode(subject, ctx, rules.encoding, data, start)
                start = 0
            fast = decoder.fast
            try:
                value = (
                    fast(data, start)[0] if fast is not None else self._read(decoder, data, start)
                )
            except SerdesError:
                raise
            except Exception:
                # The generated reader refuses what it does not expect: fastavro decides.
                value = self._read(decoder, data, start)
            if rules is not None and ctx is not None:
                subject = subject_for(self._config.strategy, ctx, decoder.writer.name)
                value = read_with_rules(
                    self._engine, rules, subject=subject, ctx=ctx, message=value, original=original
                )
        except SerdesError as error:
            raise locate(error, ctx) from error.__cause__
        return value if self._from_dict is None else self._from_dict(value, ctx)

    def _read(self, decoder: _Decoder, data: bytes, start: int) -> Any:
        """fastavro's reading of the payload, projecting into the reader schema if any."""
        try:
            return schemaless_reader(
                io.BytesIO(data[start:]),
                decoder.writer.schema,
                decoder.reader,
                self._return_record_name,
            )
        except Exception as exc:
            raise PayloadError(f"payload does not match its Avro schema: {exc}") from exc

    def _decoder(self, key: SchemaKey) -> _Decoder:
        """The decoder of writer schema `key` (an id or GUID), built once."""
        return self._decoders.once(key, partial(self._new_decoder, key))

    def _new_decoder(self, key: SchemaKey) -> _Decoder:
        writer = self._schemas.writer(key)
        rules = _read_rules((), self._reader or writer, writer)
        if self._reader is None and not self._return_record_name:
            return _Decoder(writer, None, reader_for(writer.schema), rules)
        return _Decoder(writer, self._reader.schema if self._reader else None, rules=rules)

    def _projecting(self, decoder: _Decoder, subject: str, latest: RegisteredSchema) -> _Decoder:
        reader = self._schemas.parsed(subject, latest)
        migrations = self._migrations(decoder.writer, subject, latest)
        rules = _read_rules(migrations, reader, decoder.writer)
        if migrations:
            # Migrations rewrite the record as written; Avro's projection would drop fields
            # they need, so the record is read with the writer's schema alone.
            fast = None if self._return_record_name else reader_for(decoder.writer.schema)
            return _Decoder(decoder.writer, None, fast, rules)
        return _Decoder(decoder.writer, reader.schema, rules=rules)

    def _migrations(
        self, writer: ParsedAvro, subject: str, latest: RegisteredSchema
    ) -> tuple[Migration, ...]:
        if writer.origin is None or latest.version is None:
            return ()
        try:
            return plan_migrations(self._client, subject, writer.origin, latest.version)
        except UnknownSubjectError:
            # The writer's schema is not a version of the subject: nothing to migrate.
            return ()

    def _latest(self, key: SchemaKey, decoder: _Decoder, ctx: ContextLike | None) -> _Decoder:
        """The decoder projecting into the subject's latest version (asked of the client)."""
        subject = subject_for(self._config.strategy, ctx, decoder.writer.name)
        latest = self._schemas.latest(subject)
        cache_key = (key, latest.schema_id)
        return self._decoders.get(cache_key) or self._decoders.once(
            cache_key,
            partial(self._projecting, decoder, subject, latest),
        )


def _read_rules(
    migrations: tuple[Migration, ...], reader: ParsedAvro, writer: ParsedAvro
) -> ReadRules | None:
    """The rules a decoder runs; None (the rule-free path) when there are none."""
    rules = ReadRules(migrations, reader.contract, reader.walker, encoding_of(writer.contract))
    return rules if rules.active else None
