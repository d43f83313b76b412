"""Parsing: what Avro Java accepts and rejects, references, and hostile input."""

from __future__ import annotations

import contextlib
import json
import random

import pytest

import compat.avro
from compat.avro import MAX_DEPTH, AvroFormat, ParsedAvroSchema
from compat.errors import SchemaParseError, SchemaReferenceError
from compat.formats import ResolvedReference
from compat.types import SchemaType

AVRO = AvroFormat()


def record(*fields: dict[str, object], name: str = "R") -> str:
    return json.dumps({"type": "record", "name": name, "fields": list(fields)})


def test_public_names_are_complete_and_sorted() -> None:
    assert compat.avro.__all__ == sorted(compat.avro.__all__)
    for name in compat.avro.__all__:
        assert hasattr(compat.avro, name)
    assert AVRO.schema_type is SchemaType.AVRO


# Each text is rejected by Avro Java's parser; the message must say what is wrong and where.
INVALID = [
    ("", "empty"),
    ("   ", "empty"),
    ("not json", "Invalid JSON"),
    ('{"type": "int"', "Invalid JSON"),
    ('"int" "long"', "Invalid JSON"),
    ('{"type": "double", "default": NaN}', "Invalid JSON"),
    ("/* unterminated", "comment"),
    ("null", "found null"),
    ("5", "found 5"),
    ("true", "found true"),
    ("{}", "needs a string 'type'"),
    ('{"type": {"type": "int"}}', "needs a string 'type'"),
    ('"Foo"', "unknown type 'Foo'"),
    ('{"type": "nope"}', "unknown type 'nope'"),
    (record({"name": "a", "type": "Missing"}), "at /fields/0/type: unknown type 'Missing'"),
    ('{"type": "record", "name": "R"}', "needs a 'fields' array"),
    ('{"type": "record", "fields": []}', "needs a string 'name'"),
    ('{"type": "record", "name": 5, "fields": []}', "needs a string 'name'"),
    ('{"type": "record", "name": "1R", "fields": []}', "must start with a letter"),
    ('{"type": "record", "name": "a-b", "fields": []}', "only letters, digits"),
    ('{"type": "record", "name": "a.", "fields": []}', "empty"),
    ('{"type": "record", "name": "R", "namespace": "a..b", "fields": []}', "namespace 'a..b'"),
    ('{"type": "record", "name": "int", "fields": []}', "primitive"),
    ('{"type": "record", "name": "R", "aliases": "Q", "fields": []}', "'aliases' must be"),
    ('{"type": "record", "name": "R", "aliases": [1], "fields": []}', "'aliases' must be"),
    ('{"type": "record", "name": "R", "aliases": ["1x"], "fields": []}', "invalid alias"),
    ('{"type": "record", "name": "R", "fields": [5]}', "at /fields/0: a field needs"),
    (record({"name": "a-b", "type": "int"}), "invalid field name"),
    (record({"name": "a"}), "at /fields/0: field 'a' needs a 'type'"),
    (record({"name": "a", "type": None}), "at /fields/0/type"),
    (record({"name": "a", "type": "int"}, {"name": "a", "type": "int"}), "two fields named 'a'"),
    (record({"name": "a", "type": "int", "order": "up"}), "'order'"),
    (record({"name": "a", "type": "int", "order": None}), "'order'"),
    (record({"name": "a", "type": "int", "aliases": "b"}), "'aliases' must be"),
    (record({"name": "a", "type": "int", "default": "x"}), "default of field 'a'"),
    (record({"name": "a", "type": "int", "default": 1.0}), "default of field 'a'"),
    (record({"name": "a", "type": "int", "default": 2**31}), "default of field 'a'"),
    (record({"name": "a", "type": "long", "default": 2**63}), "default of field 'a'"),
    (record({"name": "a", "type": "string", "default": None}), "default of field 'a'"),
    (record({"name": "a", "type": "double", "default": "many"}), "not a number"),
    (record({"name": "a", "type": ["int", "null"], "default": "x"}), "default of field 'a'"),
    (record({"name": "a", "type": {"type": "array", "items": "int"}, "default": [1, "x"]}), "'a'"),
    (
        record({"name": "a", "type": {"type": "map", "values": "int"}, "default": {"k": "v"}}),
        "default of field 'a'",
    ),
    (
        record(
            {
                "name": "a",
                "type": {"type": "record", "name": "S", "fields": [{"name": "x", "type": "int"}]},
                "default": {},
            }
        ),
        "default of field 'a'",
    ),
    ('{"type": "enum", "name": "E"}', "'symbols' array"),
    ('{"type": "enum", "name": "E", "symbols": [1]}', "'symbols' array"),
    ('{"type": "enum", "name": "E", "symbols": ["A", "1B"]}', "invalid enum symbol"),
    ('{"type": "enum", "name": "E", "symbols": ["A", "A"]}', "'A' appears twice"),
    ('{"type": "enum", "name": "E", "symbols": ["A"], "default": "B"}', "enum default 'B'"),
    ('{"type": "fixed", "name": "F"}', "'size'"),
    ('{"type": "fixed", "name": "F", "size": -1}', "'size'"),
    ('{"type": "fixed", "name": "F", "size": 4.0}', "'size'"),
    ('{"type": "fixed", "name": "F", "size": 2147483648}', "'size'"),
    ('{"type": "array"}', "needs 'items'"),
    ('{"type": "map"}', "needs 'values'"),
    ('["int", "int"]', "holds 'int' twice"),
    ('[{"type": "array", "items": "int"}, {"type": "array", "items": "long"}]', "'array' twice"),
    ('["int", ["string"]]', "may not directly contain another union"),
    (
        '[{"type": "fixed", "name": "F", "size": 1}, {"type": "enum", "name": "F", "symbols": []}]',
        "'F' is already defined",
    ),
    (
        record(
            {"name": "a", "type": {"type": "record", "name": "S", "fields": []}},
            {"name": "b", "type": {"type": "record", "name": "S", "fields": []}},
        ),
        "'S' is already defined",
    ),
    (
        record(
            {"name": "a", "type": {"type": "enum", "name": "E", "symbols": ["A"]}},
            {"name": "b", "type": {"type": "enum", "name": "E", "symbols": ["A", "B"]}},
        ),
        "'E' is already defined",
    ),
    # Inside namespace n, "S" means n.S or S, never m.S.
    (
        '{"type":"record","name":"R","namespace":"n","fields":[{"name":"a","type":"S"},'
        '{"name":"b","type":{"type":"record","name":"S","namespace":"m","fields":[]}}]}',
        "no primitive or named type is called n.S or S",
    ),
    ('"\\ud800"', "surrogate"),
]


