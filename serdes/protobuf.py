"""Protobuf serializer and deserializer, shaped like confluent-kafka's.

The serializer takes a message class (generated, or built with `message_class`) and registers
its file the way confluent-kafka does: the serialized `FileDescriptorProto`, base64-encoded,
with every imported file that is not a well-known type registered first under its import
path and named as a reference. Records carry the id prefix, the message-index path of the
message within its file (§8.2), and the Protobuf binary encoding.

The deserializer parses into the given message class, or, with none, into a dynamic message
class built from the writer's schema (compiled once per schema id with the registry's own
Protobuf plug-in) and the record's message indexes.
"""

from __future__ import annotations

import base64
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any, Protocol

from google.protobuf import descriptor_pool, message_factory
from google.protobuf.descriptor_pb2 import FileDescriptorProto
from google.protobuf.message import DecodeError, Message

from compat.errors import CompatError
from compat.protobuf import (
    ParsedProtobuf,
    ProtobufFormat,
    message_index,
    message_name,
    well_known_import,
)
from serdes._codec import Register
from serdes._config import DeserializerConfig, SerializerConfig
from serdes._fetch import SchemaFetcher, SchemaKey
from serdes._once import OncePerKey
from serdes._protolatest import LatestReader
from serdes._references import parse_with_references
from serdes._writers import WriterResolver
from serdes.client import RegistryClient, Schema, SchemaReference
from serdes.context import ContextLike, is_key, locate
from serdes.errors import (
    FramingError,
    PayloadError,
    SchemaError,
    SchemaRegistryError,
    SerdesConfigError,
    SerdesError,
)
from serdes.framing import ID_PREFIX_LEN, id_prefix, read_frame
from serdes.rules._model import Contract, contract_of
from serdes.rules.engine import ReadRules, RuleEngine, encoding_of, read_with_rules
from serdes.rules.protobuf_fields import ProtobufFieldWalker
from serdes.rules.registry import RuleRegistry
from serdes.strategies import subject_for

PROTOBUF = "PROTOBUF"
_FIRST: tuple[int, ...] = (0,)
_FORMAT = ProtobufFormat()
#: confluent-kafka keys accepted for a drop-in switch; only their default values are supported.
_COMPAT_KEYS = {"use.deprecated.format": False, "skip.known.types": True}
_WALKER = ProtobufFieldWalker()


class FileLike(Protocol):
    """A file descriptor, from the pure-Python or the upb implementation of protobuf."""

    @property
    def name(self) -> str:
        """The file's import path."""

    @property
    def dependencies(self) -> Sequence[FileLike]:
        """The files it imports."""

    def CopyToProto(self, proto: FileDescriptorProto) -> None:  # noqa: N802 (protobuf's name)
        """Write the file into `proto`."""


def _file_proto(file: FileLike) -> FileDescriptorProto:
    proto = FileDescriptorProto()
    file.CopyToProto(proto)
    return proto


def schema_of_file(file: FileLike, references: tuple[SchemaReference, ...] = ()) -> Schema:
    """The schema confluent-kafka registers for `file`: its serialized descriptor in base64."""
    text = base64.standard_b64encode(_file_proto(file).SerializeToString()).decode("ascii")
    return Schema(text, PROTOBUF, references)


def compile_schema(schema: Schema, client: RegistryClient | None) -> ParsedProtobuf:
    """Compile a registered schema (fetching its references) with the registry's plug-in."""
    if schema.schema_type != PROTOBUF:
        raise SchemaError(f"expected a PROTOBUF schema, got {schema.schema_type}")
    try:
        return parse_with_references(_FORMAT.parse, schema, client)[0]
    except CompatError as exc:
        raise SchemaError(str(exc)) from exc


def pool_of(parsed: ParsedProtobuf) -> descriptor_pool.DescriptorPool:
    """A descriptor pool of its own holding a compiled schema and every file it imports."""
    pool = descriptor_pool.DescriptorPool()
    for dependency in parsed.compiled.dependencies:
        pool.Add(dependency)
    pool.Add(parsed.file)
    return pool


