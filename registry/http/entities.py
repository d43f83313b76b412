"""Type checks for the JSON entities nested in request bodies: Metadata, RuleSet, Rule.

Confluent maps bodies onto typed Java entities, so a value of the wrong JSON type (tags as
a list, `sensitive` as a string, a rule's `params` as a list) fails in the mapper with a
400 before any registry logic runs. Cairn keeps bodies as JSON values, so it makes the same
checks here, at the edge: past this module, code may rely on every known field having its
documented type. What is well-typed but invalid (a duplicate rule name, an unknown mode)
is the service's to reject with its own code (42210 and friends). Unknown fields are left
alone, as Confluent ignores them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from registry.errors import BadRequestError

INT32_MAX = 2**31 - 1
INT32_MIN = -(2**31)

Check = Callable[[Any, str], None]
"""A type check: raises a 400 naming the field (`where`, a dotted path) when `value` is off."""

#: How an error names the JSON type a client actually sent.
_JSON_TYPES = {
    dict: "an object",
    list: "an array",
    str: "a string",
    bool: "a boolean",
    int: "an integer",
    float: "a number",
    type(None): "null",
}


def _fail(where: str, expected: str, value: object) -> BadRequestError:
    got = _JSON_TYPES.get(type(value), type(value).__name__)
    return BadRequestError(f"Field '{where}' must be {expected}, got {got}")


def string(value: object, where: str) -> None:
    """A JSON string."""
    if not isinstance(value, str):
        raise _fail(where, "a string", value)


def boolean(value: object, where: str) -> None:
    """A JSON boolean."""
    if not isinstance(value, bool):
        raise _fail(where, "a boolean", value)


def int32(value: object, where: str) -> None:
    """A JSON integer that fits Java's `int`, as Confluent's fields do."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise _fail(where, "an integer", value)
    if not INT32_MIN <= value <= INT32_MAX:
        raise BadRequestError(f"Field '{where}' is out of range for a 32-bit integer: {value}")


def string_list(value: object, where: str) -> None:
    """A JSON array of strings."""
    if not isinstance(value, list):
        raise _fail(where, "an array of strings", value)
    for index, item in enumerate(value):
        string(item, f"{where}[{index}]")


def string_map(value: object, where: str) -> None:
    """A JSON object whose values are strings."""
    if not isinstance(value, dict):
        raise _fail(where, "an object of strings", value)
    for key, item in value.items():
        string(item, f"{where}.{key}")


def object_of(fields: dict[str, Check]) -> Check:
    """A check for a JSON object whose known fields, when present and not null, pass theirs."""

    def check(value: object, where: str) -> None:
        if not isinstance(value, dict):
            raise _fail(where, "an object", value)
        for name, field_check in fields.items():
            item = value.get(name)
            if item is not None:
                field_check(item, f"{where}.{name}")

    return check


def list_of(item_check: Check) -> Check:
    """A check for a JSON array whose items pass `item_check`."""

    def check(value: object, where: str) -> None:
        if not isinstance(value, list):
            raise _fail(where, "an array", value)
        for index, item in enumerate(value):
            item_check(item, f"{where}[{index}]")

    return check


def _tags(value: object, where: str) -> None:
    """Metadata tags: a path → list of tag names."""
    if not isinstance(value, dict):
        raise _fail(where, "an object mapping paths to arrays of tags", value)
    for path, names in value.items():
        string_list(names, f"{where}.{path}")


metadata = object_of({"tags": _tags, "properties": string_map, "sensitive": string_list})
"""Metadata: `{"tags": {path: [tag]}, "properties": {name: value}, "sensitive": [name]}`."""

rule = object_of(
    {
        "name": string,
        "doc": string,
        "kind": string,
        "mode": string,
        "type": string,
        "tags": string_list,
        "params": string_map,
        "expr": string,
        "onSuccess": string,
        "onFailure": string,
        "disabled": boolean,
    }
)
"""One Rule of a RuleSet."""

rule_set = object_of(
    {
        "migrationRules": list_of(rule),
        "domainRules": list_of(rule),
        "encodingRules": list_of(rule),
        "enableAt": string,
    }
)
"""RuleSet: three lists of rules and when they apply."""


def _without_empty(value: dict[str, Any]) -> dict[str, Any]:
    """`value` without null, empty-list and empty-object fields (unknown fields kept)."""
    return {k: v for k, v in value.items() if v is not None and v not in ([], {})}


def compact_metadata(value: dict[str, Any]) -> dict[str, Any]:
    """Well-typed Metadata as Confluent stores and renders it: no null or empty fields.

    Confluent's entities are written "non-empty", so `{"sensitive": null, "tags": {}}`
    comes back as `{}`; storing the request as sent would echo nulls no client expects.
    """
    return _without_empty(value)


def compact_rule_set(value: dict[str, Any]) -> dict[str, Any]:
    """A well-typed RuleSet, and each of its rules, without null or empty fields."""
    out = _without_empty(value)
    for kind in ("migrationRules", "domainRules", "encodingRules"):
        if kind in out:
            out[kind] = [_without_empty(rule) for rule in out[kind]]
    return out
