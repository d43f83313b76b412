"""Parsing: drafts, canonical text, normalisation, references and bad input."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

import compat.jsonschema as package
from compat.errors import SchemaParseError, SchemaReferenceError
from compat.formats import ResolvedReference
from compat.jsonschema import MAX_DEPTH, JsonSchemaFormat
from compat.types import CompatibilityPolicy, SchemaType

JSON = JsonSchemaFormat()


def test_all_is_sorted_and_complete() -> None:
    assert package.__all__ == sorted(package.__all__, key=str)
    assert all(hasattr(package, name) for name in package.__all__)


def test_canonical_is_compact_and_keeps_key_order() -> None:
    parsed = JSON.parse('{ "type": "object",\n "properties": {"b": {}, "a": {"type": "string"}} }')
    assert parsed.canonical == '{"type":"object","properties":{"b":{},"a":{"type":"string"}}}'
    assert parsed.schema_type is SchemaType.JSON
    assert parsed.dialect == "draft-07"


def test_normalize_sorts_keys_so_reordered_documents_agree() -> None:
    one = JSON.parse('{"type": "object", "properties": {"b": {}, "a": {}}}', normalize=True)
    two = JSON.parse('{"properties": {"a": {}, "b": {}}, "type": "object"}', normalize=True)
    assert one.canonical == two.canonical == '{"properties":{"a":{},"b":{}},"type":"object"}'


@pytest.mark.parametrize(
    ("uri", "dialect"),
    [
        ("http://json-schema.org/draft-04/schema#", "draft-04"),
        ("http://json-schema.org/draft-06/schema#", "draft-06"),
        ("http://json-schema.org/draft-07/schema#", "draft-07"),
        ("https://json-schema.org/draft/2019-09/schema", "2019-09"),
        ("https://json-schema.org/draft/2020-12/schema", "2020-12"),
    ],
)
def test_drafts_are_chosen_by_schema(uri: str, dialect: str) -> None:
    assert JSON.parse(json.dumps({"$schema": uri, "type": "string"})).dialect == dialect


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("not json", "not valid JSON"),
        ('{"maximum": NaN}', "not a JSON value"),
        ("[1, 2]", "object or boolean"),
        ('{"type": "strin"}', "#/type"),
        ('{"properties": {"a": {"minLength": -1}}}', "#/properties/a/minLength"),
        ('{"$schema": "http://example.com/my-draft"}', "unknown or unsupported $schema"),
        ('{"patternProperties": {"(": {}}}', "regular expression '('"),
    ],
)
def test_bad_input_is_invalid_schema(text: str, fragment: str) -> None:
    with pytest.raises(SchemaParseError, match="Invalid schema") as info:
        JSON.parse(text)
    assert fragment in str(info.value)


def test_ecma_only_patterns_are_accepted_as_text() -> None:
    parsed = JSON.parse(r'{"type": "string", "pattern": "^\\p{L}+$"}')
    assert parsed.root.pattern == r"^\p{L}+$"


def test_pathological_nesting_is_rejected() -> None:
    deep = '{"not": ' * (MAX_DEPTH + 5) + "{}" + "}" * (MAX_DEPTH + 5)
    with pytest.raises(SchemaParseError, match="nests"):
        JSON.parse(deep)
    very_deep = "[" * 100_000 + "]" * 100_000
    with pytest.raises(SchemaParseError):
        JSON.parse(very_deep)


def test_local_refs_and_definitions_resolve() -> None:
    parsed = JSON.parse(
        '{"type": "object", "properties": {"a": {"$ref": "#/definitions/A"},'
        ' "b": {"$ref": "#/$defs/B"}}, "definitions": {"A": {"type": "string"}},'
        ' "$defs": {"B": {"type": "integer"}}}'
    )
    props = parsed.root.properties
    assert props["a"].deref().kind == "string"
    assert props["b"].deref().kind == "number"
    assert props["b"].deref().integer


def test_missing_local_ref_names_the_ref() -> None:
    with pytest.raises(SchemaReferenceError, match="#/definitions/Nope"):
        JSON.parse('{"properties": {"a": {"$ref": "#/definitions/Nope"}}}')


def test_urls_are_never_fetched() -> None:
    with pytest.raises(SchemaReferenceError, match=re.escape("http://example.com/x.json")):
        JSON.parse('{"$ref": "http://example.com/x.json"}')


def test_id_relative_ref_resolves() -> None:
    parsed = JSON.parse(
        '{"$id": "http://example.com/root.json", "properties": {"a": {"$ref": "item.json"}},'
        ' "definitions": {"item": {"$id": "item.json", "type": "boolean"}}}'
    )
    assert parsed.root.properties["a"].deref().kind == "boolean"


def _reference(name: str, text: str, *refs: ResolvedReference) -> ResolvedReference:
    return ResolvedReference(name, f"{name}-subject", 1, JSON.parse(text, refs))


def test_references_resolve_by_name_transitively() -> None:
    inner = _reference("inner.json", '{"type": "string"}')
    outer = _reference(
        "outer.json", '{"type": "object", "properties": {"s": {"$ref": "inner.json"}}}', inner
    )
    parsed = JSON.parse('{"properties": {"o": {"$ref": "outer.json"}}}', [outer])
    o = parsed.root.properties["o"].deref()
    assert o.properties["s"].deref().kind == "string"
    assert parsed.references == (outer,)


def test_reference_with_fragment_resolves() -> None:
    lib = _reference("lib.json", '{"definitions": {"N": {"type": "number"}}}')
    parsed = JSON.parse('{"$ref": "lib.json#/definitions/N"}', [lib])
    assert parsed.root.deref().kind == "number"


def test_missing_reference_fails_clearly() -> None:
    with pytest.raises(SchemaReferenceError, match=re.escape("other.json")):
        JSON.parse('{"$ref": "other.json"}')


def test_recursive_schema_compares_without_looping() -> None:
    text = (
        '{"$ref": "#/definitions/Node", "definitions": {"Node": {"type": "object",'
        ' "properties": {"next": {"$ref": "#/definitions/Node"}, "v": {"type": "%s"}}}}}'
    )
    old = JSON.parse(text % "integer")
    new = JSON.parse(text % "number")
    assert JSON.backward_findings(new, old) == []
    findings = JSON.backward_findings(old, new)
    assert [(f.type, f.path) for f in findings] == [("TYPE_NARROWED", "#/properties/v")]


@pytest.mark.parametrize("criterion", ["oneOf", "anyOf", "allOf"])
@pytest.mark.parametrize("other", ['{"type": "string"}', "{}", '{"$ref": "#"}'])
def test_a_combination_whose_only_branch_is_itself_compares_without_looping(
    criterion: str, other: str
) -> None:
    """It unwrapped without end (RecursionError: a 500 on register) before pairs were guarded."""
    looping = JSON.parse(f'{{"{criterion}": [{{"$ref": "#"}}]}}')
    plain = JSON.parse(other)
    for reader, writer in ((looping, plain), (plain, looping), (looping, looping)):
        assert isinstance(JSON.backward_findings(reader, writer), list)


def test_messages_follow_confluent_format() -> None:
    old = JSON.parse('{"type": "object", "properties": {"a": {"type": "string"}}}')
    new = JSON.parse('{"type": "object", "properties": {"a": {"type": "integer"}}}')
    [finding] = JSON.backward_findings(new, old)
    assert JSON.confluent_message(finding, reader="new", writer="old") == (
        '{errorType:"TYPE_CHANGED", description:"A type at path \'#/properties/a\' is '
        "different between the new schema and the old schema'}"
    )
    assert JSON.render(new, "resolved") is None


def test_lenient_ignores_the_content_model() -> None:
    old = JSON.parse('{"type": "object", "properties": {"a": {"type": "string"}}}')
    new = JSON.parse(
        '{"type": "object", "properties": {"a": {"type": "string"}, "b": {"type": "integer"}}}'
    )
    assert [f.type for f in JSON.backward_findings(new, old)] == [
        "OPTIONAL_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL"
    ]
    assert JSON.backward_findings(new, old, policy=CompatibilityPolicy.LENIENT) == []


def _wide(count: int, kind: str) -> str:
    props = {f"p{i}": {"type": kind, "maxLength": 10} for i in range(count)}
    return json.dumps({"type": "object", "properties": props, "required": list(props)})


def test_wide_schemas_compare_property_by_property() -> None:
    # Timing lives in bench/compat.py; here the verdicts on wide schemas.
    old = JSON.parse(_wide(500, "string"))
    new = JSON.parse(_wide(500, "string"))
    assert JSON.backward_findings(new, old) == []
    narrower = JSON.parse(
        _wide(500, "string").replace(
            '"p499": {"type": "string", "maxLength": 10}',
            '"p499": {"type": "string", "maxLength": 5}',
        )
    )
    assert [f.path for f in JSON.backward_findings(narrower, old)] == [
        "#/properties/p499/maxLength"
    ]


def test_multiple_of_is_exact_for_any_magnitude() -> None:
    old = JSON.parse('{"type": "number", "multipleOf": 0.5}')
    huge = JSON.parse('{"type": "number", "multipleOf": 1e300}')
    fine = JSON.parse('{"type": "number", "multipleOf": 0.50}')
    assert [f.type for f in JSON.backward_findings(huge, old)] == ["MULTIPLE_OF_EXPANDED"]
    assert [f.type for f in JSON.backward_findings(old, huge)] == []
    assert JSON.backward_findings(fine, old) == []


@pytest.mark.timeout(10)
def test_shared_definitions_fanning_out_are_compared_once() -> None:
    # 40 levels of two-way fan-out: 2**40 paths unless shared nodes are compared once.
    levels = 40
    defs: dict[str, Any] = {
        f"d{i}": {
            "anyOf": [
                {"$ref": f"#/definitions/d{i + 1}"},
                {"$ref": f"#/definitions/d{i + 1}", "title": "t"},
            ]
        }
        for i in range(levels)
    }
    defs[f"d{levels}"] = {"type": "string"}
    old = JSON.parse(json.dumps({"$ref": "#/definitions/d0", "definitions": defs}))
    defs[f"d{levels}"] = {"type": "integer"}
    new = JSON.parse(json.dumps({"$ref": "#/definitions/d0", "definitions": defs}))
    assert JSON.backward_findings(new, old) != []
