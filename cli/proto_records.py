"""Random Protobuf messages for a compiled schema: scalars, enums, nested messages, maps, oneofs.

The message class is built from the schema's own descriptors (a private descriptor pool), so
every value is checked by protobuf itself when it is set; output is the canonical proto3 JSON
mapping, or the serialized bytes for the wire format.
"""

from __future__ import annotations

import random

from google.protobuf import json_format, message_factory
from google.protobuf.descriptor import Descriptor, FieldDescriptor
from google.protobuf.message import Message

from cli.errors import InputError
from cli.fake_values import text_for, timestamp
from compat.protobuf import ParsedProtobuf, encode_indexes, message_index
from serdes.protobuf import pool_of

_INTS = {
    FieldDescriptor.TYPE_INT32: (-1000, 100_000),
    FieldDescriptor.TYPE_SINT32: (-1000, 100_000),
    FieldDescriptor.TYPE_SFIXED32: (-1000, 100_000),
    FieldDescriptor.TYPE_INT64: (-1000, 10**12),
    FieldDescriptor.TYPE_SINT64: (-1000, 10**12),
    FieldDescriptor.TYPE_SFIXED64: (-1000, 10**12),
    FieldDescriptor.TYPE_UINT32: (0, 100_000),
    FieldDescriptor.TYPE_FIXED32: (0, 100_000),
    FieldDescriptor.TYPE_UINT64: (0, 10**12),
    FieldDescriptor.TYPE_FIXED64: (0, 10**12),
}
MAX_DEPTH = 6


class ProtoRecordGenerator:
    """Generates messages of one message type of a Protobuf schema (the first by default)."""

    def __init__(self, parsed: ParsedProtobuf, message: str | None, *, seed: int | None) -> None:
        pool = pool_of(parsed)
        package = parsed.file.package
        if message is None:
            if not parsed.file.message_type:
                raise InputError("The schema defines no message to generate")
            message = parsed.file.message_type[0].name
        full = message if "." in message or not package else f"{package}.{message}"
        try:
            self._descriptor: Descriptor = pool.FindMessageTypeByName(full)
        except KeyError:
            raise InputError(
                f"The schema has no message {full!r}; pick one with --message"
            ) from None
        self._class = message_factory.GetMessageClass(self._descriptor)
        self.indexes = message_index(parsed.file, full)
        self._rng = random.Random(seed)

    def record(self) -> Message:
        """One message with every field (or one member of each oneof) filled in."""
        message: Message = self._class()
        self._fill(message, self._descriptor, 0)
        return message

    def _fill(self, message: Message, descriptor: Descriptor, depth: int) -> None:
        chosen = {
            oneof.name: self._rng.choice(list(oneof.fields))
            for oneof in descriptor.oneofs
            if oneof.fields and not _synthetic(oneof.fields[0])
        }
        for field in descriptor.fields:
            oneof = field.containing_oneof
            if oneof is not None and oneof.name in chosen and chosen[oneof.name] is not field:
                continue
            self._set(message, field, depth)

    def _set(self, message: Message, field: FieldDescriptor, depth: int) -> None:
        if field.message_type is not None and field.message_type.GetOptions().map_entry:
            container = getattr(message, field.name)
            key_field = field.message_type.fields_by_name["key"]
            value_field = field.message_type.fields_by_name["value"]
            for _ in range(self._rng.randint(0, 2)):
                key = self._scalar(key_field, field.name)
                if value_field.message_type is not None:
                    if depth < MAX_DEPTH:
                        self._fill(container[key], value_field.message_type, depth + 1)
                else:
                    container[key] = self._scalar(value_field, field.name)
            return
        if field.is_repeated:
            container = getattr(message, field.name)
            for _ in range(self._rng.randint(0, 3)):
                if field.message_type is not None:
                    if depth < MAX_DEPTH:
                        self._fill(container.add(), field.message_type, depth + 1)
                else:
                    container.append(self._scalar(field, field.name))
            return
        if field.message_type is not None:
            if depth < MAX_DEPTH:
                self._message(getattr(message, field.name), field.message_type, depth + 1)
            return
        setattr(message, field.name, self._scalar(field, field.name))

    def _message(self, target: Message, descriptor: Descriptor, depth: int) -> None:
        """A plausible instant for a well-known Timestamp; other messages field by field."""
        if descriptor.full_name == "google.protobuf.Timestamp":
            instant = timestamp(self._rng)
            target.FromDatetime(instant)  # type: ignore[attr-defined]
            return
        self._fill(target, descriptor, depth)
        target.SetInParent()

    def _scalar(self, field: FieldDescriptor, name: str) -> object:
        rng = self._rng
        kind = field.type
        if kind in _INTS:
            low, high = _INTS[kind]
            return rng.randint(low, high)
        if kind in (FieldDescriptor.TYPE_FLOAT, FieldDescriptor.TYPE_DOUBLE):
            return round(rng.uniform(0, 1000), 2)
        if kind == FieldDescriptor.TYPE_BOOL:
            return rng.random() < 0.5
        if kind == FieldDescriptor.TYPE_ENUM and field.enum_type is not None:
            return rng.choice([value.number for value in field.enum_type.values])
        if kind == FieldDescriptor.TYPE_BYTES:
            return bytes(rng.getrandbits(8) for _ in range(rng.randint(0, 8)))
        return text_for(name, rng)


def _synthetic(field: FieldDescriptor) -> bool:
    """A proto3 `optional` field sits in a synthetic oneof of its own; it is a plain field."""
    oneof = field.containing_oneof
    return oneof is not None and len(oneof.fields) == 1 and oneof.name == f"_{field.name}"


def to_json(message: Message) -> object:
    """The proto3 JSON mapping of a message (field names as in the schema)."""
    return json_format.MessageToDict(message, preserving_proto_field_name=True)


def wire_payload(generator: ProtoRecordGenerator, message: Message) -> bytes:
    """The message index path and the serialized message, as the wire format carries them."""
    return encode_indexes(generator.indexes) + message.SerializeToString()
