"""Object and array rules: properties, content models, dependencies, items and bounds."""

from __future__ import annotations

from compat.jsonschema._context import Compare, Context, Path, add_limit_change
from compat.jsonschema._model import FALSE, TRUE, Node


def _covered(ctx: Context, compare: Compare, path: Path, original: Node, update: Node) -> bool:
    sub = ctx.sub()
    compare(sub, path, original, update)
    ctx.found += sub.found
    return sub.is_compatible()


def _has_default(node: Node) -> bool:
    return node.default is not None or node.deref().default is not None


def compare_objects(ctx: Context, path: Path, old: Node, new: Node, compare: Compare) -> None:
    """Confluent's object rules, in its order: required, properties, dependencies, the rest."""
    for name in old.properties.keys() & new.properties.keys():
        was, now = name in old.required, name in new.required
        if was and not now:
            ctx.add("REQUIRED_ATTRIBUTE_REMOVED", (*path, "required", name))
        elif now and not was:
            with_default = _has_default(new.properties[name])
            kind = (
                "REQUIRED_ATTRIBUTE_WITH_DEFAULT_ADDED"
                if with_default
                else "REQUIRED_ATTRIBUTE_ADDED"
            )
            ctx.add(kind, (*path, "required", name))
    for name, schema in old.properties.items():
        where = (*path, "properties", name)
        if name in new.properties:
            compare(ctx, where, schema, new.properties[name])
        else:
            _property_removed(ctx, compare, where, name, schema, new)
    for name, schema in new.properties.items():
        if name not in old.properties:
            _property_added(ctx, compare, (*path, "properties", name), name, schema, old, new)
    _dependencies(ctx, compare, path, old, new)
    _additional(ctx, compare, path, old, new, "PROPERTIES", "additionalProperties")
    _unevaluated(
        ctx, compare, path, old.unevaluated, new.unevaluated, "PROPERTIES", "unevaluatedProperties"
    )
    add_limit_change(
        ctx, path, "MAX_PROPERTIES", "maxProperties", old.max_properties, new.max_properties
    )
    add_limit_change(
        ctx, path, "MIN_PROPERTIES", "minProperties", old.min_properties, new.min_properties
    )


def _property_removed(
    ctx: Context, compare: Compare, where: Path, name: str, schema: Node, new: Node
) -> None:
    if new.is_open:
        ctx.add("PROPERTY_REMOVED_FROM_OPEN_CONTENT_MODEL", where)
        return
    cover = new.covering_property(name)
    if cover is not None:
        ok = _covered(ctx, compare, where, schema, cover)
        ctx.add(
            f"PROPERTY_REMOVED_{'IS' if ok else 'NOT'}_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL",
            where,
        )
    elif schema.deref().kind == FALSE:
        ctx.add("PROPERTY_WITH_FALSE_REMOVED_FROM_CLOSED_CONTENT_MODEL", where)
    else:
        ctx.add("PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL", where)


def _property_added(
    ctx: Context, compare: Compare, where: Path, name: str, schema: Node, old: Node, new: Node
) -> None:
    required = name in new.required
    with_default = _has_default(schema)
    if old.is_open:
        if schema.deref().is_empty:
            ctx.add("PROPERTY_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL", where)
        elif required and with_default:
            ctx.add("REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_OPEN_CONTENT_MODEL", where)
        elif required:
            ctx.add("REQUIRED_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL", where)
        else:
            ctx.add("OPTIONAL_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL", where)
        return
    cover = old.covering_property(name)
    if cover is not None:
        ok = _covered(ctx, compare, where, cover, schema)
        ctx.add(
            f"PROPERTY_ADDED_{'IS' if ok else 'NOT'}_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL", where
        )
    if required and not with_default:
        ctx.add("REQUIRED_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL", where)
    elif required:
        ctx.add("REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_UNOPEN_CONTENT_MODEL", where)
    else:
        ctx.add("OPTIONAL_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL", where)


def _dependencies(ctx: Context, compare: Compare, path: Path, old: Node, new: Node) -> None:
    for key, names in old.dependency_arrays.items():
        where = (*path, "dependencies", key)
        now = new.dependency_arrays.get(key)
        if now is None:
            ctx.add("DEPENDENCY_ARRAY_REMOVED", where)
        elif now == names:
            continue
        elif now > names:
            ctx.add("DEPENDENCY_ARRAY_EXTENDED", where)
        elif now < names:
            ctx.add("DEPENDENCY_ARRAY_NARROWED", where)
        else:
            ctx.add("DEPENDENCY_ARRAY_CHANGED", where)
    for key in new.dependency_arrays.keys() - old.dependency_arrays.keys():
        ctx.add("DEPENDENCY_ARRAY_ADDED", (*path, "dependencies", key))
    for key, schema in old.dependency_schemas.items():
        where = (*path, "dependencies", key)
        if key in new.dependency_schemas:
            compare(ctx, where, schema, new.dependency_schemas[key])
        else:
            ctx.add("DEPENDENCY_SCHEMA_REMOVED", where)
    for key in new.dependency_schemas.keys() - old.dependency_schemas.keys():
        ctx.add("DEPENDENCY_SCHEMA_ADDED", (*path, "dependencies", key))


