"""Schema JSON to the node graph, with Avro Java's validation rules.

Confluent accepts exactly what Avro Java's `Schema.Parser` (with default validation on) accepts,
so these are its rules: names are a letter or `_` then letters, digits or `_` (Unicode letters
count); a named type may be used before it is defined, and unqualified references look in the
enclosing namespace first and then in the null namespace; unions may not nest or repeat a type;
field names are unique; an enum default must be a symbol; a fixed size is a non-negative 32-bit
integer; field defaults must fit their type. Non-string `doc` and `namespace` values and a
non-string enum `default` are ignored, as Avro Java ignores them. Named types defined by the
schema's references are in scope, so the schema may use them by name.

Every failure is a `SchemaParseError` naming the problem and its JSON-pointer location.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from compat.avro._jsontext import dump
from compat.avro._model import (
    NO_DEFAULT,
    PRIMITIVES,
    ArrayNode,
    AvroNode,
    EnumNode,
    FieldNode,
    FixedNode,
    MapNode,
    NamedNode,
    PrimitiveNode,
    RecordNode,
    UnionNode,
)
from compat.avro._rules import (
    ENUM_RESERVED,
    FIELD_RESERVED,
    INT_MAX,
    ORDERS,
    SCHEMA_RESERVED,
    alias_names,
    check_default,
    check_name,
    check_union,
    fail,
    name_problem,
    props,
    split_name,
    string_list,
)
from compat.errors import SchemaParseError

#: How many schemas may nest inside one another; far beyond real schemas, well within Python's
#: recursion limit for the parser, the printer and the checker.
MAX_DEPTH = 200


@dataclass(frozen=True, slots=True)
class ParseResult:
    """The root node and the named types the text itself defines, in definition order."""

    root: AvroNode
    defined: Mapping[str, NamedNode]


def _setter(target: object, attribute: str) -> Callable[[AvroNode], None]:
    def assign(node: AvroNode) -> None:
        setattr(target, attribute, node)

    return assign


def _branch_setter(union: UnionNode, index: int) -> Callable[[AvroNode], None]:
    def assign(node: AvroNode) -> None:
        union.branches[index] = node

    return assign


class _Unresolved:
    """A reference to a named type not defined yet; resolved when the whole text is read."""

    __slots__ = ("candidates", "path", "written")

    def __init__(self, written: str, candidates: tuple[str, ...], path: list[str]) -> None:
        self.written = written
        self.candidates = candidates
        self.path = list(path)


_Built = AvroNode | _Unresolved


class _Builder:
    """One parse: the names in scope, the forward references and the checks left for the end."""

    def __init__(self, known: Mapping[str, NamedNode]) -> None:
        self.known = known
        self.defined: dict[str, NamedNode] = {}
        self.pending: list[tuple[_Unresolved, Callable[[AvroNode], None]]] = []
        self.unions: list[tuple[UnionNode, list[str]]] = []
        self.defaults: list[tuple[FieldNode, list[str]]] = []
        #: Records whose fields are still being read.
        self.open: set[RecordNode] = set()

    def lookup(self, fullname: str) -> NamedNode | None:
        """The named type of that full name, from this text first, then from the references."""
        return self.defined.get(fullname) or self.known.get(fullname)

    def later(self, built: _Built, setter: Callable[[AvroNode], None]) -> None:
        """Assign `built` now, or once it is resolved if it is a forward reference."""
        if isinstance(built, _Unresolved):
            self.pending.append((built, setter))
        else:
            setter(built)

    def reference(self, written: str, space: str | None, path: list[str]) -> _Built:
        """A type used by name: in the enclosing namespace first, then in the null one."""
        if written in PRIMITIVES:
            return PrimitiveNode(written, {})
        candidates: list[str] = []
        for context in (space, None):
            simple, namespace = split_name(written, context)
            full = f"{namespace}.{simple}" if namespace else simple
            if full not in candidates:
                candidates.append(full)
        for full in candidates:
            found = self.lookup(full)
            if found is not None:
                return found
        return _Unresolved(written, tuple(candidates), path)

    def build(self, value: Any, space: str | None, path: list[str], depth: int) -> _Built:
        """The node for one schema value: a name, a union array or a schema object."""
        if depth > MAX_DEPTH:
            # The path would be hundreds of tokens long; the depth alone says what is wrong.
            raise SchemaParseError(f"Invalid schema: schemas nest more than {MAX_DEPTH} levels")
        if isinstance(value, str):
            return self.reference(value, space, path)
        if isinstance(value, list):
            return self.union(value, space, path, depth)
        if not isinstance(value, dict):
            raise fail(
                path, f"expected a type name, an object or a union array, found {dump(value)}"
            )
        kind = value.get("type")
        if not isinstance(kind, str):
            raise fail(path, "a schema object needs a string 'type'")
        if kind in PRIMITIVES:
            return PrimitiveNode(kind, props(value, SCHEMA_RESERVED))
        if kind in ("record", "error", "enum", "fixed"):
            return self.named(kind, value, space, path, depth)
        if kind in ("array", "map"):
            key = "items" if kind == "array" else "values"
            if key not in value:
                raise fail(
                    path, f"an {kind} needs '{key}'" if kind == "array" else f"a map needs '{key}'"
                )
            path.append(key)
            inner = self.build(value[key], space, path, depth + 1)
            path.pop()
            attributes = props(value, SCHEMA_RESERVED)
            node: ArrayNode | MapNode
            if kind == "array":
                node = ArrayNode(PrimitiveNode("null", {}), attributes)
                self.later(inner, _setter(node, "items"))
            else:
                node = MapNode(PrimitiveNode("null", {}), attributes)
                self.later(inner, _setter(node, "values"))
            return node
        return self.reference(kind, space, path)

    def union(self, value: list[Any], space: str | None, path: list[str], depth: int) -> UnionNode:
        """A union; its branch rules are checked once forward references are resolved."""
        node = UnionNode([])
        for index, item in enumerate(value):
            path.append(str(index))
            branch = self.build(item, space, path, depth + 1)
            path.pop()
            node.branches.append(PrimitiveNode("null", {}))
            self.later(branch, _branch_setter(node, index))
        self.unions.append((node, list(path)))
        return node

    def named(
        self, kind: str, value: dict[str, Any], space: str | None, path: list[str], depth: int
    ) -> NamedNode:
        """A record, error, enum or fixed definition, registered under its full name."""
        written = value.get("name")
        if not isinstance(written, str):
            raise fail(path, f"a {kind} needs a string 'name'")
        explicit = value.get("namespace")
        name, namespace = split_name(written, explicit if isinstance(explicit, str) else space)
        check_name(name, path, "name")
        if namespace is not None:
            for part in namespace.split("."):
                if (problem := name_problem(part)) is not None:
                    raise fail(path, f"namespace '{namespace}' is invalid: {problem}")
        fullname = f"{namespace}.{name}" if namespace else name
        if fullname in PRIMITIVES:
            raise fail(path, f"a named type may not be called '{fullname}', a primitive type")
        existing = self.lookup(fullname)
        doc = value.get("doc")
        doc = doc if isinstance(doc, str) else None
        aliases = alias_names(value, path, namespace)
        node: NamedNode
        if kind in ("record", "error"):
            record = RecordNode(
                name,
                namespace,
                doc,
                aliases,
                props(value, SCHEMA_RESERVED),
                is_error=kind == "error",
            )
            self.redefine(existing, record, path)
            self.open.add(record)
            self.fields(record, value, path, depth)
            self.open.discard(record)
            return record
        if kind == "enum":
            node = _enum(name, namespace, doc, aliases, value, path)
        else:
            size = value.get("size")
            if not isinstance(size, int) or isinstance(size, bool) or not 0 <= size <= INT_MAX:
                raise fail(path, "a fixed needs a 'size' that is an integer from 0 to 2^31-1")
            node = FixedNode(
                name, namespace, doc, aliases, props(value, SCHEMA_RESERVED), size=size
            )
        self.redefine(existing, node, path)
        return node

    def redefine(self, existing: NamedNode | None, node: NamedNode, path: list[str]) -> None:
        """Register `node`, or accept it as a repeat of `existing` where Avro Java does.

        Avro Java lets a name be defined again when the new schema equals the first one at the
        moment it is created, before its own properties are attached: an enum with the same
        symbols or a fixed with the same size, when the first has no properties (docs and
        aliases do not count), or a record nested inside the record of that name while the
        outer one's fields are still being read. Names keep resolving to the first definition.
        """
        if existing is None:
            self.defined[node.fullname] = node
            return
        if isinstance(existing, EnumNode) and isinstance(node, EnumNode):
            same = not existing.props and existing.symbols == node.symbols
        elif isinstance(existing, FixedNode) and isinstance(node, FixedNode):
            same = not existing.props and existing.size == node.size
        else:
            same = isinstance(node, RecordNode) and existing in self.open
        if not same:
            raise fail(path, f"the name '{node.fullname}' is already defined")

    def fields(
        self, record: RecordNode, value: dict[str, Any], path: list[str], depth: int
    ) -> None:
        """Read a record's fields; their types are parsed in the record's namespace."""
        items = value.get("fields")
        if not isinstance(items, list):
            raise fail(path, f"record '{record.fullname}' needs a 'fields' array")
        fields: list[FieldNode] = []
        path.append("fields")
        for pos, item in enumerate(items):
            path.append(str(pos))
            if not isinstance(item, dict) or not isinstance(item.get("name"), str):
                raise fail(path, "a field needs a string 'name'")
            name: str = item["name"]
            check_name(name, path, "field name")
            if name in record.by_name:
                raise fail(path, f"record '{record.fullname}' has two fields named '{name}'")
            if "type" not in item:
                raise fail(path, f"field '{name}' needs a 'type'")
            order = item.get("order", "ascending")
            if not isinstance(order, str) or order.upper() not in ORDERS:
                raise fail(
                    path, f"field '{name}' has an 'order' other than ascending/descending/ignore"
                )
            doc = item.get("doc")
            field = FieldNode(
                name,
                pos,
                doc if isinstance(doc, str) else None,
                item.get("default", NO_DEFAULT),
                order.lower(),
                string_list(item, path, "aliases"),
                props(item, FIELD_RESERVED),
            )
            path.append("type")
            built = self.build(item["type"], record.namespace, path, depth + 1)
            path.pop()
            self.later(built, _setter(field, "type"))
            if field.has_default:
                self.defaults.append((field, list(path)))
            record.by_name[name] = field
            fields.append(field)
            path.pop()
        path.pop()
        record.fields = tuple(fields)

    def finish(self, root: _Built) -> AvroNode:
        """Resolve forward references, then run the checks that need the whole graph."""
        for ref, setter in self.pending:
            setter(self.resolve(ref))
        if isinstance(root, _Unresolved):
            root = self.resolve(root)
        for union, path in self.unions:
            check_union(union, path)
        for field, path in self.defaults:
            check_default(field, path)
        return root

    def resolve(self, ref: _Unresolved) -> AvroNode:
        """The named type a forward reference means, now that every definition is known."""
        for full in ref.candidates:
            found = self.lookup(full)
            if found is not None:
                return found
        raise fail(
            ref.path,
            f"unknown type '{ref.written}': no primitive or named type is called "
            f"{' or '.join(ref.candidates)}",
        )


def _enum(
    name: str,
    namespace: str | None,
    doc: str | None,
    aliases: tuple[str, ...],
    value: dict[str, Any],
    path: list[str],
) -> EnumNode:
    symbols = value.get("symbols")
    if not isinstance(symbols, list) or not all(isinstance(s, str) for s in symbols):
        raise fail(path, "an enum needs a 'symbols' array of strings")
    for symbol in symbols:
        check_name(symbol, path, "enum symbol")
    if len(set(symbols)) != len(symbols):
        duplicate = next(s for s in symbols if symbols.count(s) > 1)
        raise fail(path, f"enum symbol '{duplicate}' appears twice")
    default = value.get("default")
    if isinstance(default, str) and default not in symbols:
        raise fail(path, f"the enum default '{default}' is not one of the symbols")
    return EnumNode(
        name,
        namespace,
        doc,
        aliases,
        props(value, ENUM_RESERVED),
        symbols=tuple(symbols),
        default=default if isinstance(default, str) else None,
    )


def build_schema(value: Any, known: Mapping[str, NamedNode]) -> ParseResult:
    """Build and validate the graph of one schema; `known` holds the references' named types."""
    builder = _Builder(known)
    try:
        root = builder.finish(builder.build(value, None, [], 0))
    except RecursionError as exc:
        raise SchemaParseError("Invalid schema: the schema nests too deeply") from exc
    return ParseResult(root, dict(builder.defined))