def message_class(parsed: ParsedProtobuf, full_name: str) -> type[Message]:
    """A dynamic message class for `full_name` in a compiled schema (its own descriptor pool)."""
    pool = pool_of(parsed)
    try:
        descriptor = pool.FindMessageTypeByName(full_name)
    except KeyError as exc:
        raise SchemaError(f"no message {full_name!r} in the schema") from exc
    return message_factory.GetMessageClass(descriptor)


@dataclass(frozen=True, slots=True, eq=False)
class ProtobufSchema:
    """A Protobuf schema as the serdes use it: its file, and its descriptors once compiled.

    `compiled` is None only for a serializer's own generated file, which its message class
    already describes and which needs no compiling (its imports are not registered yet).
    `contract` is the registered schema's rules, None without any; `origin` the schema as
    registered (None for the serializer's own file).
    """

    file: FileDescriptorProto
    compiled: ParsedProtobuf | None = None
    contract: Contract | None = None
    origin: Schema | None = None


class ProtobufCodec:
    """Protobuf for the shared serdes machinery (a `SchemaCodec[ProtobufSchema]`).

    With `message_type` it is a serializer's view: records are that message, its file is
    registered the way confluent-kafka does (imports first, as references), and a registered
    copy of that file is used without compiling. Without, it compiles every schema it sees.
    """

    __slots__ = ("_client", "_lock", "_message", "_own", "_own_text", "_references")

    def __init__(self, client: RegistryClient, message_type: type[Message] | None = None) -> None:
        self._client = client
        self._message = message_type
        self._own: ProtobufSchema | None = None
        self._own_text: str | None = None
        if message_type is not None:
            file = message_type.DESCRIPTOR.file
            self._own = ProtobufSchema(_file_proto(file))
            self._own_text = schema_of_file(file).schema_str
        self._lock = threading.Lock()
        self._references: tuple[SchemaReference, ...] | None = None

    def parse(self, schema: Schema) -> ProtobufSchema:
        """The serializer's own file as it is; any other schema compiled (references fetched)."""
        contract = contract_of(schema)
        if (
            self._own is not None
            and schema.references == ()
            and schema.schema_str == self._own_text
        ):
            return self._own if contract is None else ProtobufSchema(self._own.file, None, contract)
        compiled = compile_schema(schema, self._client)
        return ProtobufSchema(compiled.file, compiled, contract, schema)

    def record_name(self, parsed: ProtobufSchema) -> str | None:
        """The full name of the message written (None for a deserializer's codec)."""
        return self._message.DESCRIPTOR.full_name if self._message is not None else None

    def prefix(self, schema_id: int, parsed: ProtobufSchema) -> bytes:
        """The id prefix and the index path of the message written in the `parsed` file."""
        name = self.record_name(parsed)
        if name is None:
            raise SchemaError("a message type is needed to write Protobuf records")
        try:
            return id_prefix(schema_id, message_index(parsed.file, name))
        except KeyError as exc:
            raise SchemaError(f"the registered schema has no message {name!r}") from exc

    def with_references(self, schema: Schema, register: Register) -> Schema:
        """The own file's schema with its imports registered (or looked up) as references.

        Done once: every subject the serializer writes to names the same references.
        """
        with self._lock:
            if self._references is None:
                if self._message is None:
                    raise SchemaError("a message type is needed to register Protobuf schemas")
                self._references = self._dependencies(self._message.DESCRIPTOR.file, register)
        return Schema(schema.schema_str, PROTOBUF, self._references)

    def _dependencies(self, file: FileLike, register: Register) -> tuple[SchemaReference, ...]:
        references: list[SchemaReference] = []
        for dependency in file.dependencies:
            if well_known_import(dependency.name):
                continue
            nested = self._dependencies(dependency, register)
            schema = schema_of_file(dependency, nested)
            # Confluent's default reference subject strategy: the import path itself.
            subject = dependency.name
            registered = register(subject, schema)
            if registered.version is None:
                # Confluent's registration answer carries only the id; a lookup names the version.
                registered = self._client.lookup_schema(subject, schema)
            if registered.version is None:
                raise SchemaRegistryError(
                    f"the registry did not say which version of {subject!r} was registered",
                    status=200,
                    error_code=-1,
                )
            references.append(SchemaReference(dependency.name, subject, registered.version))
        return tuple(references)


