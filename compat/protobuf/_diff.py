"""Confluent's Protobuf comparison: every difference between an original and an update.

`compare(original, update)` follows Confluent's `SchemaDiff` (compat-rules §4.1): the
package, then the top-level type lists keyed by simple name, each common message compared
field by field by tag number (oneof membership tracked per tag), enums constant by constant,
and message-typed fields recursing into imported types whose local names match. Differences
come back in Confluent's order, compatible ones included; `COMPATIBLE` decides which break
compatibility.

Field names never matter except for `FIELD_NAME_CHANGED`, so renumbering a field is a
compatible removal plus addition. Types declared in the schema itself are compared where
they are declared, not again through every field that uses them; imported types are compared
through the fields, at their own path (`#/outer/GoogleHome/1`), once per field as Confluent
does. A message already being compared further up is not compared again, which ends the
recursion on recursive types; results of imported comparisons are reused when the same pair
is met again under an equivalent stack, which keeps shared imported types linear.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TypeAlias

from compat.protobuf._compile import CompiledProto
from compat.protobuf._diff_index import FieldView, MessageView, Side, index
from compat.protobuf._diff_order import java_int_hash, java_set_order, java_string_hash

COMPATIBLE: frozenset[str] = frozenset(
    [
        "MESSAGE_ADDED",
        "MESSAGE_MOVED",
        "ENUM_ADDED",
        "ENUM_REMOVED",
        "ENUM_CONST_ADDED",
        "ENUM_CONST_CHANGED",
        "ENUM_CONST_REMOVED",
        "FIELD_ADDED",
        "FIELD_REMOVED",
        "FIELD_NAME_CHANGED",
        "FIELD_STRING_OR_BYTES_LABEL_CHANGED",
        "ONEOF_ADDED",
        "ONEOF_REMOVED",
        "ONEOF_FIELD_ADDED",
        "ONEOF_FIELD_MOVED_TO_TOP_LEVEL",
    ]
)
"""The difference types that do not break compatibility."""

#: How long a difference list may grow through repeated imported differences (see `_extend`).
MAX_REPEATED = 10_000

#: Scalars that share a wire encoding closely enough to be swapped (enums count as int32).
_SCALAR_GROUPS: dict[str, str] = {
    **dict.fromkeys(("int32", "int64", "uint32", "uint64", "bool"), "GENERAL_NUMBER"),
    **dict.fromkeys(("sint32", "sint64"), "SIGNED_NUMBER"),
    **dict.fromkeys(("string", "bytes"), "STRING_OR_BYTES"),
    **dict.fromkeys(("fixed32", "sfixed32"), "FIXED32"),
    **dict.fromkeys(("fixed64", "sfixed64"), "FIXED64"),
    "float": "FLOAT",
    "double": "DOUBLE",
}
_SCALAR, _MESSAGE, _MAP = "SCALAR", "MESSAGE", "MAP"

Path = tuple[str, ...]
#: A field's type: the scalar name or referenced full name, and whether it is a scalar.
_TypeRef = tuple[str, bool]
_Names = tuple[tuple[str, str], ...]
#: A comparison step: a generator that yields the sub-steps to run before it continues.
_Steps: TypeAlias = Iterator["_Steps"]


@dataclass(frozen=True, slots=True)
class Difference:
    """One difference: Confluent's type name and the path where it was found."""

    type: str
    path: str

    def __str__(self) -> str:
        return f"{self.type} {self.path}"


def compare(original: CompiledProto, update: CompiledProto) -> list[Difference]:
    """Every difference from `original` to `update`, in Confluent's order.

    For a BACKWARD check the original is the registered (writer) schema and the update the
    new one; a FORWARD check swaps them.
    """
    before, after = index(original), index(update)
    found: list[Difference] = []
    if original.file.package != update.file.package:
        found.append(Difference("PACKAGE_CHANGED", "#/"))
    old_messages, old_enums = before.top_level()
    new_messages, new_enums = after.top_level()
    walk = _Walk(before, after)
    _run(walk.types(found, (), (old_messages, old_enums), (new_messages, new_enums)))
    return found


