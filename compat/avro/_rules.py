"""Avro Java's rules for names, properties, unions and defaults, as the parser applies them."""

from __future__ import annotations

import re
from typing import Any

from compat.avro._defaults import is_valid_default, parse_java_double
from compat.avro._jsontext import dump
from compat.avro._model import FieldNode, NamedNode, UnionNode
from compat.errors import SchemaParseError

SCHEMA_RESERVED = frozenset(
    ("doc", "fields", "items", "name", "namespace", "size", "symbols", "values", "type", "aliases")
)
ENUM_RESERVED = SCHEMA_RESERVED | {"default"}
FIELD_RESERVED = frozenset(("default", "doc", "name", "order", "type", "aliases"))
ORDERS = frozenset(("ASCENDING", "DESCENDING", "IGNORE"))
_SIMPLE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
INT_MAX = 2**31 - 1


def _pointer(path: list[str]) -> str:
    """A JSON pointer, with `~` and `/` escaped as `~0` and `~1`."""
    return "/" + "/".join(t.replace("~", "~0").replace("/", "~1") for t in path)


def fail(path: list[str], message: str) -> SchemaParseError:
    """The error for a problem at `path`, which names the place so it can be fixed."""
    return SchemaParseError(f"Invalid schema at {_pointer(path)}: {message}")


def name_problem(name: str) -> str | None:
    """Why `name` is not a valid Avro name (Java's rule, Unicode letters allowed), or None."""
    if _SIMPLE_NAME.fullmatch(name):
        return None
    if not name:
        return "a name is empty"

    def letter(c: str) -> bool:
        return c.isalpha() and ord(c) <= 0xFFFF

    if not (letter(name[0]) or name[0] == "_"):
        return f"'{name}' must start with a letter or '_'"
    if not all(letter(c) or c.isdecimal() or c == "_" for c in name[1:]):
        return f"'{name}' may hold only letters, digits and '_'"
    return None


def split_name(written: str, space: str | None) -> tuple[str, str | None]:
    """Java's `Name(name, space)`: a dotted name carries its own namespace; "" means none."""
    namespace, dot, simple = written.rpartition(".")
    if dot:
        return simple, namespace or None
    return written, space or None


def check_name(name: str, path: list[str], what: str) -> None:
    """Raise unless `name` is a valid Avro name; `what` says which kind of name it is."""
    if (problem := name_problem(name)) is not None:
        raise fail(path, f"invalid {what}: {problem}")


def string_list(value: dict[str, Any], path: list[str], key: str) -> tuple[str, ...]:
    """A list of strings such as `aliases`, deduplicated in first-occurrence order."""
    if key not in value:
        return ()
    items = value[key]
    if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
        raise fail(path, f"'{key}' must be an array of strings")
    return tuple(dict.fromkeys(items))


def alias_names(value: dict[str, Any], path: list[str], namespace: str | None) -> tuple[str, ...]:
    """A named type's aliases as full names, resolved against its own namespace."""
    resolved: list[str] = []
    for alias in string_list(value, path, "aliases"):
        simple, alias_space = split_name(alias, namespace)
        check_name(simple, path, "alias")
        resolved.append(f"{alias_space}.{simple}" if alias_space else simple)
    return tuple(dict.fromkeys(resolved))


def props(value: dict[str, Any], reserved: frozenset[str]) -> dict[str, Any]:
    """The custom properties: every attribute Avro does not reserve, in text order."""
    return {k: v for k, v in value.items() if k not in reserved}


def check_union(union: UnionNode, path: list[str]) -> None:
    """A union may not hold a union, nor two branches of one type (named types by full name)."""
    seen: set[str] = set()
    for branch in union.branches:
        if isinstance(branch, UnionNode):
            raise fail(path, "a union may not directly contain another union")
        key = branch.fullname if isinstance(branch, NamedNode) else branch.kind
        if key in seen:
            raise fail(path, f"the union holds '{key}' twice")
        seen.add(key)


def check_default(field: FieldNode, path: list[str]) -> None:
    """Validate a field default; a string on a float/double field becomes the number it spells."""
    default = field.default
    if field.type.kind in ("float", "double") and isinstance(default, str):
        parsed = parse_java_double(default)
        if parsed is None:
            raise fail(
                path, f"field '{field.name}' has a default that is not a number: {dump(default)}"
            )
        field.default = parsed
        return
    if not is_valid_default(field.type, default):
        raise fail(
            path, f"the default of field '{field.name}' does not match its type: {dump(default)}"
        )
