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
from functools import partial
from typing import Any

from compat.errors import CompatError
from compat.jsonschema import JsonSchemaFormat
from serdes._codec import Register
from serdes._config import DeserializerConfig, SerializerConfig
from serdes._fetch import SchemaFetcher, SchemaKey
from serdes._jsoncodec import DECODE_ERRORS, ENCODE_ERRORS, codec
from serdes._jsonvalidate import Validate, build_validator
from serdes._once import OncePerKey
from serdes._references import parse_with_references
from serdes._writers import WriterResolver
from serdes.client import RegisteredSchema, RegistryClient, Schema
from serdes.context import ContextLike, FromDict, ToDict, as_schema, is_key, locate
from serdes.errors import (
    PayloadError,
    SchemaError,
    SerdesConfigError,
    SerdesError,
    UnknownSubjectError,
)
from serdes.framing import id_prefix, schema_key
from serdes.rules._model import Contract, contract_of
from serdes.rules.engine import (
    Migration,
    ReadRules,
    RuleEngine,
    plan_migrations,
    read_with_rules,
)
from serdes.rules.json_fields import JsonFieldWalker
from serdes.rules.registry import RuleRegistry
from serdes.strategies import subject_for

JSON = "JSON"
_FORMAT = JsonSchemaFormat()


