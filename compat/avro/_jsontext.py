"""JSON text in and out, the way Avro's Java library reads and writes it.

Confluent stores what Avro Java prints, so the bytes matter: Jackson escapes only `"`, `\\` and
control characters (short escapes for `\\b \\t \\n \\f \\r`, upper-case `\\u00XX` otherwise) and
writes non-ASCII text as is; integers keep their digits; floating-point numbers are written with
Java's `Double.toString` layout (`1.0E22`, `1.0E-5`, `0.001`, `100.0`). Reading accepts `//` and
`/* */` comments, as Avro's parser enables them, and rejects `NaN`/`Infinity` literals.
"""

from __future__ import annotations

import json
import math
import re
import struct
from typing import Any

from compat.errors import SchemaParseError

_ESCAPE_NEEDED = re.compile(r'[\x00-\x1f"\\]')
_SHORT_ESCAPES = {
    '"': '\\"',
    "\\": "\\\\",
    "\b": "\\b",
    "\t": "\\t",
    "\n": "\\n",
    "\f": "\\f",
    "\r": "\\r",
}


def _escape_char(match: re.Match[str]) -> str:
    char = match.group(0)
    return _SHORT_ESCAPES.get(char) or f"\\u{ord(char):04X}"


def dump_str(text: str) -> str:
    """A JSON string literal escaped as Jackson escapes it."""
    if _ESCAPE_NEEDED.search(text) is None:
        return f'"{text}"'
    return '"' + _ESCAPE_NEEDED.sub(_escape_char, text) + '"'


def _layout(
    negative: bool, digits: str, point: int, *, low: float, high: float, value: float
) -> str:
    """Lay out `0.digits * 10**point` as Java's `Double.toString`/`Float.toString` do."""
    sign = "-" if negative else ""
    if low <= value < high:
        if point <= 0:
            return f"{sign}0.{'0' * -point}{digits}"
        if point >= len(digits):
            return f"{sign}{digits}{'0' * (point - len(digits))}.0"
        return f"{sign}{digits[:point]}.{digits[point:]}"
    return f"{sign}{digits[0]}.{digits[1:] or '0'}E{point - 1}"


def _shortest_digits(text: str) -> tuple[str, int]:
    """Split a shortest round-trip decimal (`repr` style) into significant digits and a point."""
    mantissa, _, exponent = text.partition("e")
    whole, _, fraction = mantissa.partition(".")
    digits = (whole + fraction).lstrip("0")
    point = len(whole) + int(exponent or 0) - (len(whole + fraction) - len(digits))
    return digits.rstrip("0") or "0", point


def java_double(value: float) -> str:
    """`Double.toString(value)`: shortest digits, plain between 1e-3 and 1e7, else `d.dddE±n`."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    if value == 0:
        return "-0.0" if math.copysign(1.0, value) < 0 else "0.0"
    digits, point = _shortest_digits(repr(abs(value)))
    return _layout(value < 0, digits, point, low=1e-3, high=1e7, value=abs(value))


def java_float(value: float) -> str:
    """`Float.toString((float) value)`: the shortest digits that survive a 32-bit round trip."""
    single: float = struct.unpack("<f", struct.pack("<f", value))[0]
    if math.isnan(single) or math.isinf(single) or single == 0:
        return java_double(single)
    text = repr(abs(single))
    for precision in range(1, 10):
        candidate = f"{abs(single):.{precision}e}"
        if struct.unpack("<f", struct.pack("<f", float(candidate)))[0] == abs(single):
            text = repr(float(candidate))
            break
    digits, point = _shortest_digits(text)
    return _layout(single < 0, digits, point, low=1e-3, high=1e7, value=abs(single))


def dump(value: Any) -> str:
    """Compact JSON for a value read by `load`, printed as Jackson prints a tree."""
    if isinstance(value, str):
        return dump_str(value)
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return java_double(value)
    if isinstance(value, dict):
        return "{" + ",".join(f"{dump_str(k)}:{dump(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ",".join(dump(v) for v in value) + "]"
    raise TypeError(f"not a JSON value: {type(value).__name__}")


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def _reject_huge_float(text: str) -> float:
    number = float(text)
    if math.isinf(number):
        raise ValueError(f"number {text} is out of range")
    return number


_DECODER = json.JSONDecoder(parse_constant=_reject_constant, parse_float=_reject_huge_float)


def _strip_comments(text: str) -> str:
    """Blank out `//` and `/* */` comments outside string literals, keeping line structure."""
    out: list[str] = []
    i, n = 0, len(text)
    in_string = False
    while i < n:
        char = text[i]
        if in_string:
            out.append(char)
            if char == "\\" and i + 1 < n:
                out.append(text[i + 1])
                i += 1
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
            out.append(char)
        elif text.startswith("//", i):
            end = text.find("\n", i)
            i = n if end < 0 else end
            continue
        elif text.startswith("/*", i):
            end = text.find("*/", i + 2)
            if end < 0:
                raise SchemaParseError("Invalid JSON: unterminated /* comment")
            out.append(" ")
            i = end + 2
            continue
        else:
            out.append(char)
        i += 1
    return "".join(out)


def _has_lone_surrogate(value: Any) -> bool:
    if isinstance(value, str):
        return any("\ud800" <= c <= "\udfff" for c in value)
    if isinstance(value, dict):
        return any(_has_lone_surrogate(k) or _has_lone_surrogate(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_lone_surrogate(v) for v in value)
    return False


def load(text: str) -> Any:
    """Parse schema text as JSON; raise `SchemaParseError` saying where it is malformed."""
    if not text.strip():
        raise SchemaParseError("Invalid schema: the schema text is empty")
    try:
        try:
            value = _DECODER.decode(text)
        except (json.JSONDecodeError, ValueError):
            if "/" not in text:
                raise
            value = _DECODER.decode(_strip_comments(text))
        if "\\u" in text and _has_lone_surrogate(value):
            raise SchemaParseError("Invalid JSON: a string holds an unpaired UTF-16 surrogate")
    except json.JSONDecodeError as exc:
        raise SchemaParseError(
            f"Invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}"
        ) from exc
    except ValueError as exc:
        raise SchemaParseError(f"Invalid JSON: {exc}") from exc
    except RecursionError as exc:
        raise SchemaParseError("Invalid schema: the JSON nests too deeply") from exc
    return value
