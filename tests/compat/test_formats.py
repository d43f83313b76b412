"""The shared reference walk every format that resolves by name relies on."""

from __future__ import annotations

from compat.avro import AvroFormat
from compat.formats import ResolvedReference, reachable_references
from compat.jsonschema import JsonSchemaFormat
from compat.protobuf import ProtobufFormat

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
