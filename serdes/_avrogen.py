"""A specialised Avro encoder per schema: Python source generated once, then compiled.

fastavro's writer walks the schema for every datum, dispatching on type names; for the small
records Kafka carries that walk costs more than the encoding. Here each record schema becomes
one straight-line function, with field names, enum tables and union branches baked in.

The generated code is strict: it accepts only the plain Python types each Avro type maps to
(str for string, bytes for bytes, dict for records and maps, list or tuple for arrays, None
in the null branch of a two-branch union) and raises on anything else. The caller then
encodes that datum again with fastavro, whose result (or error) is final; so the generated
path never changes what is accepted, only how fast the common case is written. Schemas with
parts it does not handle (logical types, unions other than null-or-one-type, byte defaults)
get no generated encoder at all.
"""

from __future__ import annotations

import itertools
import struct
from collections.abc import Callable, Mapping
from typing import Any

GeneratedWrite = Callable[[bytearray, Any], None]

_PRIMITIVES = frozenset({"null", "boolean", "int", "long", "float", "double", "bytes", "string"})
_INT_MIN, _INT_MAX = -(2**31), 2**31 - 1
_LONG_MIN, _LONG_MAX = -(2**63), 2**63 - 1


class _UnsupportedError(Exception):
    """The schema uses something the generator does not handle; use fastavro alone."""


def _varint(buf: bytearray, z: int) -> None:
    """Append a zigzag-encoded value (already zigzagged) as 7-bit groups, low first."""
    while z > 0x7F:
        buf.append((z & 0x7F) | 0x80)
        z >>= 7
    buf.append(z)


