"""Reading one framed record with the new schema as the reader, one reader per format.

Each reader is built on the serdes' own deserializers, so a record fails here exactly when a
consumer using the new schema would fail on it:

* Avro: `AvroDeserializer` with the new schema as the reader schema, so the writer's data is
  projected into it by Avro's resolution rules (a missing default, a removed enum symbol, a
  type that does not promote);
* JSON Schema: `JSONDeserializer` validating the decoded value against the new schema
  instead of the writer's;
* Protobuf: the record's message indexes select a message of the new schema, which must be
  the message they select in the writer's schema (else a consumer would read a different
  type), and `ProtobufDeserializer` decodes the payload as that message.

A reader raises the serdes' errors; the caller decides which are the record's fault.
"""

from __future__ import annotations

from typing import Protocol

from google.protobuf.message import Message

from compat.protobuf import ParsedProtobuf, message_name
from compat.types import SchemaType
from serdes.avro import AvroDeserializer
from serdes.client import RegistryClient, Schema
from serdes.context import SerializationContext
from serdes.errors import FramingError
from serdes.framing import read_frame
from serdes.json_schema import JSONDeserializer
from serdes.protobuf import ProtobufDeserializer, compile_schema, message_class


class RecordReader(Protocol):
    """Reads one record's bytes with the new schema; raises a `SerdesError` when it cannot."""

    def read(self, data: bytes, ctx: SerializationContext) -> None:
        """Decode `data` (framing included) as a consumer with the new schema would."""


class AvroReader:
    """Avro resolution from each record's writer schema into the new schema."""

    def __init__(self, client: RegistryClient, new: Schema) -> None:
        self._deserializer = AvroDeserializer(client, new)

    def read(self, data: bytes, ctx: SerializationContext) -> None:
        """Decode and project into the new schema."""
        self._deserializer(data, ctx)


class JsonReader:
    """The decoded JSON value validated against the new schema."""

    def __init__(self, client: RegistryClient, new: Schema) -> None:
        self._deserializer = JSONDeserializer(new, None, client, {"validate": True})

    def read(self, data: bytes, ctx: SerializationContext) -> None:
        """Decode and validate against the new schema."""
        self._deserializer(data, ctx)


class ProtobufReader:
    """The payload decoded as the new schema's message at the record's message indexes."""

    def __init__(self, client: RegistryClient, new: Schema) -> None:
        self._client = client
        self._new = compile_schema(new, client)
        self._writers: dict[int | str, ParsedProtobuf] = {}
        self._deserializers: dict[str, ProtobufDeserializer] = {}

    def _writer(self, key: int | str) -> ParsedProtobuf:
        found = self._writers.get(key)
        if found is None:
            schema = (
                self._client.get_schema(key)
                if isinstance(key, int)
                else self._client.get_schema_by_guid(key)
            )
            found = self._writers[key] = compile_schema(schema, self._client)
        return found

    def _deserializer(self, name: str) -> ProtobufDeserializer:
        found = self._deserializers.get(name)
        if found is None:
            cls: type[Message] = message_class(self._new, name)
            found = self._deserializers[name] = ProtobufDeserializer(cls)
        return found

    def read(self, data: bytes, ctx: SerializationContext) -> None:
        """Select the new schema's message by the record's indexes, then decode."""
        is_key = ctx.field == "key"
        frame = read_frame(data, ctx.headers, is_key=is_key, with_indexes=True)
        indexes = frame.indexes or (0,)
        key: int | str = frame.schema_id if frame.schema_id is not None else str(frame.guid)
        try:
            name = message_name(self._new.file, indexes)
        except KeyError:
            raise FramingError(
                f"message indexes {list(indexes)} select no message in the new schema"
            ) from None
        try:
            written = message_name(self._writer(key).file, indexes)
        except KeyError:
            raise FramingError(
                f"message indexes {list(indexes)} select no message in the writer's schema"
            ) from None
        if written != name:
            raise FramingError(
                f"message indexes {list(indexes)} select {written} in the writer's schema but "
                f"{name} in the new schema"
            )
        self._deserializer(name)(data, ctx)


def reader_for(schema_type: SchemaType, client: RegistryClient, new: Schema) -> RecordReader:
    """The reader of the new schema's format (its construction parses the new schema)."""
    if schema_type is SchemaType.AVRO:
        return AvroReader(client, new)
    if schema_type is SchemaType.JSON:
        return JsonReader(client, new)
    return ProtobufReader(client, new)
