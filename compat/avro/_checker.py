"""Can a reader schema read what a writer schema wrote? Avro Java's rules, finding for finding.

Confluent's Avro verdicts are those of Apache Avro Java's `SchemaCompatibility`, so this checker
follows its rules exactly, including the parts that surprise:

* Every (reader, writer) node pair is memoised for the length of one check. A pair met again
  while it is still being computed counts as compatible, which is how recursive types end; a
  pair met again later returns its first result unchanged, locations included.
* Results merge by concatenation, in traversal order: reader fields in order; within a named
  type, the name check before the size, symbol or field checks.
* Named types match on their unqualified names, or when the reader's aliases (full names)
  contain the writer's full name; writer aliases are never consulted.
* A reader field is matched to writer fields by its name and each of its aliases; more than one
  match makes the checker throw, which Confluent reports as one "unexpected exception" message.
* A reader field missing from the writer needs a default, except that a field whose type is an
  enum with an enum default is instead compared, as an enum, against the whole writer record.
* An enum that lacks writer symbols is still compatible when it has a default symbol.
* When both sides are unions, or the reader is a union, each branch is tried through Avro's
  public entry point, which starts a fresh location stack: the branch's own findings are
  memoised with root-relative locations, and only a `MISSING_UNION_BRANCH` at the union is
  reported.
* Logical types, docs, defaults' values, field order and custom properties are ignored.

Locations are JSON pointers from reference tokens (`fields`, the field position, `type`,
`items`, `values`, `name`, `size`, `symbols`, a union branch index).
"""

from __future__ import annotations

from compat.avro._canonical import to_text
from compat.avro._messages import description, exception_finding
from compat.avro._model import (
    TYPE_NAMES,
    ArrayNode,
    AvroNode,
    EnumNode,
    FieldNode,
    FixedNode,
    MapNode,
    NamedNode,
    RecordNode,
    UnionNode,
)
from compat.types import Finding

_Result = tuple[Finding, ...]
_COMPATIBLE: _Result = ()
_IN_PROGRESS: _Result = ()
_NOT_SEEN = None

#: Reader type -> writer types it can read by promotion.
_PROMOTIONS = {
    "long": frozenset(("int",)),
    "float": frozenset(("int", "long")),
    "double": frozenset(("int", "long", "float")),
    "bytes": frozenset(("string",)),
    "string": frozenset(("bytes",)),
}
_SIMPLE = frozenset(("null", "boolean", "int", "long", "float", "double", "bytes", "string"))


class CheckerError(Exception):
    """The checker cannot decide, as Avro Java's throws; the message is Java's."""


def _pointer(location: list[str]) -> str:
    """The JSON pointer of a location, `~` and `/` escaped; the root is `/`."""
    return "/" + "/".join(t.replace("~", "~0").replace("/", "~1") for t in location)


def _finding(kind: str, location: list[str], message: str) -> _Result:
    path = _pointer(location)
    return (Finding(kind, path, message, description(kind, path, message)),)


def _type_mismatch(reader: AvroNode, writer: AvroNode, location: list[str]) -> _Result:
    message = (
        f"reader type: {TYPE_NAMES[reader.kind]} not compatible with "
        f"writer type: {TYPE_NAMES[writer.kind]}"
    )
    return _finding("TYPE_MISMATCH", location, message)


