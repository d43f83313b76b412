"""Confluent's JSON Schema comparison: every difference between an original and an update.

`compare(original, update)` walks both node graphs together and lists each difference with
its type and JSON-pointer path, compatible ones included; which of them break compatibility
is decided afterwards by the policy's compatible set.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction

from compat.jsonschema._context import Context, Path, add_limit_change
from compat.jsonschema._model import (
    ALL_OF,
    ANY_OF,
    ARRAY,
    COMBINED,
    CONST,
    EMPTY,
    ENUM,
    FALSE,
    NOT,
    NUMBER,
    OBJECT,
    ONE_OF,
    STRING,
    TRUE,
    Node,
)
from compat.jsonschema._objects import compare_arrays, compare_objects


@dataclass(frozen=True, slots=True)
class Difference:
    """One difference: Confluent's type name and the JSON pointer where it was found."""

    type: str
    path: str

    def __str__(self) -> str:
        return f"{self.type} {self.path}"


def _pointer(path: Path) -> str:
    return "#/" + "/".join(path)


def compare(original: Node, update: Node, compatible: frozenset[str]) -> list[Difference]:
    """Every difference from `original` to `update`; `compatible` guides combined matching."""
    ctx = Context(compatible, set())
    _compare(ctx, (), original, update)
    return [Difference(kind, _pointer(path)) for kind, path in ctx.found]


def _compare(ctx: Context, path: Path, original: Node | None, update: Node | None) -> None:
    if original is None and update is None:
        return
    if original is None:
        ctx.add("SCHEMA_ADDED", path)
        return
    if update is None:
        ctx.add("SCHEMA_REMOVED", path)
        return
    old = original.deref()
    new = update.deref()
    pair = (id(old), id(new))
    if pair in ctx.active:
        ctx.cuts[0] += 1
        return
    unwrap = None
    if old.kind != COMBINED and new.kind == COMBINED:
        unwrap = _into_combined
    elif old.kind == COMBINED and new.kind != COMBINED:
        unwrap = _out_of_combined
    if unwrap is not None and _unwrapping(unwrap, ctx, path, old, new):
        return
    if old.kind != new.kind:
        if old.kind == FALSE or new.kind in (EMPTY, TRUE):
            return
        if old.connect_type == "bytes" and new.connect_type == "bytes":
            return
        ctx.add("TYPE_CHANGED", path)
        return
    known = ctx.done.get(pair)
    if known is not None:
        # Schemas shared through `$ref` are compared once per pair, which keeps a check
        # polynomial however the references fan out.
        ctx.found += [(kind, path + rest) for kind, rest in known]
        return
    if pair in ctx.active:
        ctx.cuts[0] += 1
        return
    ctx.active.add(pair)
    start, cuts = len(ctx.found), ctx.cuts[0]
    try:
        _same_kind(ctx, path, old, new)
    finally:
        ctx.active.discard(pair)
    # A result that assumed a pair still open to be compatible is provisional: keeping it
    # could hide a difference found once that pair is finished.
    if ctx.cuts[0] == cuts:
        depth = len(path)
        ctx.done[pair] = [(kind, where[depth:]) for kind, where in ctx.found[start:]]


def _unwrapping(
    unwrap: Callable[[Context, Path, Node, Node], bool],
    ctx: Context,
    path: Path,
    old: Node,
    new: Node,
) -> bool:
    """`unwrap` with the pair marked open: a combined schema whose only branch refers back
    to itself (`{"oneOf": [{"$ref": "#"}]}`) would otherwise unwrap without end."""
    pair = (id(old), id(new))
    ctx.active.add(pair)
    try:
        return unwrap(ctx, path, old, new)
    finally:
        ctx.active.discard(pair)


def _into_combined(ctx: Context, path: Path, old: Node, new: Node) -> bool:
    subs = new.subschemas
    if len(subs) == 1:
        sub = ctx.sub()
        _compare(sub, path, old, subs[0])
        if sub.is_compatible():
            ctx.found += sub.found
            return True
    elif new.criterion in (ANY_OF, ONE_OF):
        for branch in subs:
            sub = ctx.sub()
            _compare(sub, path, old, branch)
            if sub.is_compatible():
                ctx.found += sub.found
                ctx.add("SUM_TYPE_EXTENDED", path)
                return True
    return False


def _out_of_combined(ctx: Context, path: Path, old: Node, new: Node) -> bool:
    subs = old.subschemas
    if len(subs) == 1:
        sub = ctx.sub()
        _compare(sub, path, subs[0], new)
        if sub.is_compatible():
            ctx.found += sub.found
            return True
    elif old.criterion == ALL_OF:
        for branch in subs:
            sub = ctx.sub()
            _compare(sub, path, branch, new)
            if sub.is_compatible():
                ctx.found += sub.found
                ctx.add("PRODUCT_TYPE_NARROWED", path)
                return True
    return False


def _same_kind(ctx: Context, path: Path, old: Node, new: Node) -> None:
    if old.schema_id != new.schema_id:
        ctx.add("ID_CHANGED", path)
    if old.title != new.title:
        ctx.add("TITLE_CHANGED", path)
    if old.description != new.description:
        ctx.add("DESCRIPTION_CHANGED", path)
    if old.default != new.default:
        ctx.add("DEFAULT_CHANGED", path)
    handler = _HANDLERS.get(old.kind)
    if handler is not None:
        handler(ctx, path, old, new)


def _string(ctx: Context, path: Path, old: Node, new: Node) -> None:
    add_limit_change(ctx, path, "MAX_LENGTH", "maxLength", old.max_length, new.max_length)
    add_limit_change(ctx, path, "MIN_LENGTH", "minLength", old.min_length, new.min_length)
    if old.pattern != new.pattern:
        where = (*path, "pattern")
        if old.pattern is None:
            ctx.add("PATTERN_ADDED", where)
        elif new.pattern is None:
            ctx.add("PATTERN_REMOVED", where)
        else:
            ctx.add("PATTERN_CHANGED", where)


