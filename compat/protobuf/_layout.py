"""Where a message's members go in the text, so that nested types keep their order.

protoc numbers a message's nested types in the order they appear in the text, and a map
field or a group creates a nested type where the field is written. Message indexes on the
wire count those types, so the text must reproduce the descriptor's nested-type order.

Confluent's layout (plain fields, then oneofs, then groups, then nested messages) does so
whenever every map entry and group comes before the declared nested messages, which covers
most schemas. When it does not (commonly: nested messages declared before a map field that
uses them), the members are written in declaration order instead, each declared nested
message just before the first field that protoc numbered after it.
"""

from __future__ import annotations

from dataclasses import dataclass

from google.protobuf.descriptor_pb2 import DescriptorProto, FieldDescriptorProto

_GROUP = FieldDescriptorProto.TYPE_GROUP


@dataclass(frozen=True, slots=True)
class Unit:
    """Members written together: one plain field or group, or all the fields of one oneof."""

    fields: tuple[FieldDescriptorProto, ...]
    oneof: int | None = None
    """The oneof's index in the message, for a oneof unit."""


@dataclass(frozen=True, slots=True)
class MessageLayout:
    """The members of one message in the order they are written."""

    plain: tuple[FieldDescriptorProto, ...]
    """Fields outside oneofs that are not groups."""
    oneofs: tuple[Unit, ...]
    groups: tuple[FieldDescriptorProto, ...]
    """Groups outside oneofs."""
    declared: tuple[tuple[int, DescriptorProto], ...]
    """Nested messages written as such (not map entries or group bodies), with their index."""
    keeps_order: bool
    """Whether Confluent's layout reproduces the nested-type order."""
    units: tuple[Unit, ...]
    """Every field unit, in declaration order (by number when normalising)."""
    anchors: dict[str, int]
    """Field name -> index of the nested type the field creates (map entry or group body)."""


def _short(type_name: str) -> str:
    return type_name.rsplit(".", 1)[-1]


def _anchors(message: DescriptorProto) -> dict[str, int]:
    index = {n.name: i for i, n in enumerate(message.nested_type)}
    anchors = {}
    for field in message.field:
        target = index.get(_short(field.type_name)) if field.type_name else None
        if target is None:
            continue
        nested = message.nested_type[target]
        is_map = nested.options.map_entry and field.label == FieldDescriptorProto.LABEL_REPEATED
        if is_map or field.type == _GROUP:
            anchors[field.name] = target
    return anchors


def _real_oneofs(message: DescriptorProto) -> list[int]:
    return [
        i
        for i in range(len(message.oneof_decl))
        if any(
            f.HasField("oneof_index") and f.oneof_index == i and not f.proto3_optional
            for f in message.field
        )
    ]


def plan(message: DescriptorProto, *, normalize: bool) -> MessageLayout:
    """The layout of `message`'s members; `normalize` sorts fields and oneofs by number."""
    real = _real_oneofs(message)
    members = {
        i: [f for f in message.field if f.HasField("oneof_index") and f.oneof_index == i]
        for i in real
    }
    units: list[Unit] = []
    placed: set[int] = set()
    for field in message.field:
        oneof = field.oneof_index if field.HasField("oneof_index") else None
        if oneof in members:
            if oneof not in placed:
                placed.add(oneof)
                units.append(Unit(tuple(members[oneof]), oneof))
        else:
            units.append(Unit((field,)))
    if normalize:
        units = [Unit(tuple(sorted(u.fields, key=lambda f: f.number)), u.oneof) for u in units]
        units.sort(key=lambda u: u.fields[0].number)
    anchors = _anchors(message)
    plain = tuple(u.fields[0] for u in units if u.oneof is None and u.fields[0].type != _GROUP)
    groups = tuple(u.fields[0] for u in units if u.oneof is None and u.fields[0].type == _GROUP)
    oneofs = tuple(u for u in units if u.oneof is not None)
    oneof_fields = [f for u in oneofs for f in u.fields]
    hidden = set(anchors.values())
    declared = tuple((i, n) for i, n in enumerate(message.nested_type) if i not in hidden)
    # protoc's numbering of the text Confluent's layout would produce.
    confluent_order = [
        *(anchors[f.name] for f in plain if f.name in anchors),
        *(anchors[f.name] for f in oneof_fields if f.name in anchors),
        *(anchors[f.name] for f in groups),
        *(i for i, _ in declared),
    ]
    return MessageLayout(
        plain,
        oneofs,
        groups,
        declared,
        confluent_order == list(range(len(message.nested_type))),
        tuple(units),
        anchors,
    )