class _Checker:
    """One check: its memo lives exactly as long as Avro's checker object does."""

    __slots__ = ("memo",)

    def __init__(self) -> None:
        self.memo: dict[tuple[AvroNode, AvroNode], _Result] = {}

    def pair(self, reader: AvroNode, writer: AvroNode, location: list[str]) -> _Result:
        """The memoised result for a pair; a pair still being computed counts as compatible."""
        key = (reader, writer)
        memo = self.memo
        result = memo.get(key, _NOT_SEEN)
        if result is None:
            memo[key] = _IN_PROGRESS
            result = self.calculate(reader, writer, location)
            memo[key] = result
        return result

    def step(self, token: str, reader: AvroNode, writer: AvroNode, location: list[str]) -> _Result:
        """`pair` one location token deeper."""
        location.append(token)
        result = self.pair(reader, writer, location)
        location.pop()
        return result

    def calculate(self, reader: AvroNode, writer: AvroNode, location: list[str]) -> _Result:
        """The findings for a pair not seen before in this check."""
        kind = reader.kind
        if kind == writer.kind:
            if kind in _SIMPLE:
                return _COMPATIBLE
            if isinstance(reader, RecordNode):
                assert isinstance(writer, RecordNode)
                return self.names(reader, writer, location) + self.fields(reader, writer, location)
            if isinstance(reader, ArrayNode):
                assert isinstance(writer, ArrayNode)
                return self.step("items", reader.items, writer.items, location)
            if isinstance(reader, MapNode):
                assert isinstance(writer, MapNode)
                return self.step("values", reader.values, writer.values, location)
            if isinstance(reader, EnumNode):
                assert isinstance(writer, EnumNode)
                return self.names(reader, writer, location) + _symbols(reader, writer, location)
            if isinstance(reader, FixedNode):
                assert isinstance(writer, FixedNode)
                return self.names(reader, writer, location) + _size(reader, writer, location)
            assert isinstance(writer, UnionNode)
            result = _COMPATIBLE
            for index, branch in enumerate(writer.branches):
                location.append(str(index))
                if self.pair(reader, branch, []):
                    message = f"reader union lacking writer type: {TYPE_NAMES[branch.kind]}"
                    result += _finding("MISSING_UNION_BRANCH", location, message)
                location.pop()
            return result
        if isinstance(writer, UnionNode):
            result = _COMPATIBLE
            for index, branch in enumerate(writer.branches):
                result += self.step(str(index), reader, branch, location)
            return result
        if isinstance(reader, UnionNode):
            for branch in reader.branches:
                if not self.pair(branch, writer, []):
                    return _COMPATIBLE
            message = f"reader union lacking writer type: {TYPE_NAMES[writer.kind]}"
            return _finding("MISSING_UNION_BRANCH", location, message)
        if writer.kind in _PROMOTIONS.get(kind, ()):
            return _COMPATIBLE
        return _type_mismatch(reader, writer, location)

    def names(self, reader: NamedNode, writer: NamedNode, location: list[str]) -> _Result:
        """Unqualified names must match, or a reader alias must be the writer's full name."""
        if reader.name == writer.name or writer.fullname in reader.alias_set:
            return _COMPATIBLE
        location.append("name")
        result = _finding("NAME_MISMATCH", location, f"expected: {writer.fullname}")
        location.pop()
        return result

    def fields(self, reader: RecordNode, writer: RecordNode, location: list[str]) -> _Result:
        """Each reader field, in order, must be found in the writer or have a default."""
        result = _COMPATIBLE
        location.append("fields")
        by_name = writer.by_name
        for field in reader.fields:
            location.append(field.pos_token)
            found = _lookup(writer, field) if field.aliases else by_name.get(field.name)
            if found is not None:
                location.append("type")
                sub = self.pair(field.type, found.type, location)
                location.pop()
                if sub:
                    result += sub
            elif not field.has_default:
                field_type = field.type
                if isinstance(field_type, EnumNode) and field_type.default is not None:
                    result += self.step("type", field_type, writer, location)
                else:
                    result += _finding("READER_FIELD_MISSING_DEFAULT_VALUE", location, field.name)
            location.pop()
        location.pop()
        return result


def _lookup(writer: RecordNode, field: FieldNode) -> FieldNode | None:
    matches = [writer.by_name[n] for n in (field.name, *field.aliases) if n in writer.by_name]
    if len(matches) > 1:
        raise CheckerError(
            f"Reader record field {field.name} type:{TYPE_NAMES[field.type.kind]} pos:{field.pos} "
            f"matches multiple fields in writer record schema {to_text(writer)}"
        )
    return matches[0] if matches else None


def _symbols(reader: EnumNode, writer: EnumNode, location: list[str]) -> _Result:
    missing = [s for s in writer.symbols if s not in reader.symbol_set]
    if not missing or (reader.default is not None and reader.default in reader.symbol_set):
        return _COMPATIBLE
    location.append("symbols")
    # Java prints a TreeSet: sorted, deduplicated, "[A, B]".
    result = _finding("MISSING_ENUM_SYMBOLS", location, "[" + ", ".join(sorted(set(missing))) + "]")
    location.pop()
    return result


def _size(reader: FixedNode, writer: FixedNode, location: list[str]) -> _Result:
    if reader.size == writer.size:
        return _COMPATIBLE
    location.append("size")
    message = f"expected: {writer.size}, found: {reader.size}"
    result = _finding("FIXED_SIZE_MISMATCH", location, message)
    location.pop()
    return result


def check(reader: AvroNode, writer: AvroNode) -> list[Finding]:
    """Why `reader` cannot read data written with `writer`, in Avro's order; [] if it can.

    Where Avro Java's checker throws by design (`CheckerError`), Confluent answers with one
    "unexpected exception" incompatibility, and so does this. Any other exception is a
    failure of this code, not a verdict, and is left to `compat.formats.safe_backward_findings`.
    """
    try:
        return list(_Checker().pair(reader, writer, []))
    except CheckerError as exc:
        return [exception_finding(str(exc))]
