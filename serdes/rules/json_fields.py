"""The JSON Schema field walk for field rules: each property, with its path, type and tags.

A property's full name is its JSON path (`$.address.city`); its tags are the property
schema's inline `confluent:tags` plus the contract's metadata tags matching the path.
`$ref`s within the document are followed; `allOf` applies every branch, `anyOf`/`oneOf`
the first whose `type` admits the value. Absent and null properties are skipped, as
Confluent's clients skip them. Objects are copied, never changed in place.
"""

from __future__ import annotations

from typing import Any

from serdes.rules.context import FieldContext, FieldTransform, FieldType, RuleContext

_LEAVES = frozenset(
    {FieldType.ENUM, FieldType.STRING, FieldType.INT, FieldType.DOUBLE, FieldType.BOOLEAN}
)
_JSON_TYPES: dict[str, tuple[type, ...]] = {
    "object": (dict,),
    "array": (list,),
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
    "null": (type(None),),
}


def type_of(schema: Any) -> FieldType:
    """A property schema's type, with Confluent's names for JSON Schema types."""
    if not isinstance(schema, dict):
        return FieldType.COMBINED
    if schema.get("const") is not None or schema.get("enum") is not None:
        return FieldType.ENUM
    kind = schema.get("type")
    if kind == "object":
        return FieldType.RECORD if schema.get("properties") else FieldType.MAP
    simple = {
        "array": FieldType.ARRAY,
        "string": FieldType.STRING,
        "integer": FieldType.INT,
        "number": FieldType.DOUBLE,
        "boolean": FieldType.BOOLEAN,
        "null": FieldType.NULL,
    }
    if isinstance(kind, str) and kind in simple:
        return simple[kind]
    return FieldType.RECORD if schema.get("properties") is not None else FieldType.NULL


def _admits(schema: Any, value: Any) -> bool:
    if not isinstance(schema, dict):
        return bool(schema)
    kinds = schema.get("type")
    if kinds is None:
        return True
    for kind in kinds if isinstance(kinds, list) else [kinds]:
        holds = _JSON_TYPES.get(kind, ())
        if isinstance(value, holds) and (kind == "boolean" or not isinstance(value, bool)):
            return True
    return False


class JsonFieldWalker:
    """Walks values of one JSON schema document (built once per schema)."""

    __slots__ = ("_document",)

    def __init__(self, document: Any) -> None:
        self._document = document

    def __call__(self, ctx: RuleContext, transform: FieldTransform, message: Any) -> Any:
        """`message` with every matching property transformed (or checked)."""
        return self._walk(ctx, transform, self._document, "$", message, None)

    def _ref(self, ref: str) -> Any:
        if not ref.startswith("#"):
            return None
        node: Any = self._document
        for raw in ref[1:].split("/"):
            if not raw:
                continue
            part = raw.replace("~1", "/").replace("~0", "~")
            node = node.get(part) if isinstance(node, dict) else None
        return node

    def _walk(
        self,
        ctx: RuleContext,
        transform: FieldTransform,
        schema: Any,
        path: str,
        value: Any,
        field: FieldContext | None,
    ) -> Any:
        if value is None or not isinstance(schema, dict):
            return value
        if field is not None:
            field = FieldContext(
                field.containing, field.full_name, field.name, type_of(schema), field.tags
            )
        ref = schema.get("$ref")
        if isinstance(ref, str):
            target = self._ref(ref)
            if target is not None:
                return self._walk(ctx, transform, target, path, value, field)
        for subschema in schema.get("allOf") or ():
            value = self._walk(ctx, transform, subschema, path, value, field)
        for key in ("oneOf", "anyOf"):
            for subschema in schema.get(key) or ():
                if _admits(subschema, value):
                    value = self._walk(ctx, transform, subschema, path, value, field)
                    break
        properties = schema.get("properties")
        if isinstance(properties, dict) and isinstance(value, dict):
            return self._object(ctx, transform, properties, path, value)
        items = schema.get("items")
        if isinstance(items, dict) and isinstance(value, list):
            return [self._walk(ctx, transform, items, path, item, field) for item in value]
        if field is not None and field.field_type in _LEAVES and ctx.applies_to(field):
            return ctx.field_result(value, transform(ctx, field, value))
        return value

    def _object(
        self,
        ctx: RuleContext,
        transform: FieldTransform,
        properties: dict[str, Any],
        path: str,
        value: dict[str, Any],
    ) -> dict[str, Any]:
        out = dict(value)
        for name, spec in properties.items():
            if not isinstance(spec, dict) or out.get(name) is None:
                continue
            full_name = f"{path}.{name}"
            inline = frozenset(spec.get("confluent:tags") or ())
            field = FieldContext(
                out, full_name, name, type_of(spec), ctx.field_tags(full_name, inline)
            )
            out[name] = self._walk(ctx, transform, spec, full_name, out[name], field)
        return out
