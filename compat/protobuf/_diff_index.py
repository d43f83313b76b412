"""Compiled descriptors seen the way Confluent's checker sees parsed `.proto` text.

Confluent diffs the syntax tree of the text (Square Wire's parser), not descriptors, so a few
things that protoc adds or rewrites must be undone before comparing:

* map fields are `repeated` references to a synthetic `...Entry` message; the checker sees
  `map<K, V>` and no entry message, so entries are hidden from type lists and fields that
  use them become map types;
* a proto3 `optional` field sits in a synthetic oneof; the checker sees a plain field with
  the `optional` label, so synthetic oneofs are dropped;
* labels are those written in the text: a proto3 field without a label and every oneof member
  have none (which is why `int32` -> `repeated int32` is not flagged), proto2 fields always
  have one;
* proto2 groups are not fields or nested types in Wire's tree, so the checker never sees them;
  they are hidden here too.

Editions files are not understood by Confluent's parser; Cairn compares them as if they were
proto3, counting `LEGACY_REQUIRED` presence as the `required` label.

Every type of a schema and of everything it imports is indexed by its full name (no leading
dot), once per comparison.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from google.protobuf.descriptor_pb2 import (
    DescriptorProto,
    EnumDescriptorProto,
    FeatureSet,
    FieldDescriptorProto,
    FileDescriptorProto,
)

from compat.protobuf._compile import CompiledProto

_F = FieldDescriptorProto
#: The scalar types by descriptor type number, spelled as in `.proto` text.
SCALAR_NAMES: dict[int, str] = {
    _F.TYPE_DOUBLE: "double",
    _F.TYPE_FLOAT: "float",
    _F.TYPE_INT64: "int64",
    _F.TYPE_UINT64: "uint64",
    _F.TYPE_INT32: "int32",
    _F.TYPE_FIXED64: "fixed64",
    _F.TYPE_FIXED32: "fixed32",
    _F.TYPE_BOOL: "bool",
    _F.TYPE_STRING: "string",
    _F.TYPE_BYTES: "bytes",
    _F.TYPE_UINT32: "uint32",
    _F.TYPE_SFIXED32: "sfixed32",
    _F.TYPE_SFIXED64: "sfixed64",
    _F.TYPE_SINT32: "sint32",
    _F.TYPE_SINT64: "sint64",
}


@dataclass(frozen=True, slots=True)
class FieldView:
    """A field as written: its label (None when the text has none) and its type.

    `type` is a scalar name (`int32`) or, for enums, messages and maps, the full name of the
    referenced type without the leading dot.
    """

    number: int
    name: str
    label: str | None
    type: str
    scalar: bool
    oneof: str | None


@dataclass(frozen=True, slots=True)
class MessageView:
    """A message's fields, real oneofs and visible nested types, in declaration order."""

    full_name: str
    fields: tuple[FieldView, ...]
    oneofs: tuple[str, ...]
    messages: tuple[tuple[str, str], ...]
    """Nested messages as (simple name, full name), map entries and groups left out."""
    enums: tuple[tuple[str, str], ...]
    """Nested enums as (simple name, full name)."""


@dataclass(frozen=True, slots=True)
class TypeInfo:
    """One message or enum: where it is declared and its descriptor."""

    full_name: str
    package: str
    syntax: str
    local: bool
    """Declared in the schema itself rather than in an imported file."""
    message: DescriptorProto | None
    enum: EnumDescriptorProto | None
    is_map: bool
    file_required: bool
    """The file defaults field presence to LEGACY_REQUIRED (editions only)."""


@dataclass(slots=True)
class Side:
    """Every type one schema can use, with message views built on first use."""

    file: FileDescriptorProto
    types: dict[str, TypeInfo]
    _views: dict[str, MessageView] = field(default_factory=dict)
    _cycles: dict[str, frozenset[str]] = field(default_factory=dict)

    def message(self, full_name: str) -> MessageView | None:
        """The view of the message `full_name`, or None when it is not a known message."""
        view = self._views.get(full_name)
        if view is None:
            info = self.types.get(full_name)
            if info is None or info.message is None:
                return None
            view = _message_view(self, info, info.message)
            self._views[full_name] = view
        return view

    def cycle(self, name: str) -> frozenset[str]:
        """The messages on a cycle through message `name` (its strongly connected component).

        Edges go from a message to the messages its fields use and to its nested messages.
        Components are found with Tarjan's algorithm, iteratively, from `name` on first use.
        """
        known = self._cycles.get(name)
        if known is not None:
            return known
        order: dict[str, int] = {}
        low: dict[str, int] = {}
        path: list[str] = []
        work: list[tuple[str, Iterator[str]]] = []

        def visit(node: str) -> None:
            order[node] = low[node] = len(order)
            path.append(node)
            work.append((node, self._successors(node)))

        visit(name)
        while work:
            node, successors = work[-1]
            for target in successors:
                if target in self._cycles:
                    continue  # finished earlier, in another component
                if target not in order:
                    visit(target)
                    break
                low[node] = min(low[node], order[target])  # still on the path
            else:
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[node])
                if low[node] == order[node]:
                    cut = path.index(node)
                    component = frozenset(path[cut:])
                    del path[cut:]
                    for member in component:
                        self._cycles[member] = component
        return self._cycles[name]

    def _successors(self, name: str) -> Iterator[str]:
        view = self.message(name)
        if view is None:
            return
        for f in view.fields:
            target = None if f.scalar else self.types.get(f.type)
            if target is not None and target.message is not None:
                yield f.type
        for _, full in view.messages:
            yield full

    def top_level(self) -> tuple[tuple[tuple[str, str], ...], tuple[tuple[str, str], ...]]:
        """The schema file's own top-level messages and enums as (simple, full) names."""
        prefix = f"{self.file.package}." if self.file.package else ""
        messages = tuple(
            (m.name, prefix + m.name) for m in self.file.message_type if not _is_map(m)
        )
        enums = tuple((e.name, prefix + e.name) for e in self.file.enum_type)
        return messages, enums


