"""The parsed Avro schema graph that printing and the compatibility checker walk.

Nodes mirror Avro Java's `Schema` objects one for one, including their identity: a named type
is one node however often it is referenced (so recursive types are cycles), while every other
schema written in the text (a primitive, array, map or union) is a node of its own. The checker
memoises on node identity exactly as Avro memoises on object identity, so this matters for its
findings, not only for speed. Everything the checker asks is precomputed here at parse time.

Nodes are built mutable by the parser (a record's fields are set after its name is registered,
which is what lets a record refer to itself) and are never changed once parsing returns.
"""

from __future__ import annotations

from typing import Any

PRIMITIVES = frozenset(("null", "boolean", "int", "long", "float", "double", "bytes", "string"))

#: Avro Java's `Schema.Type` constant names, used in the checker's messages.
TYPE_NAMES = {
    "null": "NULL",
    "boolean": "BOOLEAN",
    "int": "INT",
    "long": "LONG",
    "float": "FLOAT",
    "double": "DOUBLE",
    "bytes": "BYTES",
    "string": "STRING",
    "array": "ARRAY",
    "map": "MAP",
    "fixed": "FIXED",
    "enum": "ENUM",
    "record": "RECORD",
    "union": "UNION",
}

#: A field default that was not given (None would mean a JSON `null` default).
NO_DEFAULT: Any = object()


class AvroNode:
    """One schema. `kind` is the Avro type name; an `error` record has kind `record`."""

    __slots__ = ("kind", "props")

    def __init__(self, kind: str, props: dict[str, Any]) -> None:
        self.kind = kind
        #: Non-reserved attributes in text order (logical types included); printed back as is.
        self.props = props


class PrimitiveNode(AvroNode):
    """`null`, `boolean`, `int`, `long`, `float`, `double`, `bytes` or `string`."""

    __slots__ = ()


class ArrayNode(AvroNode):
    """An array of `items`."""

    __slots__ = ("items",)

    def __init__(self, items: AvroNode, props: dict[str, Any]) -> None:
        super().__init__("array", props)
        self.items = items


class MapNode(AvroNode):
    """A map from strings to `values`."""

    __slots__ = ("values",)

    def __init__(self, values: AvroNode, props: dict[str, Any]) -> None:
        super().__init__("map", props)
        self.values = values


class UnionNode(AvroNode):
    """A union; `branches` keeps the written order, which is part of the data encoding."""

    __slots__ = ("branches",)

    def __init__(self, branches: list[AvroNode]) -> None:
        super().__init__("union", {})
        self.branches = branches


class NamedNode(AvroNode):
    """A record, enum or fixed: a name, an optional namespace, a doc and aliases."""

    __slots__ = ("alias_set", "aliases", "doc", "fullname", "name", "namespace")

    def __init__(
        self,
        kind: str,
        name: str,
        namespace: str | None,
        doc: str | None,
        aliases: tuple[str, ...],
        props: dict[str, Any],
    ) -> None:
        super().__init__(kind, props)
        self.name = name
        self.namespace = namespace
        self.fullname = f"{namespace}.{name}" if namespace else name
        self.doc = doc
        #: Alias full names (resolved against this type's namespace), first occurrence order.
        self.aliases = aliases
        self.alias_set = frozenset(aliases)


class FieldNode:
    """A record field. `pos_token` is its position as a location token for findings."""

    __slots__ = (
        "aliases",
        "default",
        "doc",
        "has_default",
        "name",
        "order",
        "pos",
        "pos_token",
        "props",
        "type",
    )

    def __init__(
        self,
        name: str,
        pos: int,
        doc: str | None,
        default: Any,
        order: str,
        aliases: tuple[str, ...],
        props: dict[str, Any],
    ) -> None:
        self.name = name
        self.pos = pos
        self.pos_token = str(pos)
        self.type: AvroNode = _UNSET
        self.doc = doc
        self.default = default
        self.has_default = default is not NO_DEFAULT
        self.order = order
        self.aliases = aliases
        self.props = props


class RecordNode(NamedNode):
    """A record (or an `error`, which Avro treats as a record everywhere but in print)."""

    __slots__ = ("by_name", "fields", "is_error")

    def __init__(
        self,
        name: str,
        namespace: str | None,
        doc: str | None,
        aliases: tuple[str, ...],
        props: dict[str, Any],
        *,
        is_error: bool,
    ) -> None:
        super().__init__("record", name, namespace, doc, aliases, props)
        self.is_error = is_error
        self.fields: tuple[FieldNode, ...] = ()
        self.by_name: dict[str, FieldNode] = {}


class EnumNode(NamedNode):
    """An enum; `default` is the symbol readers use for unknown symbols, if any."""

    __slots__ = ("default", "symbol_set", "symbols")

    def __init__(
        self,
        name: str,
        namespace: str | None,
        doc: str | None,
        aliases: tuple[str, ...],
        props: dict[str, Any],
        *,
        symbols: tuple[str, ...],
        default: str | None,
    ) -> None:
        super().__init__("enum", name, namespace, doc, aliases, props)
        self.symbols = symbols
        self.symbol_set = frozenset(symbols)
        self.default = default


class FixedNode(NamedNode):
    """A fixed-size byte string."""

    __slots__ = ("size",)

    def __init__(
        self,
        name: str,
        namespace: str | None,
        doc: str | None,
        aliases: tuple[str, ...],
        props: dict[str, Any],
        *,
        size: int,
    ) -> None:
        super().__init__("fixed", name, namespace, doc, aliases, props)
        self.size = size


#: Placeholder for a field type until the parser sets it.
_UNSET = PrimitiveNode("null", {})


def qualified(name: str, namespace: str | None, space: str | None) -> str:
    """A name as Avro writes it inside namespace `space`: short when the namespaces agree."""
    if namespace is None or namespace == space:
        return name
    return f"{namespace}.{name}"
