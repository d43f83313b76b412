"""Random valid Avro values: records, enums, unions, fixed, maps, arrays and logical types.

Values are the Python objects fastavro writes (dicts, bytes, `datetime`, `Decimal`, …);
`cairn generate` prints them in Avro's JSON encoding (see `serdes.avro_json`).
"""

from __future__ import annotations

import decimal
import json
import random
import uuid
from collections.abc import Mapping, Sequence

from cli.errors import InputError
from cli.fake_values import text_for, timestamp, uuid_text

Json = object
PRIMITIVES = ("null", "boolean", "int", "long", "float", "double", "bytes", "string")
#: Default values used as they are (types whose JSON default is the Python value).
_PLAIN_DEFAULTS = ("null", "boolean", "int", "long", "float", "double", "string", "enum")


class AvroRecordGenerator:
    """Generates values of one Avro schema (plus the named types of its references)."""

    def __init__(self, schema: Json, referenced: Sequence[Json] = (), *, seed: int | None) -> None:
        self._schema = schema
        self._names: dict[str, Json] = {}
        self._rng = random.Random(seed)
        for document in referenced:
            self._collect(document, "")
        self._collect(schema, "")

    def _full(self, name: str, namespace: str) -> str:
        return name if "." in name or not namespace else f"{namespace}.{name}"

    def _collect(self, schema: Json, namespace: str) -> None:
        """Remember every named type, so later uses by name can be generated."""
        if isinstance(schema, list):
            for branch in schema:
                self._collect(branch, namespace)
            return
        if not isinstance(schema, dict):
            return
        kind = schema.get("type")
        if kind in ("record", "error", "enum", "fixed") and isinstance(schema.get("name"), str):
            space = str(schema.get("namespace", namespace))
            full = self._full(str(schema["name"]), space)
            self._names[full] = {**schema, "namespace": full.rpartition(".")[0]}
            namespace = full.rpartition(".")[0]
        for field in schema.get("fields", []) or []:
            if isinstance(field, dict):
                self._collect(field.get("type"), namespace)
        for key in ("items", "values"):
            if key in schema:
                self._collect(schema[key], namespace)
        if isinstance(kind, (dict, list)):
            self._collect(kind, namespace)

    def record(self) -> Json:
        """One value of the schema."""
        return self._value(self._schema, "", "value", 0)

    def _value(self, schema: Json, namespace: str, field: str, depth: int) -> Json:
        if depth > 20:
            raise InputError("The schema nests too deeply (or recursively) to generate data")
        if isinstance(schema, list):
            return self._union(schema, namespace, field, depth)
        if isinstance(schema, str):
            if schema in PRIMITIVES:
                return self._primitive(schema, {}, field)
            named = self._names.get(self._full(schema, namespace)) or self._names.get(schema)
            if named is None:
                raise InputError(f"Unknown Avro type {schema!r}; give its schema with -r")
            return self._value(named, namespace, field, depth + 1)
        if not isinstance(schema, dict):
            raise InputError(f"Not an Avro schema: {schema!r}")
        kind = schema.get("type")
        if isinstance(kind, (list, dict)):
            return self._value(kind, namespace, field, depth)
        if kind in PRIMITIVES:
            return self._primitive(str(kind), schema, field)
        if kind in ("record", "error"):
            full = self._full(str(schema["name"]), str(schema.get("namespace", namespace)))
            inner = full.rpartition(".")[0]
            return {
                str(f["name"]): self._field(f, inner, depth)
                for f in schema.get("fields", [])
                if isinstance(f, dict)
            }
        if kind == "enum":
            return self._rng.choice(list(schema["symbols"]))
        if kind == "array":
            count = self._rng.randint(0, 3)
            return [self._value(schema["items"], namespace, field, depth + 1) for _ in range(count)]
        if kind == "map":
            count = self._rng.randint(0, 3)
            return {
                f"{field}-{i}": self._value(schema["values"], namespace, field, depth + 1)
                for i in range(count)
            }
        if kind == "fixed":
            return self._fixed(schema)
        if isinstance(kind, str):
            return self._value(kind, namespace, field, depth + 1)
        raise InputError(f"Not an Avro schema: {schema!r}")

    def _field(self, field: Mapping[str, Json], namespace: str, depth: int) -> Json:
        schema = field.get("type")
        if "default" in field and self._rng.random() < 0.25:
            kind = schema[0] if isinstance(schema, list) and schema else schema
            if isinstance(kind, dict) and "logicalType" not in kind:
                kind = kind.get("type")
            if kind in _PLAIN_DEFAULTS:
                return field["default"]
        return self._value(schema, namespace, str(field.get("name", "value")), depth + 1)

    def _union(self, branches: list[Json], namespace: str, field: str, depth: int) -> Json:
        non_null = [b for b in branches if b != "null"]
        if "null" in branches and (not non_null or self._rng.random() < 0.2):
            return None
        return self._value(self._rng.choice(non_null), namespace, field, depth + 1)

    def _fixed(self, schema: Mapping[str, Json]) -> Json:
        size = int(str(schema["size"]))
        if schema.get("logicalType") == "decimal":
            return self._decimal(schema, max_digits=max(1, (8 * size - 1) * 30 // 100))
        if schema.get("logicalType") == "uuid" and size == 16:
            return uuid.UUID(uuid_text(self._rng)).bytes
        return bytes(self._rng.getrandbits(8) for _ in range(size))

    def _decimal(self, schema: Mapping[str, Json], max_digits: int = 38) -> decimal.Decimal:
        precision = min(int(str(schema.get("precision", 10))), max_digits)
        scale = int(str(schema.get("scale", 0)))
        unscaled = self._rng.randrange(-(10**precision) + 1, 10**precision)
        return decimal.Decimal(unscaled).scaleb(-scale)

    def _primitive(self, kind: str, schema: Mapping[str, Json], field: str) -> Json:
        logical = schema.get("logicalType")
        rng = self._rng
        if kind == "null":
            return None
        if kind == "boolean":
            return rng.random() < 0.5
        if kind == "int":
            if logical == "date":
                return timestamp(rng).date()
            if logical == "time-millis":
                return timestamp(rng).time().replace(microsecond=rng.randrange(1000) * 1000)
            return rng.randint(0, 10_000)
        if kind == "long":
            if logical in ("timestamp-millis", "timestamp-micros"):
                return timestamp(rng)
            if logical in ("local-timestamp-millis", "local-timestamp-micros"):
                return timestamp(rng).replace(tzinfo=None)
            if logical == "time-micros":
                return timestamp(rng).time()
            if logical in ("timestamp-nanos", "local-timestamp-nanos"):
                # fastavro has no nanosecond types: the raw count, as Avro encodes it.
                return int(timestamp(rng).timestamp()) * 10**9 + rng.randrange(10**9)
            return rng.randint(0, 10**12)
        if kind in ("float", "double"):
            return round(rng.uniform(0, 1000), 2)
        if kind == "bytes":
            if logical == "decimal":
                return self._decimal(schema)
            return bytes(rng.getrandbits(8) for _ in range(rng.randint(0, 8)))
        if logical == "uuid":
            return uuid_text(rng)
        return text_for(field, rng)


def parse_json(text: str) -> Json:
    """The schema document of a parsed schema's canonical text."""
    document: Json = json.loads(text)
    return document