class ProtobufSerializer:
    """`serializer(message, ctx) -> bytes`: id prefix, message indexes, Protobuf encoding.

    Arguments are confluent-kafka's, in its order: the message class, the client, and a conf
    dict (its serializer keys; `use.deprecated.format` and `skip.known.types` are accepted
    at their defaults, False and True). With `use.latest.*` or `use.schema.id`, the writer
    schema's WRITE rules run on each message first and its encoding rules on the encoded
    bytes (after the message indexes), through `rule_registry`.
    """

    __slots__ = ("_engine", "_msg_type", "_writers")

    def __init__(
        self,
        msg_type: type[Message],
        schema_registry_client: RegistryClient,
        conf: Mapping[str, object] | None = None,
        *,
        rule_registry: RuleRegistry | None = None,
    ) -> None:
        conf = dict(conf or {})
        for key, supported in _COMPAT_KEYS.items():
            if key in conf and conf.pop(key) != supported:
                raise SerdesConfigError(f"{key} is only supported at its default, {supported}")
        self._msg_type = msg_type
        config = SerializerConfig.from_conf(conf)
        self._writers = WriterResolver(
            schema_registry_client,
            schema_of_file(msg_type.DESCRIPTOR.file),
            config,
            ProtobufCodec(schema_registry_client, msg_type),
        )
        # As Confluent's clients: rules run only on a schema taken from the registry.
        from_registry = config.uses_latest or config.use_schema_id is not None
        self._engine = RuleEngine(rule_registry) if from_registry else None

    def __call__(self, message: object, ctx: ContextLike | None = None) -> bytes | None:
        """Serialize `message` (None stays None: a tombstone is never framed)."""
        if message is None:
            return None
        try:
            if not isinstance(message, self._msg_type):
                raise PayloadError(
                    f"expected a {self._msg_type.DESCRIPTOR.full_name} message, "
                    f"got {type(message).__name__}"
                )
            writer = self._writers.writer(ctx)
            if self._engine is not None:
                message = self._engine.on_write(
                    writer.subject, ctx, writer.parsed.contract, message, _WALKER
                )
                if not isinstance(message, Message):
                    raise PayloadError("a WRITE rule did not return a Protobuf message")
                return self._engine.on_encode(
                    writer.subject,
                    ctx,
                    writer.parsed.contract,
                    writer.prefix + message.SerializeToString(),
                    len(writer.prefix),
                )
            return writer.prefix + message.SerializeToString()
        except SerdesError as error:
            raise locate(error, ctx) from error.__cause__


@dataclass(frozen=True, slots=True)
class _Reader:
    """The class records of one writer schema and message are parsed into, and their rules.

    `name` is the writer's message (None when the indexes name none).
    """

    cls: type[Message]
    rules: ReadRules | None
    name: str | None = None


