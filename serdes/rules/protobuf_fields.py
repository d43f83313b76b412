"""The Protobuf field walk for field rules, and messages as plain values for CEL and JSONata.

A field's full name is its descriptor's full name (`pkg.Message.field`); its tags are its
inline tags (Confluent's `[(confluent.field_meta).tags = "PII"]` option, from
`confluent/meta.proto`) plus the contract's metadata tags matching that name. Unset fields
with presence are skipped. The walk works on a copy, so the application's message is never
changed in place.
"""

from __future__ import annotations

from typing import Any

from google.protobuf import descriptor_pool, message_factory
from google.protobuf.descriptor import FieldDescriptor
from google.protobuf.descriptor_pb2 import FieldDescriptorProto, FileDescriptorProto
from google.protobuf.message import DecodeError, Message

from serdes.rules.context import FieldContext, FieldTransform, FieldType, RuleContext

#: A field descriptor, from the pure-Python or the upb implementation (typed differently).
Field = Any

_SCALARS = {
    FieldDescriptor.TYPE_STRING: FieldType.STRING,
    FieldDescriptor.TYPE_BYTES: FieldType.BYTES,
    FieldDescriptor.TYPE_BOOL: FieldType.BOOLEAN,
    FieldDescriptor.TYPE_FLOAT: FieldType.FLOAT,
    FieldDescriptor.TYPE_DOUBLE: FieldType.DOUBLE,
    FieldDescriptor.TYPE_ENUM: FieldType.ENUM,
    FieldDescriptor.TYPE_INT32: FieldType.INT,
    FieldDescriptor.TYPE_SINT32: FieldType.INT,
    FieldDescriptor.TYPE_SFIXED32: FieldType.INT,
    FieldDescriptor.TYPE_UINT32: FieldType.INT,
    FieldDescriptor.TYPE_FIXED32: FieldType.INT,
    FieldDescriptor.TYPE_INT64: FieldType.LONG,
    FieldDescriptor.TYPE_SINT64: FieldType.LONG,
    FieldDescriptor.TYPE_SFIXED64: FieldType.LONG,
    FieldDescriptor.TYPE_UINT64: FieldType.LONG,
    FieldDescriptor.TYPE_FIXED64: FieldType.LONG,
}


#: The field number of Confluent's `confluent.field_meta` option (`google.protobuf.FieldOptions`).
FIELD_META = 1088
_NO_TAGS: frozenset[str] = frozenset()


def _options_reader() -> type[Message]:
    """A message class reading a field's serialized options for `confluent.field_meta` tags.

    The option is an extension the application's descriptor pool may not know, so the
    options are read by number through this stand-in (`Meta.tags` is field 3), whichever
    pool the field's descriptor comes from.
    """
    file = FileDescriptorProto(name="cairn/field_meta_tags.proto", package="cairn.rules")
    meta = file.message_type.add(name="Meta")
    meta.field.add(
        name="tags",
        number=3,
        type=FieldDescriptorProto.TYPE_STRING,
        label=FieldDescriptorProto.LABEL_REPEATED,
    )
    options = file.message_type.add(name="FieldOptions")
    options.field.add(
        name="field_meta",
        number=FIELD_META,
        type=FieldDescriptorProto.TYPE_MESSAGE,
        label=FieldDescriptorProto.LABEL_OPTIONAL,
        type_name=".cairn.rules.Meta",
    )
    pool = descriptor_pool.DescriptorPool()
    pool.Add(file)
    return message_factory.GetMessageClass(pool.FindMessageTypeByName("cairn.rules.FieldOptions"))


def _is_map(field: Field) -> bool:
    message_type = field.message_type
    return message_type is not None and bool(message_type.GetOptions().map_entry)


def _is_repeated(field: Field) -> bool:
    # `is_repeated` in newer protobuf releases (which drop `label`), `label` in older ones.
    repeated = getattr(field, "is_repeated", None)
    if repeated is None:
        return bool(field.label == FieldDescriptor.LABEL_REPEATED)
    return bool(repeated)


def type_of(field: Field) -> FieldType:
    """A field's type, with Confluent's names."""
    if _is_map(field):
        return FieldType.MAP
    if _is_repeated(field):
        return FieldType.ARRAY
    if field.type in (FieldDescriptor.TYPE_MESSAGE, FieldDescriptor.TYPE_GROUP):
        return FieldType.RECORD
    return _SCALARS.get(field.type, FieldType.NULL)