def _is_map(message: DescriptorProto) -> bool:
    return message.options.map_entry


def _add_types(
    types: dict[str, TypeInfo],
    descriptor: FileDescriptorProto,
    *,
    local: bool,
) -> None:
    package = descriptor.package
    syntax = descriptor.syntax or "proto2"
    required = descriptor.options.features.field_presence == FeatureSet.LEGACY_REQUIRED

    def info(name: str, message: DescriptorProto | None, enum: EnumDescriptorProto | None) -> None:
        types[name] = TypeInfo(
            name,
            package,
            syntax,
            local,
            message,
            enum,
            message is not None and _is_map(message),
            required,
        )

    pending = [(package, m) for m in descriptor.message_type]
    for enum in descriptor.enum_type:
        info(_join(package, enum.name), None, enum)
    while pending:
        scope, message = pending.pop()
        name = _join(scope, message.name)
        info(name, message, None)
        pending.extend((name, nested) for nested in message.nested_type)
        for enum in message.enum_type:
            info(_join(name, enum.name), None, enum)


def _join(scope: str, name: str) -> str:
    return f"{scope}.{name}" if scope else name


def index(compiled: CompiledProto) -> Side:
    """Index the schema's types and those of every file it imports, directly or not."""
    types: dict[str, TypeInfo] = {}
    for dependency in compiled.dependencies:
        _add_types(types, dependency, local=False)
    _add_types(types, compiled.file, local=True)
    return Side(compiled.file, types)


def _label(fd: FieldDescriptorProto, info: TypeInfo, *, in_oneof: bool, is_map: bool) -> str | None:
    """The label written in the text, as Wire's parser reports it."""
    if in_oneof or is_map:
        return None
    if fd.label == _F.LABEL_REPEATED:
        return "repeated"
    if info.syntax == "proto3":
        return "optional" if fd.proto3_optional else None
    if info.syntax == "editions":
        presence = fd.options.features.field_presence
        required = presence == FeatureSet.LEGACY_REQUIRED or (
            info.file_required and presence == FeatureSet.FIELD_PRESENCE_UNKNOWN
        )
        return "required" if required else None
    return "required" if fd.label == _F.LABEL_REQUIRED else "optional"


def _message_view(side: Side, info: TypeInfo, message: DescriptorProto) -> MessageView:
    synthetic = {f.oneof_index for f in message.field if f.proto3_optional}
    real_oneofs = [i for i in range(len(message.oneof_decl)) if i not in synthetic]
    groups: set[str] = set()
    fields: list[FieldView] = []
    for fd in message.field:
        if fd.type == _F.TYPE_GROUP and info.syntax == "proto2":
            groups.add(fd.type_name.lstrip("."))
            continue
        oneof = (
            message.oneof_decl[fd.oneof_index].name
            if fd.HasField("oneof_index") and fd.oneof_index not in synthetic
            else None
        )
        scalar = SCALAR_NAMES.get(fd.type)
        target = side.types.get(fd.type_name.lstrip(".")) if scalar is None else None
        is_map = target is not None and target.is_map
        fields.append(
            FieldView(
                number=fd.number,
                name=fd.name,
                label=_label(fd, info, in_oneof=oneof is not None, is_map=is_map),
                type=scalar if scalar is not None else fd.type_name.lstrip("."),
                scalar=scalar is not None,
                oneof=oneof,
            )
        )
    name = info.full_name
    return MessageView(
        full_name=name,
        fields=tuple(fields),
        oneofs=tuple(message.oneof_decl[i].name for i in real_oneofs),
        messages=tuple(
            (m.name, _join(name, m.name))
            for m in message.nested_type
            if not _is_map(m) and _join(name, m.name) not in groups
        ),
        enums=tuple((e.name, _join(name, e.name)) for e in message.enum_type),
    )