@pytest.mark.parametrize(("text", "expected"), INVALID)
def test_invalid_schemas_are_rejected_clearly(text: str, expected: str) -> None:
    with pytest.raises(SchemaParseError) as caught:
        AVRO.parse(text)
    assert expected in str(caught.value)


VALID = [
    # Avro Java ignores non-string doc/namespace values and a non-string enum default.
    '{"type": "record", "name": "R", "doc": 5, "namespace": 5, "fields": []}',
    '{"type": "enum", "name": "E", "symbols": ["A"], "default": 1}',
    '{"type": "enum", "name": "E", "symbols": []}',
    '{"type": "fixed", "name": "F", "size": 0}',
    "[]",
    record({"name": "é", "type": "int"}),
    record({"name": "a", "type": "int", "aliases": ["1x"]}),
    # Avro Java's default rules are looser than the specification in places.
    record({"name": "a", "type": ["null", "int"], "default": 1}),
    record({"name": "a", "type": {"type": "enum", "name": "E", "symbols": ["A"]}, "default": "Z"}),
    record({"name": "a", "type": {"type": "fixed", "name": "F", "size": 2}, "default": "abc"}),
    record({"name": "a", "type": "double", "default": "Infinity"}),
    record({"name": "a", "type": "double", "default": 123456789012345678901234567890}),
    record({"name": "a", "type": "long", "default": -(2**63)}),
    '{"type": "bytes", "logicalType": "decimal", "precision": 2, "scale": 5}',
    '{"type": "array", "items": "int", "name": "ignored"}',
    # A record of a name may appear inside itself while it is being defined.
    '{"type":"record","name":"R","fields":[{"name":"a","type":{"type":"error","name":"R",'
    '"fields":[{"name":"x","type":"int"}]}}]}',
]


@pytest.mark.parametrize("text", VALID)
def test_schemas_avro_java_accepts_are_accepted(text: str) -> None:
    assert isinstance(AVRO.parse(text), ParsedAvroSchema)


def nested_arrays(depth: int) -> str:
    text = '"int"'
    for _ in range(depth):
        text = f'{{"type": "array", "items": {text}}}'
    return text


def nested_records(depth: int, leaf: str = "int") -> str:
    schema: object = leaf
    for level in range(depth):
        schema = {"type": "record", "name": f"R{level}", "fields": [{"name": "f", "type": schema}]}
    return json.dumps(schema)


