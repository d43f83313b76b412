"""Compatibility levels: which versions are checked, in which direction, and the message list."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from typing import Any

import pytest

from compat.avro import AvroFormat
from compat.formats import Formats, ResolvedReference
from compat.levels import (
    DIFFERENT_SCHEMA_TYPE,
    MAX_OLD_SCHEMA_CHARS,
    PreviousVersion,
    check_compatibility,
)
from compat.types import CHECK_FAILED, CompatibilityLevel, SchemaType
from tests.compat.failing_format import FailingFormat, failing_formats
from tests.corpus import CASES_DIR

TRANSITIVE = [
    c
    for c in json.loads((CASES_DIR / "transitive.json").read_text(encoding="utf-8"))
    if c["format"] == "AVRO"
]
AVRO = AvroFormat()
FORMATS = Formats([AVRO])
L = CompatibilityLevel


@pytest.mark.parametrize("case", TRANSITIVE, ids=[c["name"] for c in TRANSITIVE])
def test_transitive_case(case: dict[str, Any]) -> None:
    history = [
        PreviousVersion(number, AVRO.parse(text))
        for number, text in enumerate(case["history"], start=1)
    ]
    if case["endpoint"].endswith("/versions/latest"):
        # That endpoint compares against the latest version alone, whatever the level.
        history = history[-1:]
    result = check_compatibility(FORMATS, L(case["level"]), AVRO.parse(case["new"]), history)
    assert result.is_compatible is case["expected"]
    assert bool(result.messages) is not case["expected"]


def record(*fields: str) -> str:
    return json.dumps(
        {
            "type": "record",
            "name": "R",
            "fields": [
                {"name": f.rstrip("?"), "type": "string", **({"default": ""} if "?" in f else {})}
                for f in fields
            ],
        }
    )


V1 = AVRO.parse(record("a"))
V2 = AVRO.parse(record("a", "b?"))
V3 = AVRO.parse(record("a", "b"))  # b loses its default
ADDS_C = AVRO.parse(record("a", "b", "c"))  # adds c without a default


def missing(field: str, position: int, reader: str, writer: str) -> str:
    return (
        f"{{errorType:'READER_FIELD_MISSING_DEFAULT_VALUE', description:'The field '{field}' at "
        f"path '/fields/{position}' in the {reader} schema has no default value and is missing "
        f"in the {writer} schema', additionalInfo:'{field}'}}"
    )


def closing(level: str, validate_fields: str = "false") -> str:
    return f"{{validateFields: '{validate_fields}', compatibility: '{level}'}}"


def test_none_is_always_compatible_even_across_types() -> None:
    result = check_compatibility(FORMATS, L.NONE, V1, [PreviousVersion(1, OtherSchema())])
    assert result.is_compatible
    assert result.messages == ()
    assert result.findings == ()


def test_no_previous_version_is_compatible() -> None:
    assert check_compatibility(FORMATS, L.FULL_TRANSITIVE, V1, []).is_compatible


def test_backward_messages() -> None:
    result = check_compatibility(FORMATS, L.BACKWARD, ADDS_C, [PreviousVersion(3, V3)])
    assert result.messages == (
        missing("c", 2, "new", "old"),
        "{oldSchemaVersion: 3}",
        f"{{oldSchema: '{V3.canonical}'}}",
        closing("BACKWARD"),
    )
    assert [f.type for f in result.findings] == ["READER_FIELD_MISSING_DEFAULT_VALUE"]


def test_forward_swaps_the_roles() -> None:
    result = check_compatibility(FORMATS, L.FORWARD, V1, [PreviousVersion(3, V3)])
    assert result.messages == (
        missing("b", 1, "old", "new"),
        "{oldSchemaVersion: 3}",
        f"{{oldSchema: '{V3.canonical}'}}",
        closing("FORWARD"),
    )


def test_full_puts_forward_first_and_annotates_only_the_backward_part() -> None:
    # v3 -> (a, c): forward fails on b, backward fails on c.
    new = AVRO.parse(record("a", "c"))
    result = check_compatibility(FORMATS, L.FULL, new, [PreviousVersion(3, V3)])
    assert result.messages == (
        missing("b", 1, "old", "new"),
        missing("c", 1, "new", "old"),
        "{oldSchemaVersion: 3}",
        f"{{oldSchema: '{V3.canonical}'}}",
        closing("FULL"),
    )
    # Failing only forward, FULL carries no oldSchemaVersion/oldSchema entries.
    forward_only = check_compatibility(FORMATS, L.FULL, V1, [PreviousVersion(3, V3)])
    assert forward_only.messages == (missing("b", 1, "old", "new"), closing("FULL"))


def test_non_transitive_levels_look_at_the_latest_version_only() -> None:
    history = [PreviousVersion(1, V1), PreviousVersion(2, V2)]
    # Incompatible with v1 (c has no default) but v2 is the latest, and also lacks c.
    assert not check_compatibility(FORMATS, L.BACKWARD, ADDS_C, history).is_compatible
    # V3 reads v2 data (b present) but not v1 data; only v2 counts here.
    assert check_compatibility(FORMATS, L.BACKWARD, V3, history).is_compatible
    assert not check_compatibility(FORMATS, L.BACKWARD_TRANSITIVE, V3, history).is_compatible


def test_transitive_levels_stop_at_the_newest_failing_version() -> None:
    new = AVRO.parse(record("a", "b", "c", "d"))
    history = [PreviousVersion(1, V1), PreviousVersion(2, V2), PreviousVersion(3, V3)]
    result = check_compatibility(FORMATS, L.BACKWARD_TRANSITIVE, new, history)
    # v3 is checked first and fails, so v1 and v2 are never reported.
    assert result.messages == (
        missing("c", 2, "new", "old"),
        missing("d", 3, "new", "old"),
        "{oldSchemaVersion: 3}",
        f"{{oldSchema: '{V3.canonical}'}}",
        closing("BACKWARD_TRANSITIVE"),
    )


def test_transitive_levels_report_an_older_version_when_newer_ones_pass() -> None:
    history = [PreviousVersion(1, V1), PreviousVersion(2, V2)]
    result = check_compatibility(FORMATS, L.BACKWARD_TRANSITIVE, V3, history)
    assert result.messages == (
        missing("b", 1, "new", "old"),
        "{oldSchemaVersion: 1}",
        f"{{oldSchema: '{V1.canonical}'}}",
        closing("BACKWARD_TRANSITIVE"),
    )


def test_a_version_without_number_has_no_version_entry() -> None:
    result = check_compatibility(
        FORMATS, L.BACKWARD, ADDS_C, [PreviousVersion(None, V3)], validate_fields=True
    )
    assert result.messages == (
        missing("c", 2, "new", "old"),
        f"{{oldSchema: '{V3.canonical}'}}",
        closing("BACKWARD", "true"),
    )


@dataclass(frozen=True, slots=True)
class OtherSchema:
    """A parsed schema of another type, standing in for a JSON Schema version."""

    canonical: str = "{}"
    references: tuple[ResolvedReference, ...] = field(default=())

    @property
    def schema_type(self) -> SchemaType:
        return SchemaType.JSON


@pytest.mark.parametrize("level", [level for level in L if level is not L.NONE])
def test_another_schema_type_is_one_message(level: CompatibilityLevel) -> None:
    result = check_compatibility(FORMATS, level, V1, [PreviousVersion(1, OtherSchema())])
    assert result.messages == (DIFFERENT_SCHEMA_TYPE, closing(level.value))
    assert result.findings == ()


def test_a_long_old_schema_is_cut_at_10240_java_characters() -> None:
    # "😀" is two UTF-16 units in Java, so the cut falls by units, not code points.
    doc = "😀" * 6000
    old = AVRO.parse(json.dumps({"type": "record", "name": "R", "doc": doc, "fields": []}))
    new = AVRO.parse(record("a"))
    [*_, old_schema, _] = check_compatibility(
        FORMATS, L.BACKWARD, new, [PreviousVersion(1, old)]
    ).messages
    head = '{"type":"record","name":"R","doc":"'
    assert old.canonical.startswith(head)
    # A cut inside a surrogate pair keeps the whole pair out.
    kept = head + "😀" * ((MAX_OLD_SCHEMA_CHARS - len(head)) // 2)
    assert old_schema == f"{{oldSchema: <truncated> '{kept}...'}}"
    short = AVRO.parse(record("a"))
    [*_, short_schema, _] = check_compatibility(
        FORMATS, L.BACKWARD, ADDS_C, [PreviousVersion(1, short)]
    ).messages
    assert short_schema == f"{{oldSchema: '{short.canonical}'}}"


@pytest.mark.parametrize("level", [level for level in L if level is not L.NONE])
def test_a_comparison_failing_inside_is_an_error_not_a_verdict(
    level: CompatibilityLevel, caplog: pytest.LogCaptureFixture
) -> None:
    fmt = FailingFormat()
    history = [PreviousVersion(n, fmt.parse(record(*"abc"[:n]))) for n in (1, 2, 3)]
    with caplog.at_level(logging.ERROR, logger="compat.formats"):
        result = check_compatibility(failing_formats(), level, fmt.parse(record("a")), history)
    assert result.failed
    assert not result.is_compatible
    [error] = result.errors
    assert error.type == CHECK_FAILED
    assert result.findings == (error,)
    # The error's own text, not Confluent's incompatibility entries around it.
    assert result.messages == (error.describe(reader="new", writer="old"),)
    # The check stops at the first failure: FULL does not go on to the second direction,
    # transitive levels do not go on to older versions.
    [record_] = caplog.records
    assert record_.exc_info is not None


def test_an_incompatible_result_is_a_verdict_not_an_error() -> None:
    result = check_compatibility(FORMATS, L.BACKWARD, ADDS_C, [PreviousVersion(3, V3)])
    assert not result.is_compatible
    assert not result.failed
    assert result.errors == ()
    compatible = check_compatibility(FORMATS, L.BACKWARD, V2, [PreviousVersion(1, V1)])
    assert compatible.is_compatible
    assert not compatible.failed


def test_levels_that_compare_nothing_never_reach_a_failing_plug_in() -> None:
    fmt = FailingFormat()
    previous = [PreviousVersion(1, fmt.parse(record("a")))]
    none = check_compatibility(failing_formats(), L.NONE, fmt.parse(record("b")), previous)
    assert none.is_compatible
    assert not none.failed
