"""Random valid instances of a JSON Schema: types, formats, enums, bounds, required, combinators.

Each candidate is checked with the `jsonschema` validator for the schema's dialect and
regenerated on failure (a bounded number of times), so what is printed is valid even where
the generator only approximates a keyword (patterns, `not`, `oneOf` overlaps).
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from typing import Any

from jsonschema import validators  # type: ignore[import-untyped]
from jsonschema.exceptions import SchemaError  # type: ignore[import-untyped]
from referencing import Registry, Resource

from cli.errors import InputError
from cli.fake_values import email, fit_length, text_for, timestamp, uuid_text

Json = Any
ATTEMPTS = 200
_KEYWORD_TYPES = (
    ("properties", "object"),
    ("required", "object"),
    ("items", "array"),
    ("prefixItems", "array"),
    ("minLength", "string"),
    ("maxLength", "string"),
    ("pattern", "string"),
    ("format", "string"),
    ("minimum", "number"),
    ("maximum", "number"),
)


class JsonRecordGenerator:
    """Generates instances of one JSON Schema document (with referenced documents by URI)."""

    def __init__(
        self, document: Json, referenced: Mapping[str, Json] | None = None, *, seed: int | None
    ) -> None:
        self._root = document
        self._rng = random.Random(seed)
        resources = [(uri, Resource.from_contents(doc)) for uri, doc in (referenced or {}).items()]
        registry: Registry[Any] = Registry().with_resources(resources)
        cls = validators.validator_for(document, default=validators.Draft7Validator)
        try:
            cls.check_schema(document)
        except SchemaError as exc:
            raise InputError(f"The schema is not valid for its dialect: {exc.message}") from exc
        self._validator = cls(document, registry=registry, format_checker=cls.FORMAT_CHECKER)
        self._registry = registry

    def record(self) -> Json:
        """One valid instance; `InputError` if none is found within the attempt budget."""
        for _ in range(ATTEMPTS):
            candidate = self._value(self._root, "value", 0)
            if self._validator.is_valid(candidate):
                return candidate
        raise InputError(
            f"Could not generate a valid record in {ATTEMPTS} attempts; the schema uses "
            "keywords the generator only approximates (for example a complex `pattern` or `not`)"
        )

    def _resolve(self, ref: str) -> Json:
        if ref.startswith("#"):
            node = self._root
            for raw in ref[1:].strip("/").split("/") if ref != "#" else []:
                part = raw.replace("~1", "/").replace("~0", "~")
                node = node[int(part)] if isinstance(node, list) else node.get(part)
            return node
        try:
            return self._registry.contents(ref)
        except LookupError as exc:
            raise InputError(f"Cannot resolve $ref {ref!r}; give that schema with -r") from exc

    def _value(self, schema: Json, field: str, depth: int) -> Json:
        if depth > 12:
            return None
        if schema is True or schema == {}:
            return text_for(field, self._rng)
        if not isinstance(schema, dict):
            raise InputError("The schema allows no value (it is `false`)")
        if "$ref" in schema and isinstance(schema["$ref"], str):
            return self._value(self._resolve(schema["$ref"]), field, depth + 1)
        if "const" in schema:
            return schema["const"]
        if isinstance(schema.get("enum"), list) and schema["enum"]:
            return self._rng.choice(schema["enum"])
        if isinstance(schema.get("allOf"), list):
            merged = dict(schema)
            del merged["allOf"]
            for item in schema["allOf"]:
                part = self._resolve(item["$ref"]) if "$ref" in item else item
                for key, value in part.items():
                    if key == "properties":
                        merged["properties"] = {**merged.get("properties", {}), **value}
                    elif key == "required":
                        merged["required"] = [*merged.get("required", []), *value]
                    else:
                        merged.setdefault(key, value)
            return self._value(merged, field, depth + 1)
        for key in ("oneOf", "anyOf"):
            if isinstance(schema.get(key), list) and schema[key]:
                branch = self._rng.choice(schema[key])
                rest = {k: v for k, v in schema.items() if k != key}
                if isinstance(branch, dict):
                    return self._value({**rest, **branch}, field, depth + 1)
                return self._value(branch, field, depth + 1)
        kind = schema.get("type")
        if isinstance(kind, list):
            kind = self._rng.choice(kind) if kind else None
        if kind is None:
            kind = next((t for k, t in _KEYWORD_TYPES if k in schema), "string")
        return self._typed(str(kind), schema, field, depth)

    def _typed(self, kind: str, schema: dict[str, Json], field: str, depth: int) -> Json:
        rng = self._rng
        if kind == "null":
            return None
        if kind == "boolean":
            return rng.random() < 0.5
        if kind in ("integer", "number"):
            return self._number(kind, schema)
        if kind == "string":
            return self._string(schema, field)
        if kind == "array":
            return self._array(schema, field, depth)
        if kind == "object":
            return self._object(schema, depth)
        raise InputError(f"Unknown JSON Schema type {kind!r}")

    def _number(self, kind: str, schema: dict[str, Json]) -> Json:
        low = schema.get("minimum", 0 if "maximum" not in schema else schema["maximum"] - 1000)
        high = schema.get("maximum", low + 1000)
        exclusive_low = schema.get("exclusiveMinimum")
        exclusive_high = schema.get("exclusiveMaximum")
        step = 1 if kind == "integer" else 0.01
        if isinstance(exclusive_low, (int, float)) and not isinstance(exclusive_low, bool):
            low = max(low, exclusive_low + step) if "minimum" in schema else exclusive_low + step
        elif exclusive_low is True:
            low += step
        if isinstance(exclusive_high, (int, float)) and not isinstance(exclusive_high, bool):
            high = (
                min(high, exclusive_high - step) if "maximum" in schema else exclusive_high - step
            )
        elif exclusive_high is True:
            high -= step
        high = max(high, low)
        multiple = schema.get("multipleOf")
        if kind == "integer":
            low_i, high_i = int(-(-low // 1)), int(high // 1)
            if isinstance(multiple, int) and multiple > 0:
                first = -(-low_i // multiple) * multiple
                count = max((high_i - first) // multiple, 0)
                return first + multiple * self._rng.randint(0, count)
            return self._rng.randint(low_i, max(low_i, high_i))
        if isinstance(multiple, (int, float)) and multiple > 0:
            first = -(-low // multiple)
            return (first + self._rng.randint(0, max(int((high - low) // multiple), 0))) * multiple
        return round(self._rng.uniform(low, high), 2)

    def _string(self, schema: dict[str, Json], field: str) -> str:
        rng = self._rng
        fmt = schema.get("format")
        if fmt == "date-time":
            return timestamp(rng).isoformat().replace("+00:00", "Z")
        if fmt == "date":
            return timestamp(rng).date().isoformat()
        if fmt == "time":
            return timestamp(rng).time().isoformat(timespec="seconds") + "Z"
        if fmt == "email":
            return email(rng)
        if fmt == "uuid":
            return uuid_text(rng)
        if fmt in ("uri", "url", "iri"):
            return f"https://example.com/{text_for('word', rng)}"
        if fmt == "hostname":
            return f"{text_for('word', rng).split('-')[0]}.example.com"
        if fmt == "ipv4":
            return ".".join(str(rng.randint(1, 254)) for _ in range(4))
        if fmt == "ipv6":
            return ":".join(f"{rng.getrandbits(16):x}" for _ in range(8))
        text = text_for(field, rng)
        return fit_length(text, int(schema.get("minLength", 0)), schema.get("maxLength"), rng)

    def _array(self, schema: dict[str, Json], field: str, depth: int) -> list[Json]:
        low = int(schema.get("minItems", 0))
        high = int(schema.get("maxItems", max(low, 3)))
        count = self._rng.randint(low, max(low, min(high, low + 3)))
        prefix = schema.get("prefixItems")
        items = schema.get("items", {})
        if isinstance(items, list):  # draft 4-2019-09 tuple form
            prefix, items = items, schema.get("additionalItems", {})
        values: list[Json] = []
        for index in range(count):
            if isinstance(prefix, list) and index < len(prefix):
                item_schema = prefix[index]
            else:
                item_schema = items
            values.append(self._value(item_schema, field, depth + 1))
        return values

    def _object(self, schema: dict[str, Json], depth: int) -> dict[str, Json]:
        properties = schema.get("properties", {}) or {}
        required = set(schema.get("required", []) or [])
        out: dict[str, Json] = {}
        for name, sub in properties.items():
            if name in required or self._rng.random() < 0.7:
                out[name] = self._value(sub, name, depth + 1)
        for name in required - set(out):
            out[name] = text_for(name, self._rng)
        return out
