"""Turning Confluent's verbose compatibility messages back into explained problems."""

from __future__ import annotations

from cli.problems import Direction
from cli.registry_check import problems_from_messages
from compat.avro import AvroFormat
from compat.formats import Formats
from compat.levels import PreviousVersion, check_compatibility
from compat.types import CompatibilityLevel

AVRO = AvroFormat()
OLD = AVRO.parse('{"type":"record","name":"R","fields":[{"name":"a","type":"int"}]}')
NEW = AVRO.parse(
    '{"type":"record","name":"R","fields":[{"name":"a","type":"string"},{"name":"b","type":"int"}]}'
)


def _messages(level: CompatibilityLevel) -> tuple[str, ...]:
    result = check_compatibility(Formats([AVRO]), level, NEW, [PreviousVersion(4, OLD)])
    assert not result.is_compatible
    return result.messages


def test_backward_messages_become_backward_problems_with_paths() -> None:
    level, problems = problems_from_messages(_messages(CompatibilityLevel.BACKWARD))
    assert level == "BACKWARD"
    assert [(p.type, p.path) for p in problems] == [
        ("TYPE_MISMATCH", "/fields/0/type"),
        ("READER_FIELD_MISSING_DEFAULT_VALUE", "/fields/1"),
    ]
    assert {p.direction for p in problems} == {Direction.BACKWARD}
    assert {p.against_version for p in problems} == {4}
    assert "add a default to field `b`" in problems[1].hint


def test_full_messages_take_the_direction_from_the_reader_role() -> None:
    _, problems = problems_from_messages(_messages(CompatibilityLevel.FULL))
    directions = [(p.type, p.direction) for p in problems]
    assert directions == [
        ("TYPE_MISMATCH", Direction.FORWARD),
        ("TYPE_MISMATCH", Direction.BACKWARD),
        ("READER_FIELD_MISSING_DEFAULT_VALUE", Direction.BACKWARD),
    ]


def test_json_schema_messages_are_parsed() -> None:
    message = (
        '{errorType:"TYPE_CHANGED", description:"A type at path \'#/properties/new\' is '
        "different between the old schema and the new schema'}"
    )
    closing = "{validateFields: 'false', compatibility: 'FULL_TRANSITIVE'}"
    level, problems = problems_from_messages([message, closing])
    assert level == "FULL_TRANSITIVE"
    (problem,) = problems
    assert problem.path == "#/properties/new"
    # The role words inside the quoted path do not count: "old" reads first, so forward.
    assert problem.direction is Direction.FORWARD


def test_a_parse_error_yields_no_level_and_no_problems() -> None:
    assert problems_from_messages(["Invalid schema: something"]) == (None, [])