@dataclass(frozen=True, slots=True)
class ParsedJson:
    """A JSON schema ready for use: its validator and its `title` (the record name).

    `origin` is the schema as registered; `contract` its rules (None without any) and
    `walker` the field walk its field rules use.
    """

    validate: Validate
    title: str | None
    origin: Schema | None = None
    contract: Contract | None = None
    walker: JsonFieldWalker | None = None


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
    contract = contract_of(schema)
    return ParsedJson(
        validate,
        title if isinstance(title, str) else None,
        schema,
        contract,
        JsonFieldWalker(document) if contract is not None else None,
    )


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
    With `use.latest.*` or `use.schema.id`, the writer schema's WRITE rules run on each
    value before it is validated, and its encoding rules on the JSON bytes, through
    `rule_registry`.
    """

    __slots__ = ("_engine", "_to_dict", "_validate", "_writers")

    def __init__(
        self,
        schema_str: str | Schema | None,
        schema_registry_client: RegistryClient,
        to_dict: ToDict | None = None,
        conf: Mapping[str, object] | None = None,
        *,
        compiled_validation: bool = True,
        rule_registry: RuleRegistry | None = None,
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
            if self._validate:
                writer.parsed.validate(value)
            if self._engine is not None:
                return self._engine.on_encode(
                    writer.subject,
                    ctx,
                    writer.parsed.contract,
                    writer.prefix + _encode(value),
                    len(writer.prefix),
                )
            return writer.prefix + _encode(value)
        except SerdesError as error:
            raise locate(error, ctx) from error.__cause__


class JSONDeserializer:
    """`deserializer(data, ctx) -> object`: reads the framing, parses JSON, optionally validates.

    Arguments are confluent-kafka's, in its order: an optional schema (validate against it
    instead of the writer's), `from_dict(dict, ctx)`, the client, and a conf dict
    (`validate`, `use.latest.version`, `use.latest.with.metadata`,
    `subject.name.strategy`). Without a client, records are validated against the given
    schema only. With a client, the writer schema's encoding rules run on the payload
    before it is parsed, and the reader schema's READ rules on each value (after
    JSONata migrations from the writer's version to the latest), before validation.
    """

    __slots__ = (
        "_client",
        "_config",
        "_engine",
        "_from_dict",
        "_migrations",
        "_own",
        "_schemas",
        "_writer_first",
    )

    def __init__(
        self,
        schema_str: str | Schema | None = None,
        from_dict: FromDict | None = None,
        schema_registry_client: RegistryClient | None = None,
        conf: Mapping[str, object] | None = None,
        *,
        compiled_validation: bool = True,
        rule_registry: RuleRegistry | None = None,
    ) -> None:
        self._client = schema_registry_client
        self._engine = RuleEngine(rule_registry)
        self._migrations: OncePerKey[tuple[SchemaKey, int], tuple[Migration, ...]] = OncePerKey()
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
        # The writer's schema (and its encoding rules) is needed before parsing unless a
        # reader schema stands in for it; then it is fetched only for a payload not JSON.
        self._writer_first = self._schemas is not None and (
            self._own is None or self._config.uses_latest
        )

    def __call__(self, data: bytes | None, ctx: ContextLike | None = None) -> Any:
        """Deserialize `data` (None stays None)."""
        if data is None:
            return None
        try:
            headers = ctx.headers if ctx is not None else None
            key, start = schema_key(data, headers, is_key=bool(headers) and is_key(ctx))
            schemas, payload, begin = self._schemas, data, start
            if self._writer_first and schemas is not None and ctx is not None:
                writer = schemas.get(key) or schemas.writer(key)
                if writer.contract is not None:
                    payload, begin = self._decode(writer, ctx, data, start)
            try:
                value = _LOADS(payload[begin:])
            except DECODE_ERRORS as exc:
                value = self._undecoded(key, ctx, data, start, exc)
            if schemas is None:
                if self._config.validate:
                    assert self._own is not None  # checked in __init__
                    self._own.validate(value)
            elif self._config.uses_latest:
                value = self._read_latest(schemas, key, ctx, value, data)
            else:
                reader = self._own or schemas.get(key) or schemas.writer(key)
                if reader.contract is not None and ctx is not None:
                    rules = ReadRules((), reader.contract, reader.walker)
                    value = self._rules(rules, key, ctx, value, data)
                if self._config.validate:
                    reader.validate(value)
        except SerdesError as error:
            raise locate(error, ctx) from error.__cause__
        return value if self._from_dict is None else self._from_dict(value, ctx)

    def _undecoded(
        self, key: SchemaKey, ctx: ContextLike | None, data: bytes, start: int, error: Exception
    ) -> Any:
        """A payload that is not JSON as it is: decoded by the writer's encoding rules when
        a reader schema kept the writer's schema from being fetched, else a `PayloadError`.

        So plain records reach a deserializer with a reader schema without the registry.
        """
        schemas = self._schemas
        if not self._writer_first and schemas is not None and ctx is not None:
            writer = schemas.get(key) or schemas.writer(key)
            payload, begin = self._decode(writer, ctx, data, start)
            if payload is not data:
                try:
                    return _LOADS(payload[begin:])
                except DECODE_ERRORS as exc:
                    error = exc
        raise PayloadError(f"payload of schema {key} is not JSON: {error}") from error

    def _decode(
        self, writer: ParsedJson, ctx: ContextLike, data: bytes, start: int
    ) -> tuple[bytes, int]:
        """The payload after the writer schema's encoding rules, and where it starts (0)."""
        if writer.contract is None or not writer.contract.rule_set.encodes:
            return data, start
        name = self._own.title if self._own is not None else writer.title
        subject = subject_for(self._config.strategy, ctx, name)
        return self._engine.on_decode(subject, ctx, writer.contract, data, start), 0

    def _rules(
        self, rules: ReadRules, key: SchemaKey, ctx: ContextLike, value: Any, data: bytes
    ) -> Any:
        schemas = self._schemas
        assert schemas is not None  # only called with a client
        name = self._own.title if self._own is not None else schemas.writer(key).title
        subject = subject_for(self._config.strategy, ctx, name)
        return read_with_rules(
            self._engine, rules, subject=subject, ctx=ctx, message=value, original=data
        )

    def _read_latest(
        self,
        schemas: SchemaFetcher[ParsedJson],
        key: SchemaKey,
        ctx: ContextLike | None,
        value: Any,
        data: bytes,
    ) -> Any:
        """Migrate to the subject's latest version, run its READ rules, validate against it."""
        name = self._own.title if self._own is not None else schemas.writer(key).title
        subject = subject_for(self._config.strategy, ctx, name)
        latest = schemas.latest(subject)
        reader = schemas.parsed(subject, latest)
        if ctx is not None:
            cache_key = (key, latest.schema_id)
            migrations = self._migrations.get(cache_key)
            if migrations is None:
                migrations = self._migrations.once(
                    cache_key, partial(self._plan, schemas, key, subject, latest)
                )
            rules = ReadRules(migrations, reader.contract, reader.walker)
            if rules.active:
                value = read_with_rules(
                    self._engine, rules, subject=subject, ctx=ctx, message=value, original=data
                )
        if self._config.validate:
            reader.validate(value)
        return value

    def _plan(
        self,
        schemas: SchemaFetcher[ParsedJson],
        key: SchemaKey,
        subject: str,
        latest: RegisteredSchema,
    ) -> tuple[Migration, ...]:
        writer = schemas.writer(key)
        if self._client is None or writer.origin is None or latest.version is None:
            return ()
        if key == latest.schema_id:
            return ()
        try:
            return plan_migrations(self._client, subject, writer.origin, latest.version)
        except UnknownSubjectError:
            # The writer's schema is not a version of the subject: nothing to migrate.
            return ()