def _run(root: _Steps) -> None:
    """Run a step and every sub-step it yields, depth first, on an explicit stack.

    Imported types may nest hundreds of levels deep; a stack of generators keeps the
    comparison within Python's recursion limit however deep they go.
    """
    pending = [root]
    while pending:
        step = next(pending[-1], None)
        if step is None:
            pending.pop()
        else:
            pending.append(step)


def _extend(out: list[Difference], nested: list[Difference]) -> None:
    """Append an imported type's differences, repeated per field as Confluent repeats them.

    Shared imported types nest the repeats multiplicatively, so past `MAX_REPEATED` entries
    only differences not yet in the list are added; the distinct differences are bounded by
    the size of the schemas, and so is the list.
    """
    if len(out) + len(nested) <= MAX_REPEATED:
        out.extend(nested)
        return
    seen = set(out)
    for difference in nested:
        if difference not in seen:
            seen.add(difference)
            out.append(difference)


def _scalar_group(ref: _TypeRef) -> str:
    """The group a scalar or enum belongs to; enums count as `int32`."""
    name, scalar = ref
    return _SCALAR_GROUPS.get(name, "GENERAL_NUMBER") if scalar else "GENERAL_NUMBER"


def _pointer(path: Path) -> str:
    return "#/" + "/".join(path)


def _local_name(full_name: str, package: str) -> str:
    prefix = package + "."
    return full_name[len(prefix) :] if full_name.startswith(prefix) else full_name


