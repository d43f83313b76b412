"""Rules of compat-rules §3 that the shared corpus does not pin down, one row per rule."""

from __future__ import annotations

import pytest

from compat.jsonschema import JsonSchemaFormat, differences

JSON = JsonSchemaFormat()
D2020 = '"$schema": "https://json-schema.org/draft/2020-12/schema", '

RULES = [
    ("true becomes false", "true", "false", ["TYPE_CHANGED #/"]),
    ("false becomes anything", "false", '{"type": "string"}', []),
    ("anything becomes true", '{"type": "string"}', "true", []),
    (
        "connect bytes may change kind",
        '{"type": "string", "connect.type": "bytes"}',
        '{"type": "array", "connect.type": "bytes"}',
        [],
    ),
    (
        "dependentRequired is reported under dependencies",
        "{" + D2020 + '"dependentRequired": {"a": ["b"]}}',
        "{" + D2020 + '"dependentRequired": {"a": ["b", "c"]}}',
        ["DEPENDENCY_ARRAY_EXTENDED #/dependencies/a"],
    ),
    (
        "prefixItems are reported as items",
        "{" + D2020 + '"prefixItems": [{"type": "string"}]}',
        "{" + D2020 + '"prefixItems": [{"type": "integer"}]}',
        ["TYPE_CHANGED #/items/0"],
    ),
    (
        "unevaluatedProperties introduced as false",
        "{" + D2020 + '"properties": {}}',
        "{" + D2020 + '"properties": {}, "unevaluatedProperties": false}',
        ["UNEVALUATED_PROPERTIES_REMOVED #/unevaluatedProperties"],
    ),
    (
        "unevaluatedProperties schema relaxed to true",
        "{" + D2020 + '"properties": {}, "unevaluatedProperties": {"type": "string"}}',
        "{" + D2020 + '"properties": {}, "unevaluatedProperties": true}',
        ["UNEVALUATED_PROPERTIES_EXTENDED #/unevaluatedProperties"],
    ),
    (
        "type list becomes anyOf",
        '{"type": "string"}',
        '{"type": ["string", "null"]}',
        ["SUM_TYPE_EXTENDED #/"],
    ),
    (
        "enum beside a type is an implicit allOf",
        '{"type": "string", "enum": ["a"]}',
        '{"type": "string"}',
        ["PRODUCT_TYPE_NARROWED #/"],
    ),
    (
        "not compares with roles swapped",
        '{"not": {"type": "string", "maxLength": 3}}',
        '{"not": {"type": "string", "maxLength": 5}}',
        ["NOT_TYPE_EXTENDED #/not"],
    ),
    (
        "required added with a default",
        '{"properties": {"a": {"type": "string"}}}',
        '{"properties": {"a": {"type": "string", "default": "x"}}, "required": ["a"]}',
        ["REQUIRED_ATTRIBUTE_WITH_DEFAULT_ADDED #/required/a", "DEFAULT_CHANGED #/properties/a"],
    ),
    (
        "pattern properties match by search",
        '{"properties": {"xa": {"type": "string"}}, "additionalProperties": false,'
        ' "patternProperties": {"a": {"type": "string"}}}',
        '{"additionalProperties": false, "patternProperties": {"a": {"type": "string"}}}',
        ["PROPERTY_REMOVED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL #/properties/xa"],
    ),
    (
        "draft 4 boolean exclusiveMaximum is not a bound",
        '{"$schema": "http://json-schema.org/draft-04/schema#", "type": "number",'
        ' "maximum": 5, "exclusiveMaximum": true}',
        '{"$schema": "http://json-schema.org/draft-04/schema#", "type": "number", "maximum": 6}',
        ["MAXIMUM_INCREASED #/maximum"],
    ),
    (
        "multipleOf compares exact decimals",
        '{"type": "number", "multipleOf": 0.1}',
        '{"type": "number", "multipleOf": 0.3}',
        ["MULTIPLE_OF_EXPANDED #/multipleOf"],
    ),
]


@pytest.mark.parametrize(
    ("old", "new", "expected"), [r[1:] for r in RULES], ids=[r[0] for r in RULES]
)
def test_rule(old: str, new: str, expected: list[str]) -> None:
    got = [str(d) for d in differences(JSON.parse(old), JSON.parse(new))]
    assert sorted(got) == sorted(expected)
