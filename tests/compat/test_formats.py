"""The plug-in interface's shared parts: the reference walk and the guarded comparison."""

from __future__ import annotations

import logging
import traceback

import pytest

from compat.avro import AvroFormat
from compat.formats import (
    ParsedSchema,
    ResolvedReference,
    reachable_references,
    safe_backward_findings,
)
from compat.jsonschema import JsonSchemaFormat
from compat.protobuf import ProtobufFormat
from compat.types import CHECK_FAILED, CompatibilityPolicy, Finding
from tests.compat.failing_format import FAILURE_MESSAGE, FailingFormat

JSON = JsonSchemaFormat()


def _ref(name: str, subject: str, text: str, *refs: ResolvedReference) -> ResolvedReference:
    return ResolvedReference(name, subject, 1, JSON.parse(text, refs))


def test_walk_is_transitive_breadth_first_and_each_reference_once() -> None:
    leaf = _ref("leaf.json", "leaf", '{"type": "string"}')
    middle = _ref("middle.json", "middle", '{"$ref": "leaf.json"}', leaf)
    other = _ref("other.json", "other", '{"$ref": "leaf.json"}', leaf)
    walked = reachable_references([middle, other])
    assert [r.name for r in walked] == ["middle.json", "other.json", "leaf.json"]


def test_one_schema_under_two_names_is_reachable_by_both() -> None:
    leaf = _ref("a.json", "leaf", '{"type": "string"}')
    alias = ResolvedReference("b.json", "leaf", 1, leaf.schema)
    assert [r.name for r in reachable_references([leaf, alias])] == ["a.json", "b.json"]
    both = JSON.parse(
        '{"properties": {"x": {"$ref": "a.json"}, "y": {"$ref": "b.json"}}}', [leaf, alias]
    )
    assert both.references == (leaf, alias)


def test_top_level_field_names_per_format() -> None:
    avro = AvroFormat()
    record = '{"type":"record","name":"R","fields":[{"name":"a","type":"int"},{"name":"b","type":"string"}]}'
    assert avro.field_names(avro.parse(record)) == {"a", "b"}
    assert avro.field_names(avro.parse('"string"')) == frozenset()
    assert JSON.field_names(JSON.parse('{"properties": {"x": {}, "y": {}}}')) == {"x", "y"}
    assert JSON.field_names(JSON.parse('{"type": "string"}')) == frozenset()
    proto = ProtobufFormat()
    text = 'syntax = "proto3"; message A { int32 one = 1; } message B { int32 two = 1; }'
    assert proto.field_names(proto.parse(text)) == {"one"}


def test_a_comparison_that_raises_is_logged_with_its_stack_and_reported_as_an_error(
    caplog: pytest.LogCaptureFixture,
) -> None:
    fmt = FailingFormat()
    schema = fmt.parse('"int"')
    with caplog.at_level(logging.ERROR, logger="compat.formats"):
        [finding] = safe_backward_findings(fmt, schema, schema)
    assert finding.type == CHECK_FAILED
    assert finding.is_error
    assert finding.detail.startswith(f"RuntimeError: {FAILURE_MESSAGE}")
    # What clients see names the kind of failure but not the exception's text.
    assert "RuntimeError" in finding.describe(reader="new", writer="old")
    assert FAILURE_MESSAGE not in finding.describe(reader="new", writer="old")
    [record] = caplog.records
    assert record.levelno == logging.ERROR
    assert "AVRO" in record.getMessage()
    assert record.exc_info is not None
    stack = "".join(traceback.format_exception(*record.exc_info))
    assert "_compare_deeply" in stack
    assert FAILURE_MESSAGE in stack


class _Recursing(FailingFormat):
    """A comparison that recurses without end, as a missing memo on a cyclic type would."""

    def backward_findings(
        self,
        reader: ParsedSchema,
        writer: ParsedSchema,
        *,
        policy: CompatibilityPolicy = CompatibilityPolicy.STRICT,
    ) -> list[Finding]:
        return self.backward_findings(writer, reader, policy=policy)


def test_a_recursion_error_is_an_error_too(caplog: pytest.LogCaptureFixture) -> None:
    fmt = _Recursing()
    schema = fmt.parse('"int"')
    with caplog.at_level(logging.ERROR, logger="compat.formats"):
        [finding] = safe_backward_findings(fmt, schema, schema)
    assert finding.is_error
    assert finding.detail.startswith("RecursionError")
    [record] = caplog.records
    assert record.exc_info is not None
    assert record.exc_info[0] is RecursionError


@pytest.mark.parametrize("fmt", [AvroFormat(), JsonSchemaFormat(), ProtobufFormat()])
def test_built_in_plug_ins_raise_for_schemas_they_did_not_parse(
    fmt: AvroFormat | JsonSchemaFormat | ProtobufFormat, caplog: pytest.LogCaptureFixture
) -> None:
    # A schema of another plug-in is a caller's bug: an error, never an "incompatible".
    other = FailingFormat().parse('"int"') if not isinstance(fmt, AvroFormat) else object()
    with caplog.at_level(logging.ERROR, logger="compat.formats"):
        [finding] = safe_backward_findings(fmt, other, other)  # type: ignore[arg-type]
    assert finding.is_error
    assert finding.detail.startswith("TypeError")
    assert len(caplog.records) == 1


def test_a_comparison_that_works_is_passed_through_unchanged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    avro = AvroFormat()
    old = avro.parse('{"type":"record","name":"R","fields":[]}')
    new = avro.parse('{"type":"record","name":"R","fields":[{"name":"a","type":"int"}]}')
    with caplog.at_level(logging.DEBUG, logger="compat.formats"):
        assert safe_backward_findings(avro, new, old) == avro.backward_findings(new, old)
        assert safe_backward_findings(avro, old, new) == []
    assert not any(f.is_error for f in safe_backward_findings(avro, new, old))
    assert caplog.records == []
