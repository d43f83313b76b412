"""What a compatibility finding means for people running producers and consumers.

A finding from the engine (or parsed from a registry's verbose message) says which rule broke
and where. This module adds the two things a person needs to act: who breaks (`BREAKS`: which
readers cannot read which writers' data) and a concrete hint for that kind of difference
(`hint_for`). The command line's reports and the registry's web pages word findings alike.
"""

from __future__ import annotations

import re
from enum import StrEnum


class Direction(StrEnum):
    """Which side reads: BACKWARD = the new schema reads old data, FORWARD = the reverse."""

    BACKWARD = "backward"
    FORWARD = "forward"
    UNKNOWN = "unknown"


BREAKS = {
    Direction.BACKWARD: (
        "consumers using the new schema cannot read data written with the old schema"
    ),
    Direction.FORWARD: (
        "consumers still using the old schema cannot read data written with the new schema"
    ),
    Direction.UNKNOWN: "consumers on one of the two schemas cannot read the other's data",
}


def _field_from_path(path: str) -> str:
    """The last name-like element of a path, for hints ('#/properties/a' -> 'a')."""
    parts = [p for p in re.split(r"[/.]", path) if p and p != "#"]
    return parts[-1] if parts else path or "/"


_AVRO_HINTS: dict[str, str] = {
    "TYPE_MISMATCH": (
        "keep the type at {path}, or change it only along Avro's promotions "
        "(int -> long -> float -> double, string <-> bytes); otherwise add a new field"
    ),
    "NAME_MISMATCH": "keep the old name, or list the old full name in the type's `aliases`",
    "FIXED_SIZE_MISMATCH": "keep the fixed size at {path}; add a new field for a new size",
    "MISSING_UNION_BRANCH": "keep the union branches at {path} that the other schema still uses",
    "UNEXPECTED_EXCEPTION": "the checker could not compare the schemas; check both are valid",
}


def _avro_hint(kind: str, path: str, detail: str, direction: Direction) -> str | None:
    if kind == "READER_FIELD_MISSING_DEFAULT_VALUE":
        field = detail or _field_from_path(path)
        if direction is Direction.FORWARD:
            return (
                f"keep field `{field}` in the new schema, or release a reader version that "
                f"gives `{field}` a default before removing it"
            )
        return (
            f"add a default to field `{field}` (for example a nullable union "
            f'["null", …] with "default": null)'
        )
    if kind == "MISSING_ENUM_SYMBOLS":
        return (
            f"keep the enum symbols {detail} at {path}, or give the enum a `default` symbol "
            "that readers fall back to"
        )
    template = _AVRO_HINTS.get(kind)
    return template.format(path=path) if template else None


_PROTOBUF_HINTS: dict[str, str] = {
    "PACKAGE_CHANGED": "keep the package name; move new types to a new file instead",
    "MESSAGE_REMOVED": "keep message {path} (mark it deprecated instead of deleting it)",
    "FIELD_KIND_CHANGED": (
        "keep the type of field {path}; to change it, add a new field with a new tag and keep "
        "tag {field} reserved"
    ),
    "FIELD_SCALAR_KIND_CHANGED": (
        "change field {path} only within a wire-compatible group (int32/int64/uint32/uint64/"
        "bool/enum, sint32/sint64, string/bytes…), or use a new tag and keep tag {field} reserved"
    ),
    "FIELD_NAMED_TYPE_CHANGED": (
        "keep the message type of field {path}, or add a new field with a new tag and keep "
        "tag {field} reserved"
    ),
    "FIELD_NUMERIC_LABEL_CHANGED": "keep the label (repeated/optional) of numeric field {path}",
    "REQUIRED_FIELD_ADDED": "make the new field {path} optional; proto3 has no required fields",
    "REQUIRED_FIELD_REMOVED": "keep required field {path}, or make it optional first",
    "ONEOF_FIELD_REMOVED": (
        "keep the oneof member {path}, or remove it with `reserved {field};` so the tag is "
        "never reused"
    ),
    "MULTIPLE_FIELDS_MOVED_TO_ONEOF": "do not move existing fields into a oneof; add new fields",
    "FIELD_MOVED_TO_EXISTING_ONEOF": "do not move an existing field into a oneof; add a new field",
}


def _json_hint(kind: str, path: str) -> str | None:
    field = _field_from_path(path)
    if kind.startswith("REQUIRED_PROPERTY_ADDED") or kind in (
        "REQUIRED_ATTRIBUTE_ADDED",
        "REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_OPEN_CONTENT_MODEL",
    ):
        return f"give the new property `{field}` a default, or leave it out of `required`"
    if kind.startswith(("PROPERTY_ADDED", "OPTIONAL_PROPERTY_ADDED", "ITEM_ADDED")):
        return (
            f"the other schema's open content model allows any value at {path}; give the "
            f"property `{field}` a schema that accepts anything, or close the model in both"
        )
    if kind.startswith(("PROPERTY_REMOVED", "ITEM_REMOVED")):
        return f"keep property `{field}` (or allow it through additionalProperties)"
    if kind.endswith("_ADDED"):
        return f"do not add the constraint at {path} to existing data; relax or remove it"
    if kind.endswith(("_DECREASED", "_INCREASED", "_EXPANDED")):
        return f"do not tighten the bound at {path}; keep it or relax it"
    if kind in ("TYPE_CHANGED", "TYPE_NARROWED", "COMBINED_TYPE_CHANGED"):
        return f"keep the type at {path}, or widen it (e.g. add a type, never remove one)"
    if kind.endswith("_NARROWED") or kind == "ENUM_ARRAY_CHANGED":
        return f"keep every value or branch allowed at {path}; add, do not remove"
    if kind.endswith(("_CHANGED", "_EXTENDED", "_REMOVED")):
        return f"revert the change at {path}, or introduce it as a new property"
    return None


def hint_for(
    kind: str, path: str, detail: str = "", direction: Direction = Direction.UNKNOWN
) -> str:
    """A concrete next step for one difference type at `path`."""
    found = _avro_hint(kind, path, detail, direction)
    if found is None and kind in _PROTOBUF_HINTS:
        found = _PROTOBUF_HINTS[kind].format(path=path, field=_field_from_path(path))
    if found is None:
        found = _json_hint(kind, path)
    if found is None:
        return f"revert the change at {path} or publish it under a new subject"
    return found
