"""A specialised Avro decoder per writer schema, the reading twin of `_avrogen`.

Used only when no reader schema is involved (the data is read as written) and records are
returned as plain dicts; resolution into a reader schema stays with fastavro. The generated
function reads from the bytes with an explicit position and returns the value and the new
position; anything unusual (a bad union index, a truncated payload) raises, and the caller
then decodes the same bytes with fastavro, whose result or error is final. The values are
the ones fastavro returns: dicts, lists, str, bytes, int, float, bool and None.
"""

from __future__ import annotations

import itertools
import struct
from collections.abc import Callable, Mapping
from typing import Any

GeneratedRead = Callable[[bytes, int], tuple[Any, int]]

_PRIMITIVES = frozenset({"null", "boolean", "int", "long", "float", "double", "bytes", "string"})


class _UnsupportedError(Exception):
    """The schema uses something the generator does not handle; use fastavro alone."""


def _varint(data: bytes, pos: int, first: int) -> tuple[int, int]:
    """The rest of a varint whose first byte (with its continuation bit) was `first`."""
    value = first & 0x7F
    shift = 7
    while True:
        byte = data[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        if byte < 0x80:
            return value, pos
        shift += 7
        if shift > 63:
            raise ValueError("varint too long")


class _Generator:
    """Emits one function per named record and a top-level reader."""

    def __init__(self, named: Mapping[str, Any]) -> None:
        self._named = named
        self._names = itertools.count()
        self.constants: dict[str, Any] = {
            "_varint": _varint,
            "_unpack_f": struct.Struct("<f").unpack_from,
            "_unpack_d": struct.Struct("<d").unpack_from,
        }
        self.functions: dict[str, str] = {}
        self._record_functions: dict[str, str] = {}

    def _fresh(self, stem: str) -> str:
        return f"_{stem}{next(self._names)}"

    def _const(self, value: Any, stem: str) -> str:
        name = self._fresh(stem)
        self.constants[name] = value
        return name

    def _resolve(self, schema: Any) -> Any:
        if isinstance(schema, str) and schema not in _PRIMITIVES:
            try:
                return self._named[schema]
            except KeyError:
                raise _UnsupportedError(f"unknown named type {schema}") from None
        return schema

    def record_function(self, schema: Mapping[str, Any]) -> str:
        """The name of the function reading one record of `schema`, generated once."""
        full = schema["name"]
        found = self._record_functions.get(full)
        if found is not None:
            return found
        name = self._fresh("record")
        self._record_functions[full] = name
        lines = [f"def {name}(data, pos):", "    out = {}"]
        for field in schema["fields"]:
            value = self._fresh("v")
            lines.extend(self._read(field["type"], value, "    "))
            lines.append(f"    out[{field['name']!r}] = {value}")
        lines.append("    return out, pos")
        self.functions[name] = "\n".join(lines)
        return name

    def _long(self, target: str, indent: str) -> list[str]:
        """Statements reading a zigzag varint into `target`."""
        return [
            f"{indent}{target} = data[pos]",
            f"{indent}pos += 1",
            f"{indent}if {target} > 0x7F:",
            f"{indent}    {target}, pos = _varint(data, pos, {target})",
            f"{indent}{target} = ({target} >> 1) ^ -({target} & 1)",
        ]

    def _read(self, schema: Any, v: str, indent: str) -> list[str]:
        """Statements reading one value of `schema` into variable `v`."""
        schema = self._resolve(schema)
        if isinstance(schema, list):
            return self._union(schema, v, indent)
        if isinstance(schema, Mapping):
            if "logicalType" in schema:
                raise _UnsupportedError("logical types")
            kind = schema["type"]
            if kind in {"record", "error"}:
                return [f"{indent}{v}, pos = {self.record_function(schema)}(data, pos)"]
            if kind == "enum":
                symbols = self._const(tuple(schema["symbols"]), "symbols")
                return [*self._long(v, indent), f"{indent}{v} = {symbols}[{v}]"]
            if kind == "fixed":
                size = int(schema["size"])
                return [f"{indent}{v} = data[pos:pos + {size}]", f"{indent}pos += {size}"]
            if kind in {"array", "map"}:
                return self._blocks(schema, v, indent)
            if kind in _PRIMITIVES:
                return self._read(kind, v, indent)
            raise _UnsupportedError(f"type {kind}")
        return self._primitive(schema, v, indent)

    def _blocks(self, schema: Mapping[str, Any], v: str, indent: str) -> list[str]:
        is_map = schema["type"] == "map"
        count, item, key = self._fresh("count"), self._fresh("item"), self._fresh("key")
        inner = indent + "        "
        lines = [
            f"{indent}{v} = {{}}" if is_map else f"{indent}{v} = []",
            f"{indent}while True:",
            *self._long(count, indent + "    "),
            f"{indent}    if {count} == 0:",
            f"{indent}        break",
            f"{indent}    if {count} < 0:",
            f"{indent}        {count} = -{count}",
            *self._long(self._fresh("size"), indent + "        "),
            f"{indent}    for _ in range({count}):",
        ]
        if is_map:
            lines.extend(self._read("string", key, inner))
            lines.extend(self._read(schema["values"], item, inner))
            lines.append(f"{inner}{v}[{key}] = {item}")
        else:
            lines.extend(self._read(schema["items"], item, inner))
            lines.append(f"{inner}{v}.append({item})")
        return lines

    def _primitive(self, kind: str, v: str, indent: str) -> list[str]:
        if kind == "null":
            return [f"{indent}{v} = None"]
        if kind == "boolean":
            return [f"{indent}{v} = data[pos] == 1", f"{indent}pos += 1"]
        if kind in {"int", "long"}:
            return self._long(v, indent)
        if kind == "float":
            return [f"{indent}{v} = _unpack_f(data, pos)[0]", f"{indent}pos += 4"]
        if kind == "double":
            return [f"{indent}{v} = _unpack_d(data, pos)[0]", f"{indent}pos += 8"]
        if kind in {"string", "bytes"}:
            size = self._fresh("n")
            decode = ".decode()" if kind == "string" else ""
            return [
                *self._long(size, indent),
                f"{indent}if {size} < 0:",
                f"{indent}    raise ValueError('negative length')",
                f"{indent}{v} = data[pos:pos + {size}]{decode}",
                f"{indent}pos += {size}",
            ]
        raise _UnsupportedError(f"type {kind}")

    def _union(self, branches: list[Any], v: str, indent: str) -> list[str]:
        if len(branches) != 2 or "null" not in branches:
            raise _UnsupportedError("unions other than null-or-one-type")
        null_at = branches.index("null")
        other = branches[1 - null_at]
        return [
            *self._long(v, indent),
            f"{indent}if {v} == {null_at}:",
            f"{indent}    {v} = None",
            f"{indent}elif {v} == {1 - null_at}:",
            *self._read(other, v, indent + "    "),
            f"{indent}else:",
            f"{indent}    raise ValueError('bad union index')",
        ]


def generate_reader(parsed: Any, named: Mapping[str, Any]) -> GeneratedRead | None:
    """A generated reader for the fastavro-parsed writer schema, or None when unsupported.

    The reader raises `ValueError` when it ran past the end of the bytes.
    """
    generator = _Generator(named)
    try:
        body = generator._read(parsed, "value", "    ")
    except (_UnsupportedError, KeyError, TypeError, ValueError):
        return None
    top = [
        "def read(data, pos):",
        *body,
        "    if pos > len(data):",
        "        raise ValueError('payload is truncated')",
        "    return value, pos",
    ]
    source = "\n\n".join([*generator.functions.values(), "\n".join(top)])
    namespace: dict[str, Any] = dict(generator.constants)
    exec(compile(source, "<avro-reader>", "exec"), namespace)
    read: GeneratedRead = namespace["read"]
    return read
