"""Protobuf records read as the subject's latest version (`use.latest.version` and
`use.latest.with.metadata`), migrated across major versions by JSONata rules.

The reader schema is the subject's latest (matching) version, and its message the one named
like the writer's message (else its first). Within a major version the payload is parsed
straight into the reader's class: Protobuf's binary encoding is compatible there. When
migration rules lie between the writer's version and the reader's, the record is parsed with
the writer's message, turned into the JSON form confluent-kafka hands its migration rules
(`MessageToDict` with fields without presence printed at their defaults, JSON (lowerCamel)
field names, enums by name, 64-bit integers as strings), migrated, and parsed into the
reader's message, so that a JSONata expression written for confluent-kafka works unchanged.
The reader's READ rules then run on the result.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any

from google.protobuf import json_format
from google.protobuf.descriptor_pb2 import FileDescriptorProto
from google.protobuf.message import DecodeError, Message

from compat.protobuf import ParsedProtobuf
from serdes._fetch import SchemaFetcher, SchemaKey
from serdes._once import OncePerKey
from serdes.client import RegisteredSchema, RegistryClient
from serdes.context import ContextLike
from serdes.errors import PayloadError, RuleError, SchemaError, UnknownSubjectError
from serdes.rules.context import FieldWalker
from serdes.rules.engine import Migration, ReadRules, RuleEngine, plan_migrations, read_with_rules
from serdes.strategies import SubjectNameStrategy, subject_for

if TYPE_CHECKING:
    from serdes.protobuf import ProtobufSchema

MessageClass = Callable[[ParsedProtobuf, str], type[Message]]
"""`serdes.protobuf.message_class`: a message class out of a compiled schema, by full name."""


@dataclass(frozen=True, slots=True)
class LatestPlan:
    """How records of one writer (schema, message) are read as one latest version.

    `parse` is the class the payload is parsed into: the writer's message when `migrations`
    run, else the reader's. `target` is the class a migrated record becomes; `rules` the
    reader's READ rules, None when it has none.
    """

    parse: type[Message]
    target: type[Message]
    migrations: tuple[Migration, ...] = ()
    rules: ReadRules | None = None


def reader_message(reader: FileDescriptorProto, writer_name: str) -> str:
    """The full name of the reader's message for records of `writer_name`, Confluent's way:
    the top-level message with the writer's (short) name, else the file's first message."""
    if not reader.message_type:
        raise SchemaError("the latest schema has no message to read into")
    short = writer_name.rsplit(".", 1)[-1]
    names = [message.name for message in reader.message_type]
    chosen = short if short in names else names[0]
    return f"{reader.package}.{chosen}" if reader.package else chosen


class LatestReader:
    """A Protobuf deserializer's `use.latest.*` path: the plan per (writer schema, message
    indexes, latest id), worked out once; the latest version asked of the client per record.

    `message_type` is the deserializer's class (the result is always one, when given).
    """

    __slots__ = (
        "_client",
        "_engine",
        "_message_class",
        "_message_type",
        "_plans",
        "_schemas",
        "_strategy",
        "_walker",
    )

    def __init__(
        self,
        schemas: SchemaFetcher[ProtobufSchema],
        client: RegistryClient,
        engine: RuleEngine,
        message_type: type[Message] | None,
        strategy: SubjectNameStrategy,
        walker: FieldWalker,
        message_class: MessageClass,
    ) -> None:
        self._schemas = schemas
        self._client = client
        self._engine = engine
        self._message_type = message_type
        self._strategy = strategy
        self._walker = walker
        self._message_class = message_class
        self._plans: OncePerKey[tuple[SchemaKey, tuple[int, ...], int], LatestPlan] = OncePerKey()

    def read(
        self,
        key: SchemaKey,
        indexes: tuple[int, ...],
        writer_name: str | None,
        payload: bytes,
        original: bytes,
        ctx: ContextLike | None,
    ) -> Any:
        """The record `payload` (decoded from the framed `original`) as the latest version."""
        subject = subject_for(self._strategy, ctx, writer_name)
        latest = self._schemas.latest(subject)
        cache_key = (key, indexes, latest.schema_id)
        plan = self._plans.get(cache_key) or self._plans.once(
            cache_key, partial(self._plan, key, writer_name, subject, latest)
        )
        return read_latest(
            self._engine, plan, subject=subject, ctx=ctx, payload=payload, original=original
        )

    def _plan(
        self, key: SchemaKey, writer_name: str | None, subject: str, latest: RegisteredSchema
    ) -> LatestPlan:
        if writer_name is None:
            raise SchemaError(f"the writer schema {key} has no message at the record's indexes")
        writer = self._schemas.writer(key)
        reader = self._schemas.parsed(subject, latest)
        # A deserializer's codec compiles every schema.
        assert writer.compiled is not None
        assert reader.compiled is not None
        target = self._message_type or self._message_class(
            reader.compiled, reader_message(reader.file, writer_name)
        )
        rules = ReadRules((), reader.contract, self._walker) if reader.contract else None
        migrations: tuple[Migration, ...] = ()
        if latest.schema_id != key and writer.origin is not None:
            try:
                migrations = plan_migrations(self._client, subject, writer.origin, latest.version)
            except UnknownSubjectError:
                # The writer's schema is not a version of the subject: nothing to migrate.
                migrations = ()
        if not migrations:
            return LatestPlan(target, target, (), rules)
        parse = self._message_class(writer.compiled, writer_name)
        return LatestPlan(parse, target, migrations, rules)


def read_latest(
    engine: RuleEngine,
    plan: LatestPlan,
    *,
    subject: str,
    ctx: ContextLike | None,
    payload: bytes,
    original: bytes,
) -> Any:
    """Parse `payload` per `plan`, migrate it, and run the reader's READ rules."""
    cls = plan.parse
    try:
        message = cls.FromString(payload)
    except DecodeError as exc:
        raise PayloadError(f"payload is not a valid {cls.DESCRIPTOR.full_name}") from exc
    if ctx is None:
        return message
    if plan.migrations:
        record = engine.migrate(
            plan.migrations, subject=subject, ctx=ctx, message=to_json_form(message)
        )
        message = from_json_form(plan.target, record)
    if plan.rules is None:
        return message
    return read_with_rules(
        engine, plan.rules, subject=subject, ctx=ctx, message=message, original=original
    )


def to_json_form(message: Message) -> dict[str, Any]:
    """The record as confluent-kafka's migration rules see it (see the module docstring)."""
    # Positional: the flag is `always_print_fields_with_no_presence` in protobuf 5.26 and
    # later, `including_default_value_fields` before; both print fields at their defaults.
    return json_format.MessageToDict(message, True)


def from_json_form(cls: type[Message], record: Any) -> Message:
    """A `cls` message from a migrated record in the JSON form (unknown fields are errors)."""
    if isinstance(record, Message):
        record = to_json_form(record)
    if not isinstance(record, dict):
        raise RuleError(
            f"a migration returned {type(record).__name__}, not a {cls.DESCRIPTOR.full_name}"
        )
    try:
        return json_format.ParseDict(record, cls())
    except json_format.ParseError as exc:
        raise RuleError(
            f"the migrated record is not a valid {cls.DESCRIPTOR.full_name}: {exc}"
        ) from exc