def _number(ctx: Context, path: Path, old: Node, new: Node) -> None:
    add_limit_change(ctx, path, "MAXIMUM", "maximum", old.maximum, new.maximum)
    add_limit_change(ctx, path, "MINIMUM", "minimum", old.minimum, new.minimum)
    add_limit_change(
        ctx,
        path,
        "EXCLUSIVE_MAXIMUM",
        "exclusiveMaximum",
        old.exclusive_maximum,
        new.exclusive_maximum,
    )
    add_limit_change(
        ctx,
        path,
        "EXCLUSIVE_MINIMUM",
        "exclusiveMinimum",
        old.exclusive_minimum,
        new.exclusive_minimum,
    )
    a, b = old.multiple_of, new.multiple_of
    if a != b:
        where = (*path, "multipleOf")
        if a is None:
            ctx.add("MULTIPLE_OF_ADDED", where)
        elif b is None:
            ctx.add("MULTIPLE_OF_REMOVED", where)
        elif a != 0 and (Fraction(b) / Fraction(a)).denominator == 1:
            ctx.add("MULTIPLE_OF_EXPANDED", where)
        elif b != 0 and (Fraction(a) / Fraction(b)).denominator == 1:
            ctx.add("MULTIPLE_OF_REDUCED", where)
        else:
            ctx.add("MULTIPLE_OF_CHANGED", where)
    if old.integer and not new.integer:
        ctx.add("TYPE_EXTENDED", path)
    elif new.integer and not old.integer:
        ctx.add("TYPE_NARROWED", path)


def _enum(ctx: Context, path: Path, old: Node, new: Node) -> None:
    if old.values == new.values:
        return
    where = (*path, "enum")
    if new.values > old.values:
        ctx.add("ENUM_ARRAY_EXTENDED", where)
    elif new.values < old.values:
        ctx.add("ENUM_ARRAY_NARROWED", where)
    else:
        ctx.add("ENUM_ARRAY_CHANGED", where)


def _const(ctx: Context, path: Path, old: Node, new: Node) -> None:
    if old.values != new.values:
        ctx.add("ENUM_ARRAY_CHANGED", (*path, "const"))


def _not(ctx: Context, path: Path, old: Node, new: Node) -> None:
    sub = ctx.sub()
    where = (*path, "not")
    _compare(sub, where, new.inner, old.inner)
    ctx.add("NOT_TYPE_NARROWED" if sub.is_compatible() else "NOT_TYPE_EXTENDED", where)


def _unique(nodes: list[Node]) -> list[Node]:
    seen: set[str] = set()
    out: list[Node] = []
    for node in nodes:
        if node.key not in seen:
            seen.add(node.key)
            out.append(node)
    return out


def _combined(ctx: Context, path: Path, old: Node, new: Node) -> None:
    olds, news = _unique(old.subschemas), _unique(new.subschemas)
    if old.criterion != new.criterion:
        if (
            new.criterion == ANY_OF
            or (len(olds) == 1 and len(news) == 1)
            or (len(olds) == 1 and new.criterion == ONE_OF)
            or (len(news) == 1 and old.criterion == ALL_OF)
        ):
            ctx.add("COMBINED_TYPE_EXTENDED", path)
        else:
            ctx.add("COMBINED_TYPE_CHANGED", path)
            return
    if len(news) > len(olds):
        ctx.add("PRODUCT_TYPE_EXTENDED" if new.criterion == ALL_OF else "SUM_TYPE_EXTENDED", path)
    elif len(news) < len(olds):
        narrowed = old.criterion in (ANY_OF, ONE_OF)
        ctx.add("SUM_TYPE_NARROWED" if narrowed else "PRODUCT_TYPE_NARROWED", path)
    edges: list[dict[int, list[tuple[str, Path]]]] = []
    for i, branch in enumerate(olds):
        row: dict[int, list[tuple[str, Path]]] = {}
        for j, candidate in enumerate(news):
            sub = ctx.sub()
            _compare(sub, (*path, old.criterion, str(i)), branch, candidate)
            if sub.is_compatible():
                row[j] = sub.found
        edges.append(row)
    matched = _matching(edges)
    for j, i in sorted(matched.items(), key=lambda item: item[1]):
        ctx.found += edges[i][j]
    if len(matched) < min(len(olds), len(news)):
        ctx.add("COMBINED_TYPE_SUBSCHEMAS_CHANGED", path)


def _matching(edges: list[dict[int, list[tuple[str, Path]]]]) -> dict[int, int]:
    """A maximum bipartite matching by augmenting paths: new index → old index."""
    owner: dict[int, int] = {}

    def augment(i: int, seen: set[int]) -> bool:
        for j in edges[i]:
            if j in seen:
                continue
            seen.add(j)
            if j not in owner or augment(owner[j], seen):
                owner[j] = i
                return True
        return False

    for i in range(len(edges)):
        augment(i, set())
    return owner


_Handler = Callable[[Context, Path, Node, Node], None]


def _object_handler(ctx: Context, path: Path, old: Node, new: Node) -> None:
    compare_objects(ctx, path, old, new, _compare)


def _array_handler(ctx: Context, path: Path, old: Node, new: Node) -> None:
    compare_arrays(ctx, path, old, new, _compare)


_HANDLERS: dict[str, _Handler] = {
    STRING: _string,
    NUMBER: _number,
    ENUM: _enum,
    CONST: _const,
    NOT: _not,
    COMBINED: _combined,
    OBJECT: _object_handler,
    ARRAY: _array_handler,
}