def test_nesting_up_to_the_limit_parses_prints_and_checks() -> None:
    arrays = AVRO.parse(nested_arrays(MAX_DEPTH))
    assert arrays.canonical.count("items") == MAX_DEPTH
    reader = AVRO.parse(nested_records(MAX_DEPTH))
    writer = AVRO.parse(nested_records(MAX_DEPTH, "long"))
    findings = AVRO.backward_findings(reader, writer)
    assert [f.type for f in findings] == ["TYPE_MISMATCH"]
    assert findings[0].path == "/" + "/".join(["fields/0/type"] * MAX_DEPTH)


@pytest.mark.parametrize(
    "text",
    [
        nested_arrays(MAX_DEPTH + 1),
        nested_records(MAX_DEPTH + 1),
        "[" * 100_000 + "]" * 100_000,
        '{"a":' * 100_000 + "1" + "}" * 100_000,
    ],
    ids=["arrays", "records", "json-arrays", "json-objects"],
)
def test_too_deep_nesting_is_an_invalid_schema(text: str) -> None:
    with pytest.raises(SchemaParseError, match="nest"):
        AVRO.parse(text)


def test_random_corruptions_only_ever_raise_invalid_schema() -> None:
    seeds = [
        nested_records(3),
        '{"type":"record","name":"R","fields":[{"name":"a","type":["null",{"type":"enum",'
        '"name":"E","symbols":["A","B"],"default":"A"}],"default":null},{"name":"b","type":'
        '{"type":"map","values":{"type":"fixed","name":"F","size":4}}}]}',
    ]
    alphabet = '{}[]":,0123456789-.eE tnulfrs\\/abcdefghijklmnopqrstuvwxyz_'
    rng = random.Random(20240611)
    for _ in range(3000):
        text = list(rng.choice(seeds))
        for _ in range(rng.randint(1, 4)):
            position = rng.randrange(len(text))
            action = rng.random()
            if action < 0.4:
                text[position] = rng.choice(alphabet)
            elif action < 0.7:
                del text[position]
            else:
                text.insert(position, rng.choice(alphabet))
        with contextlib.suppress(SchemaParseError):
            AVRO.parse("".join(text))


# --- references -----------------------------------------------------------------------------


def reference(name: str, schema: ParsedAvroSchema, version: int = 1) -> ResolvedReference:
    return ResolvedReference(name=name, subject=name, version=version, schema=schema)


ADDRESS = (
    '{"type":"record","name":"Address","namespace":"acme","fields":[{"name":"s","type":"string"}]}'
)


def test_a_record_may_use_a_named_type_from_a_reference() -> None:
    address = AVRO.parse(ADDRESS)
    person = AVRO.parse(
        '{"type":"record","name":"Person","fields":[{"name":"home","type":"acme.Address"}]}',
        [reference("address", address)],
    )
    assert person.references == (reference("address", address),)
    assert person.canonical == (
        '{"type":"record","name":"Person","fields":[{"name":"home","type":"acme.Address"}]}'
    )


def test_a_named_type_missing_from_the_references_is_an_invalid_schema() -> None:
    person = '{"type":"record","name":"Person","fields":[{"name":"home","type":"acme.Address"}]}'
    with pytest.raises(SchemaParseError, match=r"/fields/0/type: unknown type 'acme.Address'"):
        AVRO.parse(person)
    # Out of its namespace a referenced type needs its full name.
    with pytest.raises(SchemaParseError, match="unknown type 'Address'"):
        AVRO.parse(person.replace("acme.Address", "Address"), [reference("a", AVRO.parse(ADDRESS))])


def test_redefining_a_referenced_type_is_an_invalid_schema() -> None:
    address = AVRO.parse(ADDRESS)
    with pytest.raises(SchemaParseError, match=r"'acme\.Address' is already defined"):
        AVRO.parse(ADDRESS, [reference("address", address)])


def test_two_references_defining_one_name_conflict() -> None:
    one = AVRO.parse(ADDRESS)
    two = AVRO.parse(ADDRESS)
    with pytest.raises(SchemaReferenceError, match="more than one reference"):
        AVRO.parse('"acme.Address"', [reference("one", one), reference("two", two, version=2)])
    # The same subject-version reached twice is one reference, not a conflict.
    assert AVRO.parse('"acme.Address"', [reference("one", one), reference("one", two)])


def test_a_non_avro_reference_is_rejected() -> None:
    class Other:
        schema_type = SchemaType.JSON
        canonical = "{}"
        references = ()

    other = ResolvedReference(name="o", subject="o", version=1, schema=Other())
    with pytest.raises(SchemaReferenceError, match="JSON schema"):
        AVRO.parse('"int"', [other])
