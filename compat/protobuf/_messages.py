"""Confluent's wording for each Protobuf difference (compat-rules §4.2).

Each description names the reader and then the writer schema ("new"/"old" in a backward
check, "old"/"new" in a forward one); the compatible types have an empty description. The
texts are kept exactly as Confluent prints them, including the double space in
REQUIRED_FIELD_ADDED and "a oneof".
"""

from __future__ import annotations

from compat.types import Finding

TEMPLATES: dict[str, str] = {
    "PACKAGE_CHANGED": (
        "The package at '{p}' in the %s schema does not match the package in the %s schema"
    ),
    "MESSAGE_REMOVED": "The %s schema is missing a MESSAGE type at path '{p}' in the %s schema",
    "FIELD_KIND_CHANGED": (
        "The type of a field at path '{p}' in the %s schema does not match the %s schema"
    ),
    "FIELD_SCALAR_KIND_CHANGED": (
        "The kind of a SCALAR field at path '{p}' in the %s schema does not match its kind "
        "in the %s schema"
    ),
    "FIELD_NAMED_TYPE_CHANGED": (
        "The type of a MESSAGE field at path '{p}' in the %s schema does not match its type "
        "in the %s schema"
    ),
    "FIELD_NUMERIC_LABEL_CHANGED": (
        "The label for a NUMERIC field at path '{p}' in the %s schema does not match its "
        "label in the %s schema"
    ),
    # Two spaces after "field", as Confluent has it.
    "REQUIRED_FIELD_ADDED": (
        "A required field  at path '{p}' in the %s schema is missing in the %s schema"
    ),
    "REQUIRED_FIELD_REMOVED": (
        "The %s schema is missing a required field at path: '{p}' in the %s schema"
    ),
    "ONEOF_FIELD_REMOVED": "The %s schema is missing a oneof field at path '{p}' in the %s schema",
    "ONEOF_FIELD_MOVED_TO_TOP_LEVEL": (
        "The oneof field at path '{p}' in the %s schema was moved out of its oneof to a "
        "top-level field in the %s schema"
    ),
    "MULTIPLE_FIELDS_MOVED_TO_ONEOF": (
        "Multiple fields in the oneof at path '{p}' in the %s schema are outside a oneof in "
        "the %s schema"
    ),
    "FIELD_MOVED_TO_EXISTING_ONEOF": (
        "A field in the oneof at path '{p}' in the %s schema is outside an existing oneof in "
        "the %s schema"
    ),
}
"""Descriptions by difference type; `{p}` is the path, the two `%s` the reader and writer."""


def finding(kind: str, path: str) -> Finding:
    """A finding with Confluent's description split around the reader and writer words."""
    template = TEMPLATES.get(kind, "")
    # Split before inserting the path, so that a "%s" inside a path could never be taken
    # for a role placeholder.
    parts = tuple(part.replace("{p}", path) for part in template.split("%s"))
    return Finding(
        type=kind,
        path=path,
        description=parts if len(parts) == 3 else ("".join(parts),),
    )


def confluent_message(finding: Finding, *, reader: str, writer: str) -> str:
    """`{errorType:"…", description:"…"}` exactly as Confluent renders a Protobuf difference."""
    text = finding.describe(reader=reader, writer=writer)
    return f'{{errorType:"{finding.type}", description:"{text}"}}'
