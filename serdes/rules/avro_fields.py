"""The Avro field walk for field rules: every field of a record, with its name, type and tags.

Works on fastavro's parsed schema (full names, named types in `__named_schemas`). A field's
full name is `namespace.Record.field`; its tags are its inline `confluent:tags` plus the
contract's metadata tags whose path matches. Unions take the branch the value belongs to
(fastavro's `(name, value)` tuple notation is honoured). Records are copied, never changed
in place, so the application's own dicts stay as it built them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from serdes.rules.context import FieldContext, FieldTransform, FieldType, RuleContext

_PRIMITIVE_TYPES = {
    "string": FieldType.STRING,
    "bytes": FieldType.BYTES,
    "int": FieldType.INT,
    "long": FieldType.LONG,
    "float": FieldType.FLOAT,
    "double": FieldType.DOUBLE,
    "boolean": FieldType.BOOLEAN,
    "null": FieldType.NULL,
}
_NAMED_TYPES = {
    "record": FieldType.RECORD,
    "error": FieldType.RECORD,
    "enum": FieldType.ENUM,
    "array": FieldType.ARRAY,
    "map": FieldType.MAP,
    "fixed": FieldType.FIXED,
}
#: Which Python values each Avro type holds, to pick a union's branch without a validator.
_HOLDS: dict[str, tuple[type, ...]] = {
    "null": (type(None),),
    "string": (str,),
    "enum": (str,),
    "bytes": (bytes,),
    "fixed": (bytes,),
    "boolean": (bool,),
    "int": (int,),
    "long": (int,),
    "float": (float, int),
    "double": (float, int),
    "record": (dict,),
    "error": (dict,),
    "map": (dict,),
    "array": (list, tuple),
}


class AvroFieldWalker:
    """Walks records of one parsed Avro schema (built once per schema, used per record)."""

    __slots__ = ("_named", "_schema")

    def __init__(self, schema: Any) -> None:
        self._schema = schema
        named = schema.get("__named_schemas") if isinstance(schema, dict) else None
        self._named: Mapping[str, Any] = named or {}

    def __call__(self, ctx: RuleContext, transform: FieldTransform, message: Any) -> Any:
        """`message` with every matching field transformed (or checked)."""
        return self._walk(ctx, transform, self._schema, message, None)

    def _resolve(self, schema: Any) -> Any:
        if isinstance(schema, str) and schema not in _PRIMITIVE_TYPES:
            return self._named.get(schema, schema)
        return schema

    def _type_of(self, schema: Any) -> FieldType:
        schema = self._resolve(schema)
        if isinstance(schema, list):
            return FieldType.COMBINED
        name = schema.get("type") if isinstance(schema, dict) else schema
        if isinstance(name, dict | list):
            return self._type_of(name)
        if not isinstance(name, str):
            return FieldType.NULL
        return _PRIMITIVE_TYPES.get(name) or _NAMED_TYPES.get(name) or FieldType.NULL

    def _branch(self, union: list[Any], value: Any) -> tuple[Any, Any]:
        if isinstance(value, tuple) and len(value) == 2:
            name, inner = value
            for branch in union:
                resolved = self._resolve(branch)
                named = isinstance(resolved, dict) and resolved.get("name") == name
                if branch == name or named:
                    return resolved, inner
            return None, value
        for branch in union:
            resolved = self._resolve(branch)
            kind = resolved.get("type") if isinstance(resolved, dict) else resolved
            holds = _HOLDS.get(kind, ()) if isinstance(kind, str) else ()
            if isinstance(value, holds) and not (kind != "boolean" and isinstance(value, bool)):
                return resolved, value
        return None, value

    def _walk(
        self,
        ctx: RuleContext,
        transform: FieldTransform,
        schema: Any,
        value: Any,
        field: FieldContext | None,
    ) -> Any:
        schema = self._resolve(schema)
        if isinstance(schema, list):
            branch, inner = self._branch(schema, value)
            if branch is None:
                return value
            if field is not None:
                field = _retyped(field, self._type_of(branch))
            result = self._walk(ctx, transform, branch, inner, field)
            if isinstance(value, tuple) and len(value) == 2:
                return (value[0], result)
            return result
        kind = schema.get("type") if isinstance(schema, dict) else schema
        if isinstance(kind, dict | list):
            return self._walk(ctx, transform, kind, value, field)
        if kind == "array" and isinstance(value, list):
            items = schema["items"]
            return [self._walk(ctx, transform, items, item, field) for item in value]
        if kind == "map" and isinstance(value, dict):
            values = schema["values"]
            return {k: self._walk(ctx, transform, values, v, field) for k, v in value.items()}
        if kind in ("record", "error"):
            if not isinstance(value, dict):
                return value
            return self._record(ctx, transform, schema, value)
        if field is not None and ctx.applies_to(field):
            return ctx.field_result(value, transform(ctx, field, value))
        return value

    def _record(
        self, ctx: RuleContext, transform: FieldTransform, schema: Any, value: dict[str, Any]
    ) -> dict[str, Any]:
        out = dict(value)
        record_name = schema.get("name", "")
        for spec in schema["fields"]:
            name = spec["name"]
            if name not in out:
                continue
            full_name = f"{record_name}.{name}"
            inline = frozenset(spec.get("confluent:tags") or ())
            field = FieldContext(
                out,
                full_name,
                name,
                self._type_of(spec["type"]),
                ctx.field_tags(full_name, inline),
            )
            out[name] = self._walk(ctx, transform, spec["type"], out[name], field)
        return out


def _retyped(field: FieldContext, field_type: FieldType) -> FieldContext:
    return FieldContext(field.containing, field.full_name, field.name, field_type, field.tags)
