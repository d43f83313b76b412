"""Field default values: Avro Java's validity rule, its float parsing, and Confluent's coercion.

Confluent parses new schemas with default validation on, so a default Avro Java would reject
makes the schema invalid (42201). The rule is Avro Java's `isValidDefault`, which is looser than
the specification in places (any union branch may match; enum and fixed defaults only need to
be strings) and stricter in others (integers must fit the type's range). A string default on a
`float`/`double` field is parsed with Java's `Double.parseDouble` and replaced by the number, as
Avro Java does, which shows in the canonical text.
"""

from __future__ import annotations

import math
import re
from typing import Any

from compat.avro._jsontext import java_float
from compat.avro._model import (
    ArrayNode,
    AvroNode,
    MapNode,
    RecordNode,
    UnionNode,
)

_INT_RANGE = (-(2**31), 2**31 - 1)
_LONG_RANGE = (-(2**63), 2**63 - 1)
_DECIMAL = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?[fFdD]?")
_HEX = re.compile(r"([+-]?0[xX](?:[0-9a-fA-F]+\.?[0-9a-fA-F]*|\.[0-9a-fA-F]+)[pP][+-]?\d+)[fFdD]?")
_SPECIAL = {"NaN": "NaN", "Infinity": "Infinity", "+Infinity": "Infinity", "-Infinity": "-Infinity"}
#: Deeper than any schema can nest; only a self-referencing record default gets here.
_MAX_DEFAULT_DEPTH = 500


def parse_java_double(text: str) -> float | str | None:
    """`Double.parseDouble(text)` as a float, or "NaN"/"Infinity"/"-Infinity"; None if invalid.

    Non-finite results are returned as the strings Jackson keeps for them, because that is what
    Avro Java stores as the default and prints back.
    """
    stripped = text.strip("".join(chr(c) for c in range(33)))
    if stripped in _SPECIAL or stripped in ("+NaN", "-NaN"):
        return _SPECIAL.get(stripped, "NaN")
    if _DECIMAL.fullmatch(stripped):
        value = float(stripped.rstrip("fFdD"))
    elif (hex_match := _HEX.fullmatch(stripped)) is not None:
        value = float.fromhex(hex_match.group(1))
    else:
        return None
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    return value


def _is_integral(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def is_valid_default(node: AvroNode, value: Any, depth: int = 0) -> bool:
    """Whether `value` (parsed JSON) is a valid default for `node`, by Avro Java's rule."""
    if depth > _MAX_DEFAULT_DEPTH:
        return False
    kind = node.kind
    if kind in ("string", "bytes", "enum", "fixed"):
        return isinstance(value, str)
    if kind == "int":
        return _is_integral(value) and _INT_RANGE[0] <= value <= _INT_RANGE[1]
    if kind == "long":
        return _is_integral(value) and _LONG_RANGE[0] <= value <= _LONG_RANGE[1]
    if kind in ("float", "double"):
        return isinstance(value, int | float) and not isinstance(value, bool)
    if kind == "boolean":
        return isinstance(value, bool)
    if kind == "null":
        return value is None
    if isinstance(node, ArrayNode):
        return isinstance(value, list) and all(
            is_valid_default(node.items, v, depth + 1) for v in value
        )
    if isinstance(node, MapNode):
        return isinstance(value, dict) and all(
            is_valid_default(node.values, v, depth + 1) for v in value.values()
        )
    if isinstance(node, UnionNode):
        return any(is_valid_default(b, value, depth + 1) for b in node.branches)
    if isinstance(node, RecordNode):
        if not isinstance(value, dict):
            return False
        for field in node.fields:
            if field.name in value:
                item = value[field.name]
            elif field.has_default:
                item = field.default
            else:
                return False
            if not is_valid_default(field.type, item, depth + 1):
                return False
        return True
    return False


def coerce_default(node: AvroNode, value: Any) -> Any:
    """The default as Confluent's normaliser re-reads it through the field's schema.

    Numbers take the field's numeric type (so `1` on a `double` field becomes `1.0`); record
    defaults keep only the record's fields, in field order; a union coerces by its first branch.
    Values that do not fit are returned unchanged.
    """
    kind = node.kind
    numeric = isinstance(value, int | float) and not isinstance(value, bool)
    if numeric and kind == "double" and abs(value) < 1e308:
        return float(value)
    if numeric and kind == "float" and abs(value) < 3.4e38:
        # Java narrows to a 32-bit float and prints that float's shortest digits.
        return float(java_float(float(value)))
    if isinstance(node, UnionNode):
        return coerce_default(node.branches[0], value) if node.branches else value
    if isinstance(node, ArrayNode) and isinstance(value, list):
        return [coerce_default(node.items, v) for v in value]
    if isinstance(node, MapNode) and isinstance(value, dict):
        return {k: coerce_default(node.values, v) for k, v in value.items()}
    if isinstance(node, RecordNode) and isinstance(value, dict):
        return {
            f.name: coerce_default(f.type, value[f.name]) for f in node.fields if f.name in value
        }
    return value
