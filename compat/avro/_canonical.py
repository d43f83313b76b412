"""Schema text as Confluent stores it: Avro Java's `Schema.toString()` and Confluent's normal form.

Canonical form (what the registry stores, returns and hashes) is `Schema.toString(refs, false)`:
compact JSON; a named type is written in full where the walk first meets it and by name after
that, short when its namespace is the enclosing one; `namespace` appears only when it differs
from the enclosing namespace (`""` for the null namespace inside a named one); attributes in
Java's order — record `type name namespace doc fields <props> aliases`, enum `... symbols
default <props> aliases`, fixed `... size <props> aliases`, field `name type doc default order
(unless ascending) aliases <props>`, array `type items <props>`, map `type values <props>`; a
primitive with no properties collapses to its name. The top-level named types of the references
count as already written, so the stored text names them instead of inlining them. The
`resolved` view is the same walk with nothing known in advance, which inlines them.

The normal form follows Confluent's `AvroSchema.normalize()`: it writes a rebuilt JSON text
(full names and no namespaces; properties, object keys and aliases sorted; valid logical-type
attributes first; `order` spelled out; defaults coerced through their field type) which the
caller parses again; the stored text is the canonical form of that re-parse. Schemas that differ
only in attribute order, property order or alias order therefore normalise to the same text.
One deliberate difference: every named type from the references is written by name, where
Confluent names only each reference's top-level type (and then fails to re-parse a schema that
uses a type nested inside a reference).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from compat.avro._defaults import coerce_default
from compat.avro._jsontext import dump, dump_str
from compat.avro._model import (
    ArrayNode,
    AvroNode,
    EnumNode,
    FixedNode,
    MapNode,
    NamedNode,
    RecordNode,
    UnionNode,
    qualified,
)


def to_text(root: AvroNode, known: Iterable[str] = ()) -> str:
    """`Schema.toString(known, false)`: names in `known` are written by name, never inlined."""
    out: list[str] = []
    _write(root, set(known), None, out)
    return "".join(out)


def _props(props: dict[str, Any], out: list[str]) -> None:
    for key, value in props.items():
        out.append(f",{dump_str(key)}:{dump(value)}")


def _write(node: AvroNode, names: set[str], space: str | None, out: list[str]) -> None:
    if isinstance(node, NamedNode):
        _write_named(node, names, space, out)
    elif isinstance(node, UnionNode):
        out.append("[")
        for index, branch in enumerate(node.branches):
            if index:
                out.append(",")
            _write(branch, names, space, out)
        out.append("]")
    elif isinstance(node, ArrayNode | MapNode):
        if isinstance(node, ArrayNode):
            out.append('{"type":"array","items":')
            _write(node.items, names, space, out)
        else:
            out.append('{"type":"map","values":')
            _write(node.values, names, space, out)
        _props(node.props, out)
        out.append("}")
    elif node.props:
        out.append(f'{{"type":"{node.kind}"')
        _props(node.props, out)
        out.append("}")
    else:
        out.append(f'"{node.kind}"')


def _write_named(node: NamedNode, names: set[str], space: str | None, out: list[str]) -> None:
    if node.fullname in names:
        out.append(dump_str(qualified(node.name, node.namespace, space)))
        return
    names.add(node.fullname)
    kind = "error" if isinstance(node, RecordNode) and node.is_error else node.kind
    out.append(f'{{"type":"{kind}","name":{dump_str(node.name)}')
    if node.namespace is not None:
        if node.namespace != space:
            out.append(f',"namespace":{dump_str(node.namespace)}')
    elif space is not None:
        out.append(',"namespace":""')
    if node.doc is not None:
        out.append(f',"doc":{dump_str(node.doc)}')
    if isinstance(node, RecordNode):
        out.append(',"fields":[')
        for index, field in enumerate(node.fields):
            out.append(f'{"," if index else ""}{{"name":{dump_str(field.name)},"type":')
            _write(field.type, names, node.namespace, out)
            if field.doc is not None:
                out.append(f',"doc":{dump_str(field.doc)}')
            if field.has_default:
                out.append(f',"default":{dump(field.default)}')
            if field.order != "ascending":
                out.append(f',"order":"{field.order}"')
            if field.aliases:
                out.append(f',"aliases":{dump(list(field.aliases))}')
            _props(field.props, out)
            out.append("}")
        out.append("]")
    elif isinstance(node, EnumNode):
        out.append(f',"symbols":{dump(list(node.symbols))}')
        if node.default is not None:
            out.append(f',"default":{dump_str(node.default)}')
    elif isinstance(node, FixedNode):
        out.append(f',"size":{node.size}')
    _props(node.props, out)
    if node.aliases:
        out.append(f',"aliases":{dump([_relative(a, node.namespace) for a in node.aliases])}')
    out.append("}")


def _relative(fullname: str, space: str | None) -> str:
    namespace, _, name = fullname.rpartition(".")
    return qualified(name, namespace or None, space)


# --- Confluent's normal form -------------------------------------------------------------

_LONG_LOGICAL = frozenset(
    (
        "time-micros",
        "timestamp-millis",
        "timestamp-micros",
        "timestamp-nanos",
        "local-timestamp-millis",
        "local-timestamp-micros",
        "local-timestamp-nanos",
    )
)


def _int_prop(props: dict[str, Any], key: str, absent: int) -> int | None:
    value = props.get(key, absent)
    if isinstance(value, int) and not isinstance(value, bool) and -(2**31) <= value < 2**31:
        return value
    return None  # Avro Java wants a 32-bit integer here, or the logical type is invalid


def _logical(node: AvroNode) -> str | None:
    """The logical-type attributes Avro Java recognises as valid, as a JSON fragment."""
    name = node.props.get("logicalType")
    kind = node.kind
    if name == "decimal" and kind in ("bytes", "fixed"):
        precision = _int_prop(node.props, "precision", 0)
        scale = _int_prop(node.props, "scale", 0)
        if precision is None or scale is None or precision <= 0 or not 0 <= scale <= precision:
            return None
        if isinstance(node, FixedNode) and precision > _max_fixed_precision(node.size):
            return None
        scale_text = f',"scale":{scale}' if scale else ""
        return f',"logicalType":"decimal","precision":{precision}{scale_text}'
    valid = (
        (name == "big-decimal" and kind == "bytes")
        or (
            name == "uuid"
            and (kind == "string" or (isinstance(node, FixedNode) and node.size == 16))
        )
        or (name in ("date", "time-millis") and kind == "int")
        or (name in _LONG_LOGICAL and kind == "long")
    )
    return f',"logicalType":{dump_str(name)}' if valid and isinstance(name, str) else None


def _max_fixed_precision(size: int) -> int:
    """The most decimal digits a two's-complement number of `size` bytes always holds."""
    if size <= 0:
        return 0
    if size > 4096:  # Java's double arithmetic overflows here and allows any precision
        return 2**31 - 1
    return len(str(2 ** (8 * size - 1) - 1)) - 1