class _Walk:
    """One comparison's state: both indexes, the messages being compared, reusable results."""

    __slots__ = ("_after", "_before", "_done", "_stack")

    def __init__(self, before: Side, after: Side) -> None:
        self._before = before
        self._after = after
        #: Original messages whose fields are being compared (Confluent's schema scope).
        self._stack: set[str] = set()
        self._done: dict[tuple[str, str, frozenset[str]], list[Difference]] = {}

    def types(
        self,
        out: list[Difference],
        path: Path,
        old: tuple[_Names, _Names],
        new: tuple[_Names, _Names],
    ) -> _Steps:
        """Compare two lists of sibling types: messages by simple name, then enums."""
        old_messages = {name: (i, full) for i, (name, full) in enumerate(old[0])}
        new_messages = {name: (i, full) for i, (name, full) in enumerate(new[0])}
        for name in java_set_order(
            [n for n, _ in old[0]], [n for n, _ in new[0]], java_string_hash
        ):
            here = (*path, name)
            before = old_messages.get(name)
            after = new_messages.get(name)
            if after is None:
                out.append(Difference("MESSAGE_REMOVED", _pointer(here)))
            elif before is None:
                out.append(Difference("MESSAGE_ADDED", _pointer(here)))
            else:
                yield self.message(out, here, before[1], after[1])
                if before[0] != after[0]:
                    # Message indexes on the wire refer to the writer's own schema, so
                    # reordering messages is safe.
                    out.append(Difference("MESSAGE_MOVED", _pointer(here)))
        old_enums, new_enums = dict(old[1]), dict(new[1])
        for name in java_set_order(
            [n for n, _ in old[1]], [n for n, _ in new[1]], java_string_hash
        ):
            here = (*path, name)
            if name not in new_enums:
                out.append(Difference("ENUM_REMOVED", _pointer(here)))
            elif name not in old_enums:
                out.append(Difference("ENUM_ADDED", _pointer(here)))
            else:
                self._enum(out, here, old_enums[name], new_enums[name])

    def _enum(self, out: list[Difference], path: Path, old: str, new: str) -> None:
        old_info, new_info = self._before.types.get(old), self._after.types.get(new)
        if old_info is None or new_info is None or not old_info.enum or not new_info.enum:
            return
        # Aliases share a number; as in Confluent the last constant declared wins.
        old_values = [(v.number, v.name) for v in old_info.enum.value]
        new_values = [(v.number, v.name) for v in new_info.enum.value]
        old_names, new_names = dict(old_values), dict(new_values)
        for number in java_set_order(
            [n for n, _ in old_values], [n for n, _ in new_values], java_int_hash
        ):
            here = _pointer((*path, str(number)))
            if number not in new_names:
                out.append(Difference("ENUM_CONST_REMOVED", here))
            elif number not in old_names:
                out.append(Difference("ENUM_CONST_ADDED", here))
            elif old_names[number] != new_names[number]:
                out.append(Difference("ENUM_CONST_CHANGED", here))

    def message(self, out: list[Difference], path: Path, old: str, new: str) -> _Steps:
        """Compare two messages: their fields (unless already under way), then nested types."""
        before, after = self._before.message(old), self._after.message(new)
        if before is None or after is None:
            return
        entered = old not in self._stack
        if entered:
            self._stack.add(old)
        try:
            if entered:
                yield self._fields(out, path, before, after)
            yield self.types(
                out, path, (before.messages, before.enums), (after.messages, after.enums)
            )
        finally:
            if entered:
                self._stack.discard(old)

    def _fields(
        self, out: list[Difference], path: Path, old: MessageView, new: MessageView
    ) -> _Steps:
        old_fields = {f.number: f for f in old.fields}
        new_fields = {f.number: f for f in new.fields}
        _oneof_moves(out, path, old_fields, new)
        for name in sorted(set(old.oneofs) | set(new.oneofs)):
            if name not in new.oneofs:
                out.append(Difference("ONEOF_REMOVED", _pointer((*path, name))))
            elif name not in old.oneofs:
                out.append(Difference("ONEOF_ADDED", _pointer((*path, name))))
        deleted = _deleted_oneofs(old, new, new_fields)
        for number in sorted(old_fields.keys() | new_fields.keys()):
            tag = str(number)
            before, after = old_fields.get(number), new_fields.get(number)
            if before is not None and after is None:
                if before.oneof is None:
                    removed = "REQUIRED_FIELD_REMOVED" if before.label == "required" else None
                    out.append(Difference(removed or "FIELD_REMOVED", _pointer((*path, tag))))
                elif before.oneof not in deleted:
                    here = _pointer((*path, before.oneof, tag))
                    out.append(Difference("ONEOF_FIELD_REMOVED", here))
            elif before is None and after is not None:
                if after.oneof is not None:
                    here = _pointer((*path, after.oneof, tag))
                    out.append(Difference("ONEOF_FIELD_ADDED", here))
                else:
                    added = "REQUIRED_FIELD_ADDED" if after.label == "required" else None
                    out.append(Difference(added or "FIELD_ADDED", _pointer((*path, tag))))
            elif before is not None and after is not None:
                if before.oneof is not None and after.oneof is None:
                    here = _pointer((*path, tag))
                    out.append(Difference("ONEOF_FIELD_MOVED_TO_TOP_LEVEL", here))
                where = (*path, after.oneof, tag) if after.oneof is not None else (*path, tag)
                yield self._field(out, where, before, after)

    def _field(self, out: list[Difference], path: Path, old: FieldView, new: FieldView) -> _Steps:
        if old.name != new.name:
            out.append(Difference("FIELD_NAME_CHANGED", _pointer(path)))
        yield self._typed(
            out, path, (old.label, new.label), (old.type, old.scalar), (new.type, new.scalar)
        )

    def _kind(self, side: Side, ref: _TypeRef) -> str:
        if ref[1]:
            return _SCALAR
        info = side.types.get(ref[0])
        if info is None:
            return _MESSAGE
        if info.enum is not None:
            return _SCALAR
        return _MAP if info.is_map else _MESSAGE

    def _typed(
        self,
        out: list[Difference],
        path: Path,
        labels: tuple[str | None, str | None],
        old: _TypeRef,
        new: _TypeRef,
    ) -> _Steps:
        old_kind, new_kind = self._kind(self._before, old), self._kind(self._after, new)
        if old_kind != new_kind:
            out.append(Difference("FIELD_KIND_CHANGED", _pointer(path)))
        elif old_kind == _SCALAR:
            group, new_group = _scalar_group(old), _scalar_group(new)
            if group != new_group:
                out.append(Difference("FIELD_SCALAR_KIND_CHANGED", _pointer(path)))
            elif None not in labels and labels[0] != labels[1]:
                # Only labels written on both sides count: a proto3 field without one has
                # none, so `int32` -> `repeated int32` is not reported.
                kind = (
                    "FIELD_STRING_OR_BYTES_LABEL_CHANGED"
                    if group == "STRING_OR_BYTES"
                    else "FIELD_NUMERIC_LABEL_CHANGED"
                )
                out.append(Difference(kind, _pointer(path)))
        elif old_kind == _MESSAGE:
            yield self._named(out, path, old[0], new[0])
        else:
            yield self._map(out, path, old[0], new[0])

    def _map(self, out: list[Difference], path: Path, old: str, new: str) -> _Steps:
        before, after = self._before.message(old), self._after.message(new)
        if before is None or after is None:
            return
        for number in (1, 2):
            old_part = next((f for f in before.fields if f.number == number), None)
            new_part = next((f for f in after.fields if f.number == number), None)
            if old_part is not None and new_part is not None:
                refs = (old_part.type, old_part.scalar), (new_part.type, new_part.scalar)
                yield self._typed(out, path, (None, None), *refs)

    def _named(self, out: list[Difference], path: Path, old: str, new: str) -> _Steps:
        before, after = self._before.types.get(old), self._after.types.get(new)
        if before is None or after is None:
            if old != new:
                out.append(Difference("FIELD_NAMED_TYPE_CHANGED", _pointer(path)))
            return
        local = _local_name(old, before.package)
        if local != _local_name(new, after.package):
            # A changed package of an imported type is fine; a different type is not.
            out.append(Difference("FIELD_NAMED_TYPE_CHANGED", _pointer(path)))
            return
        if before.local and after.local:
            # Compared where they are declared; Confluent skips types of the same schema.
            return
        # The differences of an imported pair depend on the messages being compared further
        # up only where the recursion can come back to them, that is, within the cycle
        # through `old`; they are reused whenever that part of the stack is the same. They
        # are reported at the type's own path.
        key = (old, new, frozenset(self._stack & self._before.cycle(old)))
        nested = self._done.get(key)
        if nested is None:
            nested = []
            yield self.message(nested, tuple(local.split(".")), old, new)
            self._done[key] = nested
        _extend(out, nested)
        if any(d.type not in COMPATIBLE for d in nested):
            out.append(Difference("FIELD_NAMED_TYPE_CHANGED", _pointer(path)))


