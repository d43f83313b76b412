"""Options of a descriptor as `.proto` text: built-in options and custom (extension) options.

protoc stores custom options as unknown fields of the options message, because the
extensions that define them live in the schema, not in the runtime. To print them the
options are re-read with message classes from a descriptor pool holding the schema and its
imports, where those extensions are known. The pool is built only when some options carry
extension or unknown fields, which plain schemas never do.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from google.protobuf import descriptor_pool, message_factory
from google.protobuf.descriptor import FieldDescriptor
from google.protobuf.descriptor_pb2 import FileDescriptorProto
from google.protobuf.message import DecodeError, Message
from google.protobuf.unknown_fields import UnknownFieldSet

from compat.errors import SchemaParseError

#: Options protoc sets itself or that belong to features Cairn does not render.
_SKIPPED = frozenset({"uninterpreted_option", "map_entry", "features"})

_ESCAPES = {
    "\a": "\\a",
    "\b": "\\b",
    "\f": "\\f",
    "\n": "\\n",
    "\r": "\\r",
    "\t": "\\t",
    "\v": "\\v",
    "\\": "\\\\",
    "'": "\\'",
    '"': '\\"',
}


def escape(text: str) -> str:
    """`text` escaped for a double-quoted `.proto` string, as Confluent escapes it.

    Other control characters become octal escapes so that the text stays printable.
    """
    out = []
    for char in text:
        if char in _ESCAPES:
            out.append(_ESCAPES[char])
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            out.append(f"\\{ord(char):03o}")
        else:
            out.append(char)
    return "".join(out)


def _escape_bytes(data: bytes) -> str:
    out = []
    for byte in data:
        char = chr(byte)
        if char in _ESCAPES:
            out.append(_ESCAPES[char])
        elif 0x20 <= byte < 0x7F:
            out.append(char)
        else:
            out.append(f"\\{byte:03o}")
    return "".join(out)


def _float_text(value: float) -> str:
    if math.isnan(value):
        return "nan"
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    return repr(value)


@dataclass(frozen=True, slots=True)
class Option:
    """One option as written: `name = value`, the name in parentheses for a custom option."""

    name: str
    value: str
    custom: bool = False

    def text(self) -> str:
        """`name = value` (or `(name) = value`)."""
        return f"({self.name}) = {self.value}" if self.custom else f"{self.name} = {self.value}"


def _scalar(fd: FieldDescriptor, value: object) -> str:
    if fd.type == FieldDescriptor.TYPE_BOOL:
        return "true" if value else "false"
    if fd.type == FieldDescriptor.TYPE_ENUM:
        assert isinstance(value, int)
        assert fd.enum_type is not None
        enum_value = fd.enum_type.values_by_number.get(value)
        return enum_value.name if enum_value is not None else str(value)
    if fd.type == FieldDescriptor.TYPE_STRING:
        assert isinstance(value, str)
        return f'"{escape(value)}"'
    if fd.type == FieldDescriptor.TYPE_BYTES:
        assert isinstance(value, bytes)
        return f'"{_escape_bytes(value)}"'
    if fd.type in (FieldDescriptor.TYPE_FLOAT, FieldDescriptor.TYPE_DOUBLE):
        assert isinstance(value, float)
        return _float_text(value)
    return str(value)


def _indent(text: str) -> str:
    return "\n".join("  " + line for line in text.split("\n"))


def _value(fd: FieldDescriptor, value: object) -> str:
    if fd.type in (FieldDescriptor.TYPE_MESSAGE, FieldDescriptor.TYPE_GROUP):
        assert isinstance(value, Message)
        return aggregate(value)
    return _scalar(fd, value)


def _map_items(fd: FieldDescriptor, value: object) -> list[str]:
    """A map field's entries as `{ key: …, value: … }` items, ordered by key."""
    assert isinstance(value, Mapping)
    assert fd.message_type is not None
    key_fd = fd.message_type.fields_by_name["key"]
    value_fd = fd.message_type.fields_by_name["value"]
    return [
        "{\n"
        + _indent(f"key: {_value(key_fd, k)}")
        + ",\n"
        + _indent(f"value: {_value(value_fd, value[k])}")
        + "\n}"
        for k in sorted(value)
    ]


def aggregate(message: Message) -> str:
    """A message value in the text syntax of option aggregates, one field per line."""
    entries = []
    for fd, value in message.ListFields():
        name = f"[{fd.full_name}]" if fd.is_extension else fd.name
        if fd.message_type is not None and fd.message_type.GetOptions().map_entry:
            items = ",\n".join(_indent(item) for item in _map_items(fd, value))
            entries.append(f"{name}: [\n{items}\n]")
        elif fd.is_repeated:
            items = ",\n".join(_indent(_value(fd, item)) for item in value)
            entries.append(f"{name}: [\n{items}\n]")
        else:
            entries.append(f"{name}: {_value(fd, value)}")
    if not entries:
        return "{}"
    return "{\n" + ",\n".join(_indent(e) for e in entries) + "\n}"


def _entries(message: Message, *, custom: bool) -> list[Option]:
    options: list[Option] = []
    for fd, value in message.ListFields():
        if fd.name in _SKIPPED or fd.is_extension != custom:
            continue
        name = fd.full_name if custom else fd.name
        values = value if fd.is_repeated else [value]
        options.extend(Option(name, _value(fd, item), custom) for item in values)
    return options


@dataclass(slots=True)
class OptionReader:
    """Reads built-in and custom options of the descriptors of one compiled schema."""

    files: Sequence[FileDescriptorProto]
    """The schema's imports, dependencies first, then the schema itself."""
    _pool: descriptor_pool.DescriptorPool | None = field(default=None, init=False)

    def _reread(self, options: Message) -> Message:
        if self._pool is None:
            pool = descriptor_pool.DescriptorPool()
            try:
                for file in self.files:
                    pool.Add(file)
            except (TypeError, ValueError) as exc:
                raise SchemaParseError(f"Invalid schema: {exc}") from exc
            self._pool = pool
        try:
            descriptor = self._pool.FindMessageTypeByName(options.DESCRIPTOR.full_name)
        except KeyError:
            return options
        copy = message_factory.GetMessageClass(descriptor)()
        try:
            copy.ParseFromString(options.SerializeToString())
        except DecodeError as exc:
            raise SchemaParseError(f"Invalid schema: unreadable custom option: {exc}") from exc
        return copy

    def options(self, options: Message) -> list[Option]:
        """The options set in `options`, built-in ones first, each in field-number order."""
        builtin = _entries(options, custom=False)
        # A custom option is an unknown field, unless some module already loaded into the
        # process registered an extension with that number (confluent-kafka registers
        # Confluent's meta options, for one); either way it is re-read against the schema.
        known = any(fd.is_extension for fd, _ in options.ListFields())
        if not known and not len(UnknownFieldSet(options)):
            return builtin
        return builtin + _entries(self._reread(options), custom=True)