class _Generator:
    """Emits the source of one function per named record, sharing constants by name."""

    def __init__(self, named: Mapping[str, Any]) -> None:
        self._named = named
        self._names = itertools.count()
        self.constants: dict[str, Any] = {
            "_varint": _varint,
            "_pack_f": struct.Struct("<f").pack,
            "_pack_d": struct.Struct("<d").pack,
            "_bytes_like": (bytes, bytearray, memoryview),
            "_seq": (list, tuple),
        }
        self.functions: dict[str, str] = {}
        self._record_functions: dict[str, str] = {}

    def _fresh(self, stem: str) -> str:
        return f"_{stem}{next(self._names)}"

    def _const(self, value: Any, stem: str) -> str:
        name = self._fresh(stem)
        self.constants[name] = value
        return name

    def record_function(self, schema: Mapping[str, Any]) -> str:
        """The name of the function writing records of `schema`, generating it once."""
        full = schema["name"]
        found = self._record_functions.get(full)
        if found is not None:
            return found
        name = self._fresh("record")
        self._record_functions[full] = name  # before the body: records may recurse
        lines = [f"def {name}(buf, d):"]
        missing = self._const(object(), "missing")
        for field in schema["fields"]:
            ftype = field["type"]
            value = self._fresh("v")
            key = repr(field["name"])
            lines.append(f"    {value} = d.get({key}, {missing})")
            lines.append(f"    if {value} is {missing}:")
            if "default" in field:
                if self._resolve(ftype) in ("bytes",) or _is_fixed(self._resolve(ftype)):
                    raise _UnsupportedError("byte defaults")
                lines.append(f"        {value} = {self._const(field['default'], 'default')}")
            elif ftype == "null" or (isinstance(ftype, list) and "null" in ftype):
                lines.append(f"        {value} = None")
            else:
                lines.append(f"        raise ValueError('no value and no default for ' + {key})")
            if ftype in ("float", "double"):
                lines.append(f"    {value} = float({value})")
            lines.extend(self._write(ftype, value, "    "))
        if len(lines) == 1:
            lines.append("    pass")
        self.functions[name] = "\n".join(lines)
        return name

    def _resolve(self, schema: Any) -> Any:
        if isinstance(schema, str) and schema not in _PRIMITIVES:
            try:
                return self._named[schema]
            except KeyError:
                raise _UnsupportedError(f"unknown named type {schema}") from None
        return schema

    def _write(self, schema: Any, v: str, indent: str) -> list[str]:
        """Statements appending the encoding of the value in variable `v`."""
        schema = self._resolve(schema)
        if isinstance(schema, list):
            return self._union(schema, v, indent)
        if isinstance(schema, Mapping):
            if "logicalType" in schema:
                raise _UnsupportedError("logical types")
            kind = schema["type"]
            if kind in {"record", "error"}:
                return [f"{indent}{self.record_function(schema)}(buf, {v})"]
            if kind == "enum":
                table = self._const({s: i << 1 for i, s in enumerate(schema["symbols"])}, "enum")
                return [f"{indent}_varint(buf, {table}[{v}])"]
            if kind == "fixed":
                size = int(schema["size"])
                return [
                    f"{indent}if not isinstance({v}, _bytes_like) or len({v}) != {size}:",
                    f"{indent}    raise ValueError('fixed of the wrong size')",
                    f"{indent}buf += {v}",
                ]
            if kind == "array":
                item = self._fresh("item")
                return [
                    f"{indent}if not isinstance({v}, _seq):",
                    f"{indent}    raise TypeError('array must be a list or tuple')",
                    f"{indent}if {v}:",
                    f"{indent}    _varint(buf, len({v}) << 1)",
                    f"{indent}    for {item} in {v}:",
                    *self._write(schema["items"], item, indent + "        "),
                    f"{indent}buf.append(0)",
                ]
            if kind == "map":
                key, item = self._fresh("key"), self._fresh("item")
                return [
                    f"{indent}if not isinstance({v}, dict):",
                    f"{indent}    raise TypeError('map must be a dict')",
                    f"{indent}if {v}:",
                    f"{indent}    _varint(buf, len({v}) << 1)",
                    f"{indent}    for {key}, {item} in {v}.items():",
                    *self._write("string", key, indent + "        "),
                    *self._write(schema["values"], item, indent + "        "),
                    f"{indent}buf.append(0)",
                ]
            if kind in _PRIMITIVES:
                return self._write(kind, v, indent)
            raise _UnsupportedError(f"type {kind}")
        return self._primitive(schema, v, indent)

    def _primitive(self, kind: str, v: str, indent: str) -> list[str]:
        if kind == "null":
            return [f"{indent}if {v} is not None:", f"{indent}    raise TypeError('null expected')"]
        if kind == "boolean":
            return [f"{indent}buf.append(1 if {v} else 0)"]
        if kind in ("int", "long"):
            low, high = (_INT_MIN, _INT_MAX) if kind == "int" else (_LONG_MIN, _LONG_MAX)
            return [
                f"{indent}if {v}.__class__ is not int or not {low} <= {v} <= {high}:",
                f"{indent}    raise TypeError('{kind} out of range or not an int')",
                f"{indent}{v} = ({v} << 1) ^ ({v} >> 63)",
                f"{indent}if {v} < 128:",
                f"{indent}    buf.append({v})",
                f"{indent}else:",
                f"{indent}    _varint(buf, {v})",
            ]
        if kind == "float":
            return [f"{indent}buf += _pack_f({v})"]
        if kind == "double":
            return [f"{indent}buf += _pack_d({v})"]
        if kind == "string":
            encoded = self._fresh("s")
            return [
                f"{indent}{encoded} = {v}.encode()",
                f"{indent}_varint(buf, len({encoded}) << 1)",
                f"{indent}buf += {encoded}",
            ]
        if kind == "bytes":
            return [
                f"{indent}if not isinstance({v}, _bytes_like):",
                f"{indent}    raise TypeError('bytes expected')",
                f"{indent}_varint(buf, len({v}) << 1)",
                f"{indent}buf += {v}",
            ]
        raise _UnsupportedError(f"type {kind}")

    def _union(self, branches: list[Any], v: str, indent: str) -> list[str]:
        if len(branches) != 2 or "null" not in branches:
            raise _UnsupportedError("unions other than null-or-one-type")
        null_at = branches.index("null")
        other = branches[1 - null_at]
        return [
            f"{indent}if {v} is None:",
            f"{indent}    buf.append({null_at << 1})",
            f"{indent}else:",
            # A tuple may be fastavro's (type name, value) union notation: not ours to read.
            f"{indent}    if {v}.__class__ is tuple:",
            f"{indent}        raise TypeError('tuple union notation')",
            f"{indent}    buf.append({(1 - null_at) << 1})",
            *self._write(other, v, indent + "    "),
        ]


def _is_fixed(schema: Any) -> bool:
    return isinstance(schema, Mapping) and schema.get("type") == "fixed"


def generate(parsed: Any, named: Mapping[str, Any]) -> GeneratedWrite | None:
    """A generated writer for the fastavro-parsed `parsed`, or None when unsupported."""
    generator = _Generator(named)
    try:
        body = generator._write(parsed, "datum", "    ")
    except (_UnsupportedError, KeyError, TypeError, ValueError):
        return None
    source = "\n\n".join(
        [*generator.functions.values(), "def write(buf, datum):\n" + "\n".join(body)]
    )
    namespace: dict[str, Any] = dict(generator.constants)
    exec(compile(source, "<avro-writer>", "exec"), namespace)
    write: GeneratedWrite = namespace["write"]
    return write
