"""JSON Schema serializer and deserializer, shaped like confluent-kafka's.

The payload is the value as compact UTF-8 JSON after the id prefix. Values are validated on
produce (on by default, `validate` in the conf dict) and optionally on consume; the validator
is built once per schema, compiled with `fastjsonschema` where that applies. Schemas are
parsed by the registry's own JSON Schema plug-in, so drafts 4 to 2020-12 and references
behave as they do in the registry.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from compat.errors import CompatError
from compat.jsonschema import JsonSchemaFormat
from serdes._codec import Register
from serdes._config import DeserializerConfig, SerializerConfig
from serdes._fetch import SchemaFetcher, SchemaKey
from serdes._jsoncodec import DECODE_ERRORS, ENCODE_ERRORS, codec
from serdes._jsonvalidate import Validate, build_validator
from serdes._references import parse_with_references
from serdes._writers import WriterResolver
from serdes.client import RegistryClient, Schema
from serdes.context import ContextLike, FromDict, ToDict, as_schema, is_key, locate
from serdes.errors import PayloadError, SchemaError, SerdesConfigError, SerdesError
from serdes.framing import id_prefix, schema_key
from serdes.strategies import subject_for

JSON = "JSON"
_FORMAT = JsonSchemaFormat()


@dataclass(frozen=True, slots=True)
class ParsedJson:
    """A JSON schema ready for use: its validator and its `title` (the record name)."""

    validate: Validate
    title: str | None


def parse_json_schema(
    schema: Schema, client: RegistryClient | None, *, compiled: bool = True
) -> ParsedJson:
    """Parse `schema` (fetching its references via `client`) and build its validator once."""
    if schema.schema_type != JSON:
        raise SchemaError(f"expected a JSON schema, got {schema.schema_type}")
    try:
        parsed, chain = parse_with_references(_FORMAT.parse, schema, client)
    except CompatError as exc:
        raise SchemaError(str(exc)) from exc
    # Every referenced document by its import name, nested references included.
    names = [(ref.name, parsed_ref.document) for ref, _, parsed_ref in chain]
    document = parsed.document
    title = document.get("title") if isinstance(document, dict) else None
    validate = build_validator(document, parsed.dialect, names, compiled=compiled)
    return ParsedJson(validate, title if isinstance(title, str) else None)


class JsonSchemaCodec:
    """JSON Schema for the shared serdes machinery (a `serdes._codec.SchemaCodec[ParsedJson]`).

    `compiled=False` builds `jsonschema` validators even where `fastjsonschema` applies.
    """

    __slots__ = ("_client", "_compiled")

    def __init__(self, client: RegistryClient | None, *, compiled: bool = True) -> None:
        self._client = client
        self._compiled = compiled

    def parse(self, schema: Schema) -> ParsedJson:
        """`parse_json_schema`, with references fetched through the client."""
        return parse_json_schema(schema, self._client, compiled=self._compiled)

    def record_name(self, parsed: ParsedJson) -> str | None:
        """The schema's `title`, which confluent-kafka uses as the record name."""
        return parsed.title

    def prefix(self, schema_id: int, parsed: ParsedJson) -> bytes:
        """The id prefix: JSON payloads carry nothing else before them."""
        return id_prefix(schema_id)

    def with_references(self, schema: Schema, register: Register) -> Schema:
        """`schema` itself: its references are named by the user, not discovered."""
        return schema


_DUMPS, _LOADS = codec()


def _encode(value: Any) -> bytes:
    try:
        return _DUMPS(value)
    except ENCODE_ERRORS as exc:
        raise PayloadError(f"value cannot be written as JSON: {exc}") from exc