def message_to_plain(message: Message) -> dict[str, Any]:
    """Every field by its proto name (scalars at their defaults included), nested as dicts."""
    out: dict[str, Any] = {}
    field: Field
    for field in message.DESCRIPTOR.fields:
        value = getattr(message, field.name)
        if _is_map(field):
            value_field = field.message_type.fields_by_name["value"]
            out[field.name] = {k: _plain_value(value_field, v) for k, v in value.items()}
        elif _is_repeated(field):
            out[field.name] = [_plain_value(field, v) for v in value]
        elif field.type == FieldDescriptor.TYPE_MESSAGE:
            out[field.name] = message_to_plain(value) if message.HasField(field.name) else None
        else:
            out[field.name] = value
    return out


def _plain_value(field: Field, value: Any) -> Any:
    return message_to_plain(value) if isinstance(value, Message) else value


def plain_to_message(cls: type[Message], value: dict[str, Any]) -> Message:
    """A new `cls` message from a dict of its fields by proto name (what CEL returns)."""
    message = cls()
    _fill(message, value)
    return message


def _fill(message: Message, value: dict[str, Any]) -> None:
    fields: dict[str, Field] = dict(message.DESCRIPTOR.fields_by_name)
    for name, item in value.items():
        field = fields.get(name)
        if field is None or item is None:
            continue
        target = getattr(message, name)
        if _is_map(field):
            value_field = field.message_type.fields_by_name["value"]
            for key, entry in item.items():
                if value_field.type == FieldDescriptor.TYPE_MESSAGE:
                    _fill(target[key], entry)
                else:
                    target[key] = entry
        elif _is_repeated(field):
            for entry in item:
                if field.type == FieldDescriptor.TYPE_MESSAGE:
                    _fill(target.add(), entry)
                else:
                    target.append(entry)
        elif field.type == FieldDescriptor.TYPE_MESSAGE:
            _fill(target, item)
        else:
            setattr(message, name, item)


class ProtobufFieldWalker:
    """Walks messages with field rules (no per-record state: the descriptor, with its inline
    tags, travels with the message)."""

    __slots__ = ("_options",)

    def __init__(self) -> None:
        self._options = _options_reader()

    def inline_tags(self, field: Field) -> frozenset[str]:
        """The field's `confluent.field_meta` tags (none when it has no options)."""
        if not field.has_options:
            return _NO_TAGS
        try:
            options: Any = self._options.FromString(field.GetOptions().SerializeToString())
        except DecodeError:
            # Something else at that number: not Confluent's option, so no tags.
            return _NO_TAGS
        return frozenset(options.field_meta.tags) if options.HasField("field_meta") else _NO_TAGS

    def __call__(self, ctx: RuleContext, transform: FieldTransform, message: Any) -> Any:
        """A copy of `message` with every matching field transformed (or checked)."""
        if not isinstance(message, Message):
            return message
        copy = type(message)()
        copy.CopyFrom(message)
        self._message(ctx, transform, copy)
        return copy

    def _message(self, ctx: RuleContext, transform: FieldTransform, message: Message) -> None:
        field: Field
        for field in message.DESCRIPTOR.fields:
            if field.has_presence and not _is_repeated(field) and not message.HasField(field.name):
                continue
            tags = ctx.field_tags(field.full_name, self.inline_tags(field))
            kind = type_of(field)
            info = FieldContext(message, field.full_name, field.name, kind, tags)
            value = getattr(message, field.name)
            if _is_map(field) or _is_repeated(field):
                self._container(ctx, transform, field, info, value)
            elif kind is FieldType.RECORD:
                self._message(ctx, transform, value)
            elif ctx.applies_to(info):
                result = ctx.field_result(value, transform(ctx, info, value))
                if result is not value:
                    setattr(message, field.name, result)

    def _container(
        self,
        ctx: RuleContext,
        transform: FieldTransform,
        field: Field,
        info: FieldContext,
        value: Any,
    ) -> None:
        element = field.message_type.fields_by_name["value"] if _is_map(field) else field
        if element.type == FieldDescriptor.TYPE_MESSAGE:
            for entry in value.values() if _is_map(field) else value:
                self._message(ctx, transform, entry)
            return
        element_type = _SCALARS.get(element.type, FieldType.NULL)
        item = FieldContext(info.containing, info.full_name, info.name, element_type, info.tags)
        if not ctx.applies_to(item):
            return
        if _is_map(field):
            for key in list(value):
                value[key] = ctx.field_result(value[key], transform(ctx, item, value[key]))
        else:
            for index in range(len(value)):
                value[index] = ctx.field_result(value[index], transform(ctx, item, value[index]))