def _oneof_moves(
    out: list[Difference], path: Path, old_fields: dict[int, FieldView], new: MessageView
) -> None:
    """Report oneofs whose members were independent of each other in the original.

    Each original oneof is one group and each original top-level field its own group;
    brand-new members are ignored, since old data never set them. Members from more than one
    group could all be set in old data, but only one of them can be read now.
    """
    for oneof in new.oneofs:
        groups: set[tuple[str, str | int]] = set()
        moved_in = 0
        for member in new.fields:
            origin = old_fields.get(member.number) if member.oneof == oneof else None
            if origin is None:
                continue
            if origin.oneof is not None:
                groups.add(("oneof", origin.oneof))
            else:
                groups.add(("field", member.number))
                moved_in += 1
        if len(groups) > 1:
            kind = "MULTIPLE_FIELDS_MOVED_TO_ONEOF" if moved_in > 1 else None
            here = _pointer((*path, oneof))
            out.append(Difference(kind or "FIELD_MOVED_TO_EXISTING_ONEOF", here))


def _deleted_oneofs(
    old: MessageView, new: MessageView, new_fields: dict[int, FieldView]
) -> set[str]:
    """Original oneofs gone by name with none of their members left anywhere.

    Deleting a whole oneof is as compatible as deleting a field, so its members are not
    reported one by one.
    """
    surviving = {f.oneof for f in old.fields if f.oneof is not None and f.number in new_fields}
    return set(old.oneofs) - set(new.oneofs) - surviving
