"""Confluent's verbose message text for each Protobuf difference type (compat-rules §4.2)."""

from __future__ import annotations

import pytest

from compat.protobuf._diff import COMPATIBLE
from compat.protobuf._messages import TEMPLATES, confluent_message, finding

#: Backward check wording: the new schema reads, the old one wrote.
BACKWARD = [
    (
        "PACKAGE_CHANGED",
        "#/",
        "The package at '#/' in the new schema does not match the package in the old schema",
    ),
    (
        "MESSAGE_REMOVED",
        "#/Person",
        "The new schema is missing a MESSAGE type at path '#/Person' in the old schema",
    ),
    (
        "FIELD_KIND_CHANGED",
        "#/M/2",
        "The type of a field at path '#/M/2' in the new schema does not match the old schema",
    ),
    (
        "FIELD_SCALAR_KIND_CHANGED",
        "#/M/o/2",
        "The kind of a SCALAR field at path '#/M/o/2' in the new schema does not match its "
        "kind in the old schema",
    ),
    (
        "FIELD_NAMED_TYPE_CHANGED",
        "#/M/1",
        "The type of a MESSAGE field at path '#/M/1' in the new schema does not match its "
        "type in the old schema",
    ),
    (
        "FIELD_NUMERIC_LABEL_CHANGED",
        "#/M/1",
        "The label for a NUMERIC field at path '#/M/1' in the new schema does not match its "
        "label in the old schema",
    ),
    (
        "REQUIRED_FIELD_ADDED",
        "#/M/2",
        "A required field  at path '#/M/2' in the new schema is missing in the old schema",
    ),
    (
        "REQUIRED_FIELD_REMOVED",
        "#/M/2",
        "The new schema is missing a required field at path: '#/M/2' in the old schema",
    ),
    (
        "ONEOF_FIELD_REMOVED",
        "#/M/o/2",
        "The new schema is missing a oneof field at path '#/M/o/2' in the old schema",
    ),
    (
        "ONEOF_FIELD_MOVED_TO_TOP_LEVEL",
        "#/M/2",
        "The oneof field at path '#/M/2' in the new schema was moved out of its oneof to a "
        "top-level field in the old schema",
    ),
    (
        "MULTIPLE_FIELDS_MOVED_TO_ONEOF",
        "#/M/o",
        "Multiple fields in the oneof at path '#/M/o' in the new schema are outside a oneof "
        "in the old schema",
    ),
    (
        "FIELD_MOVED_TO_EXISTING_ONEOF",
        "#/M/o",
        "A field in the oneof at path '#/M/o' in the new schema is outside an existing oneof "
        "in the old schema",
    ),
]


@pytest.mark.parametrize(("kind", "path", "text"), BACKWARD, ids=[b[0] for b in BACKWARD])
def test_backward_wording(kind: str, path: str, text: str) -> None:
    message = confluent_message(finding(kind, path), reader="new", writer="old")
    assert message == f'{{errorType:"{kind}", description:"{text}"}}'


def test_forward_wording_swaps_the_roles() -> None:
    item = finding("MESSAGE_REMOVED", "#/Person")
    assert confluent_message(item, reader="old", writer="new") == (
        '{errorType:"MESSAGE_REMOVED", description:"The old schema is missing a MESSAGE type '
        "at path '#/Person' in the new schema\"}"
    )


@pytest.mark.parametrize("kind", sorted(COMPATIBLE - {"ONEOF_FIELD_MOVED_TO_TOP_LEVEL"}))
def test_compatible_types_have_an_empty_description(kind: str) -> None:
    item = finding(kind, "#/M/1")
    assert item.type == kind
    assert item.path == "#/M/1"
    assert confluent_message(item, reader="new", writer="old") == (
        f'{{errorType:"{kind}", description:""}}'
    )


def test_every_incompatible_type_has_a_description() -> None:
    incompatible = {
        "PACKAGE_CHANGED",
        "MESSAGE_REMOVED",
        "FIELD_KIND_CHANGED",
        "FIELD_SCALAR_KIND_CHANGED",
        "FIELD_NAMED_TYPE_CHANGED",
        "FIELD_NUMERIC_LABEL_CHANGED",
        "REQUIRED_FIELD_ADDED",
        "REQUIRED_FIELD_REMOVED",
        "ONEOF_FIELD_REMOVED",
        "MULTIPLE_FIELDS_MOVED_TO_ONEOF",
        "FIELD_MOVED_TO_EXISTING_ONEOF",
    }
    assert incompatible <= TEMPLATES.keys()
    assert not incompatible & COMPATIBLE
    # ONEOF_FIELD_MOVED_TO_TOP_LEVEL is compatible yet has a description in Confluent.
    assert TEMPLATES.keys() - incompatible == {"ONEOF_FIELD_MOVED_TO_TOP_LEVEL"}
