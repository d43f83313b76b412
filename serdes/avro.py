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
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from fastavro import parse_schema, schemaless_reader

from compat.avro import AvroFormat
from compat.errors import CompatError
from serdes._avroread import GeneratedRead
from serdes._avrowrite import WriteInto, reader_for, writer_for
from serdes._config import DeserializerConfig, SerializerConfig
from serdes._references import parse_with_references
from serdes._writers import WriterResolver
from serdes.client import RegistryClient, Schema
from serdes.context import ContextLike, FromDict, ToDict, as_schema, is_key, locate
from serdes.errors import PayloadError, SchemaError, SerdesError
from serdes.framing import schema_key
from serdes.strategies import subject_for

AVRO = "AVRO"
_FORMAT = AvroFormat()


@dataclass(frozen=True, slots=True)
class ParsedAvro:
    """A schema as fastavro uses it, its full name when it is a named type, and its writer."""

    schema: Any
    name: str | None
    write: WriteInto


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
    return ParsedAvro(parsed, name if isinstance(name, str) else None, writer_for(parsed))


def _record_name(parsed: ParsedAvro) -> str | None:
    return parsed.name


class AvroSerializer:
    """`serializer(obj, ctx) -> bytes`: id prefix plus the Avro binary encoding of `obj`.

    Arguments are confluent-kafka's, in its order: the client, the schema (text or `Schema`),
    an optional `to_dict(obj, ctx)` hook and a conf dict with its keys
    (`auto.register.schemas`, `normalize.schemas`, `use.schema.id`, `use.latest.version`,
    `use.latest.with.metadata`, `subject.name.strategy`).
    """

    __slots__ = ("_to_dict", "_writers")

    def __init__(
        self,
        schema_registry_client: RegistryClient,
        schema_str: str | Schema | None = None,
        to_dict: ToDict | None = None,
        conf: Mapping[str, object] | None = None,
    ) -> None:
        self._to_dict = to_dict
        self._writers: WriterResolver[ParsedAvro] = WriterResolver(
            schema_registry_client,
            as_schema(schema_str, AVRO),
            SerializerConfig.from_conf(conf),
            parse=lambda s: parse_avro(s, schema_registry_client),
            record_name=_record_name,
        )

    def __call__(self, obj: object, ctx: ContextLike | None = None) -> bytes | None:
        """Serialize `obj` (None stays None: a tombstone is never framed)."""
        if obj is None:
            return None
        try:
            writer = self._writers.writer(ctx)
            value = obj if self._to_dict is None else self._to_dict(obj, ctx)
            out = bytearray(writer.prefix)
            try:
                writer.parsed.write(out, value)
            except Exception as exc:
                raise PayloadError(
                    f"value does not match Avro schema id {writer.schema_id}: {exc}"
                ) from exc
            return bytes(out)
        except SerdesError as error:
            raise locate(error, ctx) from error.__cause__


@dataclass(frozen=True, slots=True)
class _Decoder:
    """How to read one writer schema: fastavro's schemas, and a generated reader if any."""

    writer: ParsedAvro
    reader: Any
    fast: GeneratedRead | None = None


class AvroDeserializer:
    """`deserializer(data, ctx) -> object`: reads the framing, then the Avro payload.

    Arguments are confluent-kafka's: the client, an optional reader schema (old data is
    projected into it by Avro's resolution rules), `from_dict(dict, ctx)`,
    `return_record_name`, and a conf dict (`use.latest.version`, `use.latest.with.metadata`,
    `subject.name.strategy`). Reads id prefixes, GUID prefixes and the schema-id headers.
    With `use.latest.*` the subject's latest version is asked of the client for every
    record, so give it a `CachedRegistryClient`.
    """

    __slots__ = (
        "_client",
        "_config",
        "_decoders",
        "_from_dict",
        "_lock",
        "_reader",
        "_return_record_name",
        "_uses_latest",
    )

    def __init__(
        self,
        schema_registry_client: RegistryClient,
        schema_str: str | Schema | None = None,
        from_dict: FromDict | None = None,
        return_record_name: bool = False,
        conf: Mapping[str, object] | None = None,
    ) -> None:
        self._client = schema_registry_client
        self._config = DeserializerConfig.from_conf(conf)
        self._uses_latest = self._config.uses_latest
        reader = as_schema(schema_str, AVRO)
        self._reader = parse_avro(reader, schema_registry_client) if reader else None
        self._from_dict = from_dict
        self._return_record_name = return_record_name
        self._decoders: dict[object, _Decoder] = {}
        self._lock = threading.Lock()

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

    def _decoder(self, key: object) -> _Decoder:
        """Fetch and parse the writer schema once per id (or GUID)."""
        with self._lock:
            found = self._decoders.get(key)
            if found is None:
                if isinstance(key, int):
                    schema = self._client.get_schema(key)
                else:
                    schema = self._client.get_schema_by_guid(str(key))
                writer = parse_avro(schema, self._client)
                if self._reader is None and not self._return_record_name:
                    found = _Decoder(writer, None, reader_for(writer.schema))
                else:
                    found = _Decoder(writer, self._reader.schema if self._reader else None)
                self._decoders[key] = found
            return found

    def _latest(self, key: object, decoder: _Decoder, ctx: ContextLike | None) -> _Decoder:
        """The decoder projecting into the subject's latest version (asked of the client)."""
        subject = subject_for(self._config.strategy, ctx, decoder.writer.name)
        metadata = self._config.use_latest_with_metadata
        latest = (
            self._client.get_latest_with_metadata(subject, metadata)
            if metadata is not None
            else self._client.get_latest_version(subject)
        )
        cache_key = (key, latest.schema_id)
        found = self._decoders.get(cache_key)
        if found is None:
            reader = parse_avro(latest.schema, self._client)
            found = _Decoder(decoder.writer, reader.schema)
            with self._lock:
                self._decoders[cache_key] = found
        return found