def _java_sorted(items: Iterable[str]) -> list[str]:
    """Sorted as Java's TreeSet/TreeMap sort strings: by UTF-16 code units."""
    return sorted(items, key=lambda k: k.encode("utf-16-be", "surrogatepass"))


def _sorted_value(value: Any) -> Any:
    """A JSON value with object keys sorted at every level, as Confluent's sorting mapper does."""
    if isinstance(value, dict):
        return {k: _sorted_value(value[k]) for k in _java_sorted(value)}
    if isinstance(value, list):
        return [_sorted_value(v) for v in value]
    return value


def _sorted_props(props: dict[str, Any], out: list[str]) -> None:
    for key in _java_sorted(props):
        out.append(f",{dump_str(key)}:{dump(_sorted_value(props[key]))}")


def normalized_json(root: AvroNode, known: Iterable[str]) -> str:
    """The JSON text Confluent's normaliser writes; parse it again to get the stored form."""
    env = {name: dump_str(name) for name in known}
    out: list[str] = []
    _normal(root, env, out)
    return "".join(out)


def _normal(node: AvroNode, env: dict[str, str], out: list[str]) -> None:
    if isinstance(node, UnionNode):
        out.append("[")
        for index, branch in enumerate(node.branches):
            if index:
                out.append(",")
            _normal(branch, env, out)
        out.append("]")
    elif isinstance(node, ArrayNode | MapNode):
        key, inner = (
            ("items", node.items) if isinstance(node, ArrayNode) else ("values", node.values)
        )
        out.append(f'{{"type":"{node.kind}","{key}":')
        _normal(inner, env, out)
        _sorted_props(node.props, out)
        out.append("}")
    elif isinstance(node, NamedNode):
        _normal_named(node, env, out)
    else:
        logical = _logical(node)
        if logical is None and not node.props:
            out.append(f'"{node.kind}"')
            return
        out.append(f'{{"type":"{node.kind}"{logical or ""}')
        _sorted_props(node.props, out)
        out.append("}")


def _normal_named(node: NamedNode, env: dict[str, str], out: list[str]) -> None:
    if node.fullname in env:
        out.append(env[node.fullname])
        return
    env[node.fullname] = dump_str(node.fullname)
    out.append(f'{{"name":{env[node.fullname]},"type":"{node.kind}"')
    if isinstance(node, EnumNode):
        out.append(f',"symbols":{dump(list(node.symbols))}')
    elif isinstance(node, FixedNode):
        out.append(f',"size":{node.size}{_logical(node) or ""}')
    elif isinstance(node, RecordNode):
        out.append(',"fields":[')
        for index, field in enumerate(node.fields):
            out.append(f'{"," if index else ""}{{"name":{dump_str(field.name)},"type":')
            _normal(field.type, env, out)
            out.append(f',"order":"{field.order.upper()}"')
            if field.doc is not None:
                out.append(f',"doc":{dump_str(field.doc)}')
            if field.aliases:
                out.append(f',"aliases":{dump(_java_sorted(field.aliases))}')
            if field.has_default:
                default = _sorted_value(coerce_default(field.type, field.default))
                out.append(f',"default":{dump(default)}')
            _sorted_props(field.props, out)
            out.append("}")
        out.append("]")
    if node.doc:
        out.append(f',"doc":{dump_str(node.doc)}')
    if node.aliases:
        out.append(f',"aliases":{dump(_java_sorted(node.aliases))}')
    if isinstance(node, EnumNode) and node.default is not None:
        out.append(f',"default":{dump_str(node.default)}')
    _sorted_props(node.props, out)
    out.append("}")