class JSONSerializer:
    """`serializer(obj, ctx) -> bytes`: id prefix plus the value as compact JSON, validated.

    Arguments are confluent-kafka's, in its order: the schema, the client, an optional
    `to_dict(obj, ctx)` hook and a conf dict (its serializer keys plus `validate`).
    `compiled_validation=False` forces `jsonschema` even where `fastjsonschema` applies.
    """

    __slots__ = ("_to_dict", "_validate", "_writers")

    def __init__(
        self,
        schema_str: str | Schema | None,
        schema_registry_client: RegistryClient,
        to_dict: ToDict | None = None,
        conf: Mapping[str, object] | None = None,
        *,
        compiled_validation: bool = True,
    ) -> None:
        config = SerializerConfig.from_conf(conf, validate_key=True)
        self._to_dict = to_dict
        self._validate = config.validate
        self._writers = WriterResolver(
            schema_registry_client,
            as_schema(schema_str, JSON),
            config,
            JsonSchemaCodec(schema_registry_client, compiled=compiled_validation),
        )

    def __call__(self, obj: object, ctx: ContextLike | None = None) -> bytes | None:
        """Serialize `obj` (None stays None: a tombstone is never framed)."""
        if obj is None:
            return None
        try:
            writer = self._writers.writer(ctx)
            value = obj if self._to_dict is None else self._to_dict(obj, ctx)
            if self._validate:
                writer.parsed.validate(value)
            return writer.prefix + _encode(value)
        except SerdesError as error:
            raise locate(error, ctx) from error.__cause__


class JSONDeserializer:
    """`deserializer(data, ctx) -> object`: reads the framing, parses JSON, optionally validates.

    Arguments are confluent-kafka's, in its order: an optional schema (validate against it
    instead of the writer's), `from_dict(dict, ctx)`, the client, and a conf dict
    (`validate`, `use.latest.version`, `use.latest.with.metadata`,
    `subject.name.strategy`). Without a client, records are validated against the given
    schema only.
    """

    __slots__ = ("_config", "_from_dict", "_own", "_schemas")

    def __init__(
        self,
        schema_str: str | Schema | None = None,
        from_dict: FromDict | None = None,
        schema_registry_client: RegistryClient | None = None,
        conf: Mapping[str, object] | None = None,
        *,
        compiled_validation: bool = True,
    ) -> None:
        self._config = DeserializerConfig.from_conf(conf, validate_key=True)
        own = as_schema(schema_str, JSON)
        if schema_registry_client is None and (
            (own is None and self._config.validate) or self._config.uses_latest
        ):
            raise SerdesConfigError("a registry client is needed to find the writer's schema")
        codec = JsonSchemaCodec(schema_registry_client, compiled=compiled_validation)
        self._own = codec.parse(own) if own is not None else None
        self._schemas = (
            SchemaFetcher(
                schema_registry_client,
                codec,
                latest_metadata=self._config.use_latest_with_metadata,
            )
            if schema_registry_client is not None
            else None
        )
        self._from_dict = from_dict

    def __call__(self, data: bytes | None, ctx: ContextLike | None = None) -> Any:
        """Deserialize `data` (None stays None)."""
        if data is None:
            return None
        try:
            headers = ctx.headers if ctx is not None else None
            key, start = schema_key(data, headers, is_key=bool(headers) and is_key(ctx))
            try:
                value = _LOADS(data[start:])
            except DECODE_ERRORS as exc:
                raise PayloadError(f"payload of schema {key} is not JSON: {exc}") from exc
            if self._config.validate:
                self._schema_for(key, ctx).validate(value)
        except SerdesError as error:
            raise locate(error, ctx) from error.__cause__
        return value if self._from_dict is None else self._from_dict(value, ctx)

    def _schema_for(self, key: SchemaKey, ctx: ContextLike | None) -> ParsedJson:
        if self._config.uses_latest:
            return self._latest(key, ctx)
        if self._own is not None:
            return self._own
        schemas = self._schemas
        assert schemas is not None  # checked in __init__
        return schemas.get(key) or schemas.writer(key)

    def _latest(self, key: SchemaKey, ctx: ContextLike | None) -> ParsedJson:
        schemas = self._schemas
        assert schemas is not None  # checked in __init__
        name = self._own.title if self._own is not None else schemas.writer(key).title
        subject = subject_for(self._config.strategy, ctx, name)
        return schemas.parsed(subject, schemas.latest(subject))