class ProtobufDeserializer:
    """`deserializer(data, ctx) -> Message`: reads the framing and indexes, then the message.

    Arguments follow confluent-kafka's (`message_type`, `conf`), plus the client, which is
    needed only when `message_type` is None: the message class is then built from the
    writer's schema. `conf` takes confluent-kafka's keys (`use.latest.version`,
    `use.latest.with.metadata`, `subject.name.strategy`, and `use.deprecated.format` at its
    default, False). With a client, the writer schema's encoding rules run on the payload
    before it is parsed, and the reader schema's READ rules on each message, through
    `rule_registry`: the writer's, or with `use.latest.*` the subject's latest version's,
    after JSONata migrations from the writer's version (`serdes._protolatest`).
    """

    __slots__ = ("_config", "_engine", "_latest", "_message_type", "_readers", "_schemas")

    def __init__(
        self,
        message_type: type[Message] | None = None,
        conf: Mapping[str, object] | None = None,
        schema_registry_client: RegistryClient | None = None,
        *,
        rule_registry: RuleRegistry | None = None,
    ) -> None:
        conf = dict(conf or {})
        if conf.pop("use.deprecated.format", False) is not False:
            raise SerdesConfigError("use.deprecated.format is only supported at False")
        self._config = config = DeserializerConfig.from_conf(conf)
        if message_type is None and schema_registry_client is None:
            raise SerdesConfigError("without a message type, a registry client is needed")
        if config.uses_latest and schema_registry_client is None:
            raise SerdesConfigError("use.latest.* needs a registry client")
        self._message_type = message_type
        self._engine = RuleEngine(rule_registry)
        self._schemas: SchemaFetcher[ProtobufSchema] | None = None
        self._latest: LatestReader | None = None
        if schema_registry_client is not None:
            self._schemas = SchemaFetcher(
                schema_registry_client,
                ProtobufCodec(schema_registry_client),
                latest_metadata=config.use_latest_with_metadata,
            )
            if config.uses_latest:
                self._latest = LatestReader(
                    self._schemas,
                    schema_registry_client,
                    self._engine,
                    message_type,
                    config.strategy,
                    _WALKER,
                    message_class,
                )
        # By writer schema and message indexes: the class to parse into and the READ rules.
        self._readers: OncePerKey[tuple[SchemaKey, tuple[int, ...]], _Reader] = OncePerKey()

    def __call__(self, data: bytes | None, ctx: ContextLike | None = None) -> Any:
        """Deserialize `data` (None stays None)."""
        if data is None:
            return None
        try:
            headers = ctx.headers if ctx is not None else None
            key: SchemaKey
            if not headers and len(data) > ID_PREFIX_LEN and data[0] == 0 and data[5] == 0:
                # The common case, id prefix and the `[0]` shortcut, without a Frame.
                schema_id = int.from_bytes(data[1:ID_PREFIX_LEN], "big", signed=True)
                if schema_id < 0:
                    raise FramingError(f"negative schema id {schema_id} in the prefix")
                key, indexes, start = schema_id, _FIRST, ID_PREFIX_LEN + 1
            else:
                frame = read_frame(
                    data, headers, is_key=bool(headers) and is_key(ctx), with_indexes=True
                )
                if frame.guid is not None:
                    key = frame.guid
                else:
                    assert frame.schema_id is not None  # a frame without a GUID has an id
                    key = frame.schema_id
                indexes, start = frame.indexes or _FIRST, frame.payload_start
            rules: ReadRules | None = None
            if self._schemas is None:
                assert self._message_type is not None  # checked in __init__
                cls = self._message_type
            else:
                reader = self._readers.get((key, indexes)) or self._reader(key, indexes)
                cls, rules = reader.cls, reader.rules
            payload = data
            if rules is not None and rules.encoding is not None and ctx is not None:
                # The writer's encoding rules (ENCRYPT_PAYLOAD) undo what it did to the bytes.
                subject = subject_for(self._config.strategy, ctx, cls.DESCRIPTOR.full_name)
                payload = self._engine.on_decode(subject, ctx, rules.encoding, data, start)
                start = 0
            if self._latest is not None:
                return self._latest.read(key, indexes, reader.name, payload[start:], data, ctx)
            try:
                message = cls.FromString(payload[start:])
            except DecodeError as exc:
                raise PayloadError(f"payload is not a valid {cls.DESCRIPTOR.full_name}") from exc
            if rules is None or ctx is None:
                return message
            subject = subject_for(self._config.strategy, ctx, cls.DESCRIPTOR.full_name)
            return read_with_rules(
                self._engine, rules, subject=subject, ctx=ctx, message=message, original=data
            )
        except SerdesError as error:
            raise locate(error, ctx) from error.__cause__

    def _reader(self, key: SchemaKey, indexes: tuple[int, ...]) -> _Reader:
        """How to read messages at `indexes` in writer schema `key`, worked out once."""
        return self._readers.once((key, indexes), partial(self._build, key, indexes))

    def _build(self, key: SchemaKey, indexes: tuple[int, ...]) -> _Reader:
        schemas = self._schemas
        assert schemas is not None  # only called with a client
        parsed = schemas.writer(key)
        contract = parsed.contract
        rules = ReadRules((), contract, _WALKER, encoding_of(contract)) if contract else None
        try:
            name: str | None = message_name(parsed.file, indexes)
        except KeyError as exc:
            if self._message_type is None or self._latest is not None:
                raise FramingError(f"message indexes {list(indexes)} name no message") from exc
            name = None
        if self._message_type is not None:
            return _Reader(self._message_type, rules, name)
        # A deserializer's codec has no message type, so it compiles every schema.
        assert parsed.compiled is not None
        assert name is not None
        return _Reader(message_class(parsed.compiled, name), rules, name)
