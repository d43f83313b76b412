"""A compiled schema as `.proto` text, laid out the way Confluent's registry prints it.

Layout (Confluent's canonical string): the syntax line, the package, a blank line and the
imports (public ones last), a blank line and the file options, a blank line and the types
(messages first, then enums), extensions, services. Inside a message: reserved ranges,
options, plain fields, oneofs, groups, extension ranges, then nested messages and enums, each
group of lines after a blank line. Comments are not kept. Two-space indentation. When that
layout would renumber the nested types (see `_layout`), a message's members are written in
declaration order instead.

With `normalize` (Confluent's normal form): no syntax line for proto2, imports sorted and
deduplicated, options sorted by name with custom option names fully qualified, fields, groups
and enum constants by number, oneofs by their first field, reserved values and extension
ranges one per line in order, `extend` blocks merged per extended message, and type names
fully qualified with a leading dot. Message and enum order is never changed, because message
indexes on the wire count messages in declaration order.

With `ignore_extensions` (the `format=ignore_extensions` view): no `extend` blocks, no
extension ranges, and no custom options except Confluent's own `confluent.*` ones.

Type references (field and map value types, `extend` targets, rpc types) keep the author's
spelling, as Confluent keeps it (`.acc.x.Ref` stays `.acc.x.Ref`, `x.Ref` stays `x.Ref`):
`_spelling` reads it from the text, and a spelling is used only where it resolves to the same
type from the same place. A schema with no text (a serialized descriptor) has its names
written in the shortest form that resolves to the same type (`_names`).

Where Cairn differs from Confluent, because it prints a descriptor rather than the author's
text: custom option names are written in their shortest resolving form, options in
field-number order, and a proto2 file always gets its syntax line. A compiled copy of the
text may list a message's fields in another order (oneof members come after plain fields);
numbers, names, types and the order of nested types do not change.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from google.protobuf.descriptor_pb2 import (
    DescriptorProto,
    EnumDescriptorProto,
    EnumValueDescriptorProto,
    FieldDescriptorProto,
    FileDescriptorProto,
    MethodDescriptorProto,
    ServiceDescriptorProto,
)
from google.protobuf.message import Message

from compat.protobuf._compile import CompiledProto
from compat.protobuf._layout import MessageLayout, Unit, plan
from compat.protobuf._names import NameResolver
from compat.protobuf._options import Option, OptionReader, escape
from compat.protobuf._spelling import Role, Spellings

#: No recorded spellings: every type reference in its shortest resolving form.
NO_SPELLINGS = Spellings()

_T = FieldDescriptorProto
_SCALARS = {
    _T.TYPE_DOUBLE: "double",
    _T.TYPE_FLOAT: "float",
    _T.TYPE_INT64: "int64",
    _T.TYPE_UINT64: "uint64",
    _T.TYPE_INT32: "int32",
    _T.TYPE_FIXED64: "fixed64",
    _T.TYPE_FIXED32: "fixed32",
    _T.TYPE_BOOL: "bool",
    _T.TYPE_STRING: "string",
    _T.TYPE_BYTES: "bytes",
    _T.TYPE_UINT32: "uint32",
    _T.TYPE_SFIXED32: "sfixed32",
    _T.TYPE_SFIXED64: "sfixed64",
    _T.TYPE_SINT32: "sint32",
    _T.TYPE_SINT64: "sint64",
}
#: The largest field number and the largest enum number, both written `max` in ranges.
MAX_FIELD_NUMBER = 536_870_911
MAX_ENUM_NUMBER = 2_147_483_647

_LABELS = {
    _T.LABEL_OPTIONAL: "optional",
    _T.LABEL_REQUIRED: "required",
    _T.LABEL_REPEATED: "repeated",
}


def _indented(text: str) -> str:
    """Every line of `text` indented by two spaces (Confluent's `appendIndented`)."""
    lines = text.split("\n")
    if len(lines) > 1 and lines[-1] == "":
        lines.pop()
    return "".join(f"  {line}\n" for line in lines)


def _option_list(options: Sequence[Option]) -> str:
    """`[a = 1]`, or one option per line when there are several."""
    if len(options) == 1:
        return f"[{options[0].text()}]"
    body = ",\n".join(o.text() for o in options)
    return "[\n" + _indented(body) + "]"


def _option_lines(options: Sequence[Option]) -> str:
    return "".join(f"option {o.text()};\n" for o in options)


def _join(scope: str, name: str) -> str:
    return f"{scope}.{name}" if scope else name


def _span(numbers: tuple[int, int], largest: int) -> str:
    """`5`, `5 to 9` or `5 to max` for an inclusive range of numbers."""
    start, end = numbers
    if start == end:
        return str(start)
    return f"{start} to {'max' if end >= largest else end}"


@dataclass(frozen=True, slots=True)
class RenderMode:
    """How to print: Confluent's canonical form, its normal form, and without extensions."""

    normalize: bool = False
    ignore_extensions: bool = False


class _Printer:
    """Prints one compiled file; holds the name and option lookups for that file."""

    def __init__(self, compiled: CompiledProto, mode: RenderMode, spellings: Spellings) -> None:
        self._file = compiled.file
        self._mode = mode
        self._spellings = spellings
        self._names = NameResolver.for_compiled(compiled)
        self._reader = OptionReader([*compiled.dependencies, compiled.file])
        self._proto3 = compiled.file.syntax == "proto3"

    # Names and options -------------------------------------------------------------------

    def _type_name(
        self,
        full_name: str,
        relative_to: str,
        role: Role | None,
        *,
        types_only: bool = True,
    ) -> str:
        """`full_name` as the author wrote it at `relative_to` if known and still resolving
        there to the same type; else its shortest resolving form; fully-qualified when
        normalising."""
        if not full_name.startswith("."):
            return full_name  # already relative (a descriptor not written by protoc)
        if self._mode.normalize:
            return full_name
        written = None if role is None else self._spellings.get(role, relative_to)
        if written is not None:
            found = self._names.lookup(written, relative_to, types_only=types_only)
            if found == full_name[1:]:
                return written
        return self._names.shortest(full_name, relative_to, types_only=types_only)

    def _custom_name(self, full_name: str, scope: str) -> str:
        if self._mode.normalize:
            return full_name
        return self._names.shortest(full_name, scope, types_only=False)

    def _options(self, options: Message, scope: str) -> list[Option]:
        found = self._reader.options(options)
        if self._mode.ignore_extensions:
            # Custom options go, except Confluent's own (`confluent.*`), as Confluent does.
            found = [o for o in found if not o.custom or o.name.startswith("confluent.")]
        named = [
            Option(self._custom_name(o.name, scope), o.value, True) if o.custom else o
            for o in found
        ]
        if self._mode.normalize:
            named.sort(key=lambda o: o.name)
        return named

    # File --------------------------------------------------------------------------------

    def file(self) -> str:
        f = self._file
        syntax = f.syntax or "proto2"
        # Confluent's normal form writes the syntax line only for proto3.
        out = [] if self._mode.normalize and syntax == "proto2" else [f'syntax = "{syntax}";\n']
        if f.HasField("package"):
            out.append(f"package {f.package};\n")
        public = {f.dependency[i] for i in f.public_dependency}
        weak = {f.dependency[i] for i in f.weak_dependency}
        plain = [d for d in f.dependency if d not in public]
        publics = [d for d in f.dependency if d in public]
        if self._mode.normalize:
            plain, publics = sorted(set(plain)), sorted(set(publics))
        if plain or publics:
            out.append("\n")
            for dep in plain:
                out.append(f'import {"weak " if dep in weak else ""}"{dep}";\n')
            out.extend(f'import public "{dep}";\n' for dep in publics)
        options = self._options(f.options, _join(f.package, "dummy"))
        if options:
            out.append("\n")
            out.append(_option_lines(options))
        if f.message_type or f.enum_type:
            out.append("\n")
            out.extend(self._message(m, f.package) for m in f.message_type)
            out.extend(self._enum(e, f.package) for e in f.enum_type)
        extends = "" if self._mode.ignore_extensions else self._extends(f.extension, f.package)
        if extends:
            out.append("\n")
            out.append(extends)
        if f.service:
            out.append("\n")
            out.extend(self._service(s, f.package) for s in f.service)
        return "".join(out)

    # Messages ----------------------------------------------------------------------------

    def _message(self, message: DescriptorProto, scope: str) -> str:
        full = _join(scope, message.name)
        return f"message {message.name} {{{self._body(message, full)}}}\n"

    def _body(self, message: DescriptorProto, full: str) -> str:
        """Everything between a message's braces, each section after a blank line."""
        layout = plan(message, normalize=self._mode.normalize)
        options = self._options(message.options, full)
        head = [
            "".join(_indented(r) for r in self._reserved(message)),
            _indented(_option_lines(options)) if options else "",
        ]
        enums = "".join(_indented(self._enum(e, full)) for e in message.enum_type)
        ranges = "".join(_indented(r) for r in self._extension_ranges(message, full))
        extends = (
            ""
            if self._mode.ignore_extensions
            else "".join(_indented(e) for e in self._extends_list(message.extension, full))
        )
        if layout.keeps_order:
            members = [
                "".join(_indented(self._field(f, message, full)) for f in layout.plain),
                "".join(_indented(self._oneof(message, full, u)) for u in layout.oneofs),
                "".join(_indented(self._group(f, message, full)) for f in layout.groups),
                ranges,
                extends,
                "".join(_indented(self._message(n, full)) for _, n in layout.declared) + enums,
            ]
        else:
            members = [self._in_declaration_order(message, full, layout), enums, ranges, extends]
        return "".join("\n" + s for s in [*head, *members] if s)

    def _unit(self, message: DescriptorProto, full: str, unit: Unit) -> str:
        if unit.oneof is not None:
            return self._oneof(message, full, unit)
        field = unit.fields[0]
        if field.type == _T.TYPE_GROUP:
            return self._group(field, message, full)
        return self._field(field, message, full)

    def _in_declaration_order(
        self, message: DescriptorProto, full: str, layout: MessageLayout
    ) -> str:
        """Fields in declaration order, each nested message before the first field after it.

        A blank line separates a nested message from what surrounds it.
        """
        chunks: list[tuple[bool, str]] = []
        pending = list(layout.declared)
        for unit in layout.units:
            anchored = [layout.anchors[f.name] for f in unit.fields if f.name in layout.anchors]
            if anchored:
                while pending and pending[0][0] < min(anchored):
                    chunks.append((True, self._message(pending.pop(0)[1], full)))
            chunks.append((False, self._unit(message, full, unit)))
        chunks.extend((True, self._message(n, full)) for _, n in pending)
        out = []
        for i, (is_type, text) in enumerate(chunks):
            if i and (is_type or chunks[i - 1][0]):
                out.append("\n")
            out.append(_indented(text))
        return "".join(out)

    def _nested(self, message: DescriptorProto, type_name: str) -> DescriptorProto | None:
        short = type_name.rsplit(".", 1)[-1]
        return next((n for n in message.nested_type if n.name == short), None)

    def _map_entry(
        self, field: FieldDescriptorProto, message: DescriptorProto
    ) -> DescriptorProto | None:
        if field.type != _T.TYPE_MESSAGE or field.label != _T.LABEL_REPEATED:
            return None
        entry = self._nested(message, field.type_name)
        if entry is None or not entry.options.map_entry:
            return None
        return entry

    def _field_type(
        self, field: FieldDescriptorProto, relative_to: str, *, written: bool = True
    ) -> str:
        """The type of `field` (declared at `relative_to`); `written`: the author's spelling
        recorded for `relative_to` is this type's (not so for a map's key)."""
        if field.type in _SCALARS:
            return _SCALARS[field.type]
        return self._type_name(field.type_name, relative_to, Role.TYPE if written else None)

    def _label(self, field: FieldDescriptorProto, in_oneof: bool) -> str:
        if in_oneof:
            return ""
        if self._proto3 and field.label == _T.LABEL_OPTIONAL and not field.proto3_optional:
            return ""
        return _LABELS[field.label] + " "

    def _field(
        self,
        field: FieldDescriptorProto,
        message: DescriptorProto,
        scope: str,
        *,
        in_oneof: bool = False,
    ) -> str:
        relative_to = _join(scope, field.name)
        entry = self._map_entry(field, message)
        if entry is not None:
            key, value = sorted(entry.field, key=lambda f: f.number)[:2]
            kind = (
                f"map<{self._field_type(key, relative_to, written=False)}, "
                f"{self._field_type(value, relative_to)}>"
            )
            label = ""
        else:
            kind = self._field_type(field, relative_to)
            label = self._label(field, in_oneof)
        options = self._field_options(field, relative_to)
        suffix = f" {_option_list(options)}" if options else ""
        return f"{label}{kind} {field.name} = {field.number}{suffix};\n"

    def _field_options(self, field: FieldDescriptorProto, relative_to: str) -> list[Option]:
        options = self._options(field.options, relative_to)
        if field.HasField("default_value"):
            options.append(Option("default", self._default(field)))
        if field.HasField("json_name"):
            options.append(Option("json_name", f'"{escape(field.json_name)}"'))
        if self._mode.normalize:
            options.sort(key=lambda o: o.name)
        return options

    def _default(self, field: FieldDescriptorProto) -> str:
        if field.type == _T.TYPE_STRING:
            return f'"{escape(field.default_value)}"'
        if field.type == _T.TYPE_BYTES:
            return f'"{field.default_value}"'  # protoc stores bytes defaults already escaped
        return field.default_value

    def _oneof(self, message: DescriptorProto, full: str, unit: Unit) -> str:
        assert unit.oneof is not None
        oneof = message.oneof_decl[unit.oneof]
        parts = [f"oneof {oneof.name} {{"]
        options = self._options(oneof.options, _join(full, oneof.name))
        if options:
            parts.append("\n" + _indented(_option_lines(options)))
        fields = [f for f in unit.fields if f.type != _T.TYPE_GROUP]
        groups = [f for f in unit.fields if f.type == _T.TYPE_GROUP]
        if fields:
            text = "".join(self._field(f, message, full, in_oneof=True) for f in fields)
            parts.append("\n" + _indented(text))
        if groups:
            text = "".join(self._group(g, message, full, in_oneof=True) for g in groups)
            parts.append("\n" + _indented(text))
        parts.append("}\n")
        return "".join(parts)

    def _group(
        self,
        field: FieldDescriptorProto,
        message: DescriptorProto,
        scope: str,
        *,
        in_oneof: bool = False,
    ) -> str:
        body = self._nested(message, field.type_name)
        label = self._label(field, in_oneof)
        options = self._field_options(field, _join(scope, field.name))
        suffix = f" {_option_list(options)}" if options else ""
        inner = self._body(body, _join(scope, body.name)) if body is not None else ""
        name = body.name if body is not None else field.name
        return f"{label}group {name} = {field.number}{suffix} {{{inner}}}\n"

    def _reserved(self, message: DescriptorProto) -> list[str]:
        numbers = [(r.start, r.end - 1) for r in message.reserved_range]
        return self._reserved_lines(numbers, list(message.reserved_name), MAX_FIELD_NUMBER)

    def _reserved_lines(
        self, numbers: list[tuple[int, int]], names: list[str], largest: int
    ) -> list[str]:
        values = [_span(r, largest) for r in numbers]
        quoted = [f'"{n}"' for n in names]
        if self._mode.normalize:
            ordered = [_span(r, largest) for r in sorted(numbers)] + sorted(quoted)
            return [f"reserved {v};\n" for v in ordered]
        return [f"reserved {', '.join(group)};\n" for group in (values, quoted) if group]

    def _extension_ranges(self, message: DescriptorProto, full: str) -> list[str]:
        if self._mode.ignore_extensions:
            return []
        ranges = list(message.extension_range)
        if self._mode.normalize:
            ranges.sort(key=lambda r: r.start)
        lines = []
        for rng in ranges:
            span = _span((rng.start, rng.end - 1), MAX_FIELD_NUMBER)
            options = self._options(rng.options, full) if rng.HasField("options") else []
            suffix = f" {_option_list(options)}" if options else ""
            lines.append(f"extensions {span}{suffix};\n")
        return lines

    # Enums -------------------------------------------------------------------------------

    def _enum(self, enum: EnumDescriptorProto, scope: str) -> str:
        full = _join(scope, enum.name)
        parts = [f"enum {enum.name} {{"]
        reserved = self._reserved_lines(
            [(r.start, r.end) for r in enum.reserved_range],
            list(enum.reserved_name),
            MAX_ENUM_NUMBER,
        )
        options = self._options(enum.options, full)
        values: list[EnumValueDescriptorProto] = list(enum.value)
        if self._mode.normalize:
            values.sort(key=lambda v: (v.number, v.name))
        if reserved or options or values:
            parts.append("\n")
        parts.extend(_indented(r) for r in reserved)
        if options:
            parts.append(_indented(_option_lines(options)))
        for value in values:
            value_options = self._options(value.options, _join(scope, value.name))
            suffix = f" {_option_list(value_options)}" if value_options else ""
            parts.append(_indented(f"{value.name} = {value.number}{suffix};\n"))
        parts.append("}\n")
        return "".join(parts)

    # Extensions and services -------------------------------------------------------------

    def _extends_list(self, extensions: Sequence[FieldDescriptorProto], scope: str) -> list[str]:
        """`extend` blocks, one per run of extensions of the same message."""
        blocks: list[tuple[str, list[FieldDescriptorProto]]] = []
        for ext in extensions:
            if blocks and blocks[-1][0] == ext.extendee:
                blocks[-1][1].append(ext)
            else:
                blocks.append((ext.extendee, [ext]))
        if self._mode.normalize:
            # Confluent's normal form: one block per extended message, fields by number.
            merged: dict[str, list[FieldDescriptorProto]] = {}
            for extendee, fields in blocks:
                merged.setdefault(extendee, []).extend(fields)
            blocks = [(e, sorted(f, key=lambda x: x.number)) for e, f in merged.items()]
        out = []
        for extendee, fields in blocks:
            relative_to = _join(scope, fields[0].name)
            name = self._type_name(extendee, relative_to, Role.EXTENDEE, types_only=False)
            body = "".join(_indented(self._extension(f, scope)) for f in fields)
            out.append(f"extend {name} {{\n{body}}}\n")
        return out

    def _extends(self, extensions: Sequence[FieldDescriptorProto], scope: str) -> str:
        return "".join(self._extends_list(extensions, scope))

    def _extension(self, field: FieldDescriptorProto, scope: str) -> str:
        relative_to = _join(scope, field.name)
        kind = self._field_type(field, relative_to)
        label = self._label(field, in_oneof=False)
        options = self._field_options(field, relative_to)
        suffix = f" {_option_list(options)}" if options else ""
        return f"{label}{kind} {field.name} = {field.number}{suffix};\n"

    def _service(self, service: ServiceDescriptorProto, scope: str) -> str:
        full = _join(scope, service.name)
        parts = [f"service {service.name} {{"]
        options = self._options(service.options, full)
        if options:
            parts.append("\n" + _indented(_option_lines(options)))
        if service.method:
            parts.append("\n" + "".join(_indented(self._method(m, full)) for m in service.method))
        parts.append("}\n")
        return "".join(parts)

    def _method(self, method: MethodDescriptorProto, scope: str) -> str:
        full = _join(scope, method.name)
        request = self._type_name(method.input_type, full, Role.INPUT, types_only=False)
        response = self._type_name(method.output_type, full, Role.OUTPUT, types_only=False)
        text = (
            f"rpc {method.name} ({'stream ' if method.client_streaming else ''}{request}) "
            f"returns ({'stream ' if method.server_streaming else ''}{response})"
        )
        options = self._options(method.options, full)
        if options:
            text += " {\n" + _indented(_option_lines(options)) + "}"
        return text + ";\n"


def render(
    compiled: CompiledProto,
    mode: RenderMode = RenderMode(),
    *,
    spellings: Spellings = NO_SPELLINGS,
) -> str:
    """The `.proto` text of `compiled.file` in the given mode; type references spelled as
    in `spellings` (see `written_spellings`) where they still resolve, else shortest."""
    return _Printer(compiled, mode, spellings).file()


def render_descriptor(
    file: FileDescriptorProto, dependencies: Sequence[FileDescriptorProto]
) -> str:
    """Canonical text for a descriptor that did not come from protoc (yet)."""
    return render(CompiledProto(file, tuple(dependencies)))