def _additional(
    ctx: Context, compare: Compare, path: Path, old: Node, new: Node, noun: str, keyword: str
) -> None:
    where = (*path, keyword)
    if old.additional_permitted and not new.additional_permitted:
        ctx.add(f"ADDITIONAL_{noun}_REMOVED", where)
    elif new.additional_permitted and not old.additional_permitted:
        ctx.add(f"ADDITIONAL_{noun}_ADDED", where)
    elif old.additional_permitted:
        if old.additional_schema is None and new.additional_schema is not None:
            ctx.add(f"ADDITIONAL_{noun}_NARROWED", where)
        elif old.additional_schema is not None and new.additional_schema is None:
            ctx.add(f"ADDITIONAL_{noun}_EXTENDED", where)
        elif old.additional_schema is not None:
            compare(ctx, where, old.additional_schema, new.additional_schema)


def _unevaluated(
    ctx: Context,
    compare: Compare,
    path: Path,
    old: Node | None,
    new: Node | None,
    noun: str,
    keyword: str,
) -> None:
    where = (*path, keyword)
    name = f"UNEVALUATED_{noun}"
    if old is None and new is None:
        return
    if old is None:
        assert new is not None
        ctx.add(f"{name}_REMOVED" if new.kind == FALSE else f"{name}_NARROWED", where)
    elif old.kind == FALSE:
        if new is None or new.kind != FALSE:
            ctx.add(f"{name}_ADDED", where)
    elif new is None:
        ctx.add(f"{name}_EXTENDED", where)
    elif new.kind == FALSE:
        ctx.add(f"{name}_REMOVED", where)
    elif old.kind == TRUE and new.kind != TRUE:
        ctx.add(f"{name}_NARROWED", where)
    elif new.kind == TRUE and old.kind != TRUE:
        ctx.add(f"{name}_EXTENDED", where)
    elif old.kind != TRUE:
        compare(ctx, where, old, new)


def compare_arrays(ctx: Context, path: Path, old: Node, new: Node, compare: Compare) -> None:
    """Confluent's array rules: items, tuple positions, additional items, bounds."""
    items_path = (*path, "items")
    if old.items is not None or new.items is not None:
        compare(ctx, items_path, old.items, new.items)
    olds, news = old.tuple_items or [], new.tuple_items or []
    for index, schema in enumerate(olds):
        where = (*items_path, str(index))
        if index < len(news):
            compare(ctx, where, schema, news[index])
        elif new.items_open:
            ctx.add("ITEM_REMOVED_FROM_OPEN_CONTENT_MODEL", where)
        elif (cover := new.covering_item()) is not None:
            ok = _covered(ctx, compare, where, schema, cover)
            ctx.add(
                f"ITEM_REMOVED_{'IS' if ok else 'NOT'}_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL",
                where,
            )
        elif schema.deref().kind == FALSE:
            ctx.add("ITEM_WITH_FALSE_REMOVED_FROM_CLOSED_CONTENT_MODEL", where)
        else:
            ctx.add("ITEM_REMOVED_FROM_CLOSED_CONTENT_MODEL", where)
    for index in range(len(olds), len(news)):
        schema = news[index]
        where = (*items_path, str(index))
        if old.items_open:
            empty = schema.deref().is_empty
            ctx.add(
                "ITEM_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL"
                if empty
                else "ITEM_ADDED_TO_OPEN_CONTENT_MODEL",
                where,
            )
        elif (cover := old.covering_item()) is not None:
            ok = _covered(ctx, compare, where, cover, schema)
            ctx.add(
                f"ITEM_ADDED_{'IS' if ok else 'NOT'}_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL", where
            )
        else:
            ctx.add("ITEM_ADDED_TO_CLOSED_CONTENT_MODEL", where)
    _additional(ctx, compare, path, old, new, "ITEMS", "additionalItems")
    _unevaluated(ctx, compare, path, old.unevaluated, new.unevaluated, "ITEMS", "unevaluatedItems")
    add_limit_change(ctx, path, "MAX_ITEMS", "maxItems", old.max_items, new.max_items)
    add_limit_change(ctx, path, "MIN_ITEMS", "minItems", old.min_items, new.min_items)
    add_limit_change(ctx, path, "MAX_CONTAINS", "maxContains", old.max_contains, new.max_contains)
    add_limit_change(ctx, path, "MIN_CONTAINS", "minContains", old.min_contains, new.min_contains)
    if old.unique_items != new.unique_items:
        ctx.add(
            "UNIQUE_ITEMS_ADDED" if new.unique_items else "UNIQUE_ITEMS_REMOVED",
            (*path, "uniqueItems"),
        )
