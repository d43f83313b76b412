"""Canonical text (Avro Java's `Schema.toString()`), the resolved view and the normal form."""

from __future__ import annotations

import json

import pytest

from compat.avro import AvroFormat, ParsedAvroSchema
from compat.formats import ResolvedReference
from tests.corpus import CASES_DIR

AVRO = AvroFormat()
CORPUS_SCHEMAS = sorted(
    {
        c[side]
        for c in json.loads((CASES_DIR / "avro.json").read_text("utf-8"))
        for side in ("old", "new")
    }
)

# Input text -> what Avro Java 1.12's Schema.toString() prints for it.
JAVA_OUTPUTS = [
    ('{"type": "string"}', '"string"'),
    ('{"type": "string", "logicalType": "uuid"}', '{"type":"string","logicalType":"uuid"}'),
    # Primitives keep custom properties but drop reserved attributes such as doc and name.
    ('{"type":"int","doc":"dropped","name":"dropped","foo":1}', '{"type":"int","foo":1}'),
    ('["null", {"type": "string"}]', '["null","string"]'),
    (
        '{"type": "array", "items": {"type": "map", "values": "long"}, "name": "x", "p": true}',
        '{"type":"array","items":{"type":"map","values":"long"},"p":true}',
    ),
    (
        '{"fields": [{"default": 0, "type": "int", "name": "a", "doc": "the a"}], "name": "R",'
        ' "type": "record", "namespace": "com.acme", "doc": "A record"}',
        '{"type":"record","name":"R","namespace":"com.acme","doc":"A record",'
        '"fields":[{"name":"a","type":"int","doc":"the a","default":0}]}',
    ),
    # Field order spelled in lower case, aliases deduplicated, props after aliases on fields and
    # before aliases on records, Java's double layout.
    (
        '{"type":"record","name":"R","fields":[{"name":"f","type":"int","order":"DESCENDING",'
        '"aliases":["g","g","h"],"x":{"b":1,"a":2}}],"aliases":["Old","other.Older"],'
        '"z":[1.5,1e22,0.001,1E-4]}',
        '{"type":"record","name":"R","fields":[{"name":"f","type":"int","order":"descending",'
        '"aliases":["g","h"],"x":{"b":1,"a":2}}],"z":[1.5,1.0E22,0.001,1.0E-4],'
        '"aliases":["Old","other.Older"]}',
    ),
    (
        '{"type":"enum","name":"E","namespace":"n","doc":"d","symbols":["A","B"],"default":"A",'
        '"aliases":["X","m.Y"],"p":1}',
        '{"type":"enum","name":"E","namespace":"n","doc":"d","symbols":["A","B"],"default":"A",'
        '"p":1,"aliases":["X","m.Y"]}',
    ),
    (
        '{"type":"fixed","name":"F","namespace":"n","size":16,"logicalType":"uuid","aliases":["G"]}',
        '{"type":"fixed","name":"F","namespace":"n","size":16,"logicalType":"uuid","aliases":["G"]}',
    ),
    (
        '{"type":"error","name":"Oops","fields":[{"name":"msg","type":"string"}]}',
        '{"type":"error","name":"Oops","fields":[{"name":"msg","type":"string"}]}',
    ),
    # Namespaces: written only where they change, "" for the null namespace inside a named one;
    # names written short inside their own namespace.
    (
        '{"type":"record","name":"a.b.Outer","fields":[{"name":"i","type":{"type":"record",'
        '"name":"Inner","fields":[{"name":"t","type":{"type":"record","name":"T","namespace":"",'
        '"fields":[{"name":"back","type":"a.b.Inner"}]}}]}},{"name":"again","type":"Inner"},'
        '{"name":"t2","type":"T"},{"name":"e","type":{"type":"enum","name":"c.E","symbols":["X"]}},'
        '{"name":"e2","type":"c.E"}]}',
        '{"type":"record","name":"Outer","namespace":"a.b","fields":[{"name":"i","type":'
        '{"type":"record","name":"Inner","fields":[{"name":"t","type":{"type":"record","name":"T",'
        '"namespace":"","fields":[{"name":"back","type":"a.b.Inner"}]}}]}},{"name":"again",'
        '"type":"Inner"},{"name":"t2","type":"T"},{"name":"e","type":{"type":"enum","name":"E",'
        '"namespace":"c","symbols":["X"]}},{"name":"e2","type":"c.E"}]}',
    ),
    (
        '{"type":"record","name":"Node","fields":[{"name":"children","type":{"type":"array",'
        '"items":"Node"}},{"name":"next","type":["null","Node"],"default":null}]}',
        '{"type":"record","name":"Node","fields":[{"name":"children","type":{"type":"array",'
        '"items":"Node"}},{"name":"next","type":["null","Node"],"default":null}]}',
    ),
    # A forward reference: the definition is written where the walk first meets the name.
    (
        '{"type":"record","name":"R","fields":[{"name":"a","type":"S"},{"name":"b","type":'
        '{"type":"record","name":"S","fields":[]}}]}',
        '{"type":"record","name":"R","fields":[{"name":"a","type":{"type":"record","name":"S",'
        '"fields":[]}},{"name":"b","type":"S"}]}',
    ),
    # A string default of a float/double field becomes the number; Jackson's escapes.
    (
        '{"type":"record","name":"R","fields":[{"name":"d","type":"double","default":"NaN"},'
        '{"name":"e","type":"float","default":"1.5"},{"name":"s","type":"string",'
        '"default":"tab\\tquote\\"\\u0001\\u00e9\\u001f"}]}',
        '{"type":"record","name":"R","fields":[{"name":"d","type":"double","default":"NaN"},'
        '{"name":"e","type":"float","default":1.5},{"name":"s","type":"string",'
        '"default":"tab\\tquote\\"\\u0001é\\u001F"}]}',
    ),
    # An identical enum defined again is accepted and written by name.
    (
        '{"type":"record","name":"R","fields":[{"name":"a","type":{"type":"enum","name":"E",'
        '"symbols":["A"]}},{"name":"b","type":{"type":"enum","name":"E","symbols":["A"],'
        '"doc":"repeat"}}]}',
        '{"type":"record","name":"R","fields":[{"name":"a","type":{"type":"enum","name":"E",'
        '"symbols":["A"]}},{"name":"b","type":"E"}]}',
    ),
    ('/* comments are allowed */ "int" // as in Avro', '"int"'),
]


@pytest.mark.parametrize(("text", "expected"), JAVA_OUTPUTS)
def test_canonical_text_is_what_avro_java_prints(text: str, expected: str) -> None:
    assert AVRO.parse(text).canonical == expected


@pytest.mark.parametrize("text", CORPUS_SCHEMAS + [t for t, _ in JAVA_OUTPUTS])
def test_canonical_of_canonical_is_identical(text: str) -> None:
    canonical = AVRO.parse(text).canonical
    assert AVRO.parse(canonical).canonical == canonical


def test_parsed_schemas_compare_by_canonical_text() -> None:
    one = AVRO.parse('{"type": "record", "name": "R", "fields": []}')
    two = AVRO.parse('{"name": "R", "fields": [], "type": "record"}')
    assert one == two
    assert hash(one) == hash(two)
    assert one.schema_type.value == "AVRO"


def _reference(name: str, schema: ParsedAvroSchema, version: int = 1) -> ResolvedReference:
    return ResolvedReference(name=name, subject=f"{name}-value", version=version, schema=schema)


ADDRESS = (
    '{"type":"record","name":"Address","namespace":"acme","fields":[{"name":"kind","type":'
    '{"type":"enum","name":"Kind","symbols":["HOME","WORK"]}}]}'
)
PERSON = (
    '{"type":"record","name":"Person","namespace":"acme","fields":[{"name":"home","type":'
    '"Address"},{"name":"kind","type":"Kind"},{"name":"work","type":["null","acme.Address"]}]}'
)


def test_referenced_top_level_types_stay_names_and_resolved_inlines_them() -> None:
    address = AVRO.parse(ADDRESS)
    person = AVRO.parse(PERSON, [_reference("address", address)])
    # Confluent knows only each reference's top-level type, so the nested enum is written out.
    assert person.canonical == (
        '{"type":"record","name":"Person","namespace":"acme","fields":[{"name":"home","type":'
        '"Address"},{"name":"kind","type":{"type":"enum","name":"Kind","symbols":["HOME","WORK"]}},'
        '{"name":"work","type":["null","Address"]}]}'
    )
    assert AVRO.render(person, "resolved") == (
        '{"type":"record","name":"Person","namespace":"acme","fields":[{"name":"home","type":'
        '{"type":"record","name":"Address","fields":[{"name":"kind","type":{"type":"enum",'
        '"name":"Kind","symbols":["HOME","WORK"]}}]}},{"name":"kind","type":"Kind"},'
        '{"name":"work","type":["null","Address"]}]}'
    )
    assert AVRO.render(person, "serialized") is None
    assert AVRO.render(address, "resolved") == address.canonical


def test_references_of_references_are_in_scope() -> None:
    address = AVRO.parse(ADDRESS)
    person = AVRO.parse(PERSON, [_reference("address", address)])
    team = AVRO.parse(
        '{"type":"record","name":"Team","fields":[{"name":"lead","type":"acme.Person"},'
        '{"name":"office","type":"acme.Address"}]}',
        [_reference("person", person)],
    )
    assert team.canonical == (
        '{"type":"record","name":"Team","fields":[{"name":"lead","type":"acme.Person"},'
        '{"name":"office","type":"acme.Address"}]}'
    )
    assert AVRO.render(team, "resolved") is not None
    assert '"name":"Address"' in (AVRO.render(team, "resolved") or "")


# --- normal form -------------------------------------------------------------------------

REORDERED = [
    (
        '{"namespace":"com.x","name":"R","type":"record","doc":"d","aliases":["Z","A"],"zz":1,'
        '"aa":{"q":1,"b":2},"fields":[{"type":{"type":"bytes","scale":2,"precision":4,'
        '"logicalType":"decimal","c.n":"x"},"name":"f","default":"\\u0000","doc":"fd",'
        '"aliases":["y","b"],"p":2,"order":"ascending"},{"name":"e","type":{"symbols":["A","B"],'
        '"type":"enum","name":"E","default":"A"}},{"name":"d","type":"double","default":1}]}'
    ),
    (
        '{"type":"record","name":"com.x.R","fields":[{"name":"f","type":{"type":"bytes",'
        '"logicalType":"decimal","precision":4,"scale":2,"c.n":"x"},"doc":"fd","default":"\\u0000",'
        '"aliases":["b","y"],"p":2},{"name":"e","type":{"type":"enum","name":"E",'
        '"symbols":["A","B"],"default":"A"}},{"name":"d","type":"double","default":1.0}],'
        '"aa":{"b":2,"q":1},"zz":1,"doc":"d","aliases":["A","Z"]}'
    ),
]


def test_reordered_schemas_normalise_to_one_text() -> None:
    first, second = (AVRO.parse(t, normalize=True) for t in REORDERED)
    assert first.canonical == second.canonical
    assert first.canonical == (
        '{"type":"record","name":"R","namespace":"com.x","doc":"d","fields":[{"name":"f","type":'
        '{"type":"bytes","logicalType":"decimal","precision":4,"scale":2,"c.n":"x"},"doc":"fd",'
        '"default":"\\u0000","aliases":["b","y"],"p":2},{"name":"e","type":{"type":"enum",'
        '"name":"E","symbols":["A","B"],"default":"A"}},{"name":"d","type":"double",'
        '"default":1.0}],"aa":{"b":2,"q":1},"zz":1,"aliases":["A","Z"]}'
    )
    # Without normalisation the written order is kept, so the two differ.
    assert AVRO.parse(REORDERED[0]).canonical != AVRO.parse(REORDERED[1]).canonical


@pytest.mark.parametrize("text", CORPUS_SCHEMAS + REORDERED)
def test_normalising_is_idempotent(text: str) -> None:
    normal = AVRO.parse(text, normalize=True).canonical
    assert AVRO.parse(normal, normalize=True).canonical == normal
    assert AVRO.parse(normal).canonical == normal


def test_invalid_logical_type_attributes_sort_with_the_others() -> None:
    valid = AVRO.parse(
        '{"type":"bytes","b":1,"logicalType":"decimal","precision":3}', normalize=True
    )
    invalid = AVRO.parse(
        '{"type":"bytes","b":1,"logicalType":"decimal","precision":0}', normalize=True
    )
    assert valid.canonical == '{"type":"bytes","logicalType":"decimal","precision":3,"b":1}'
    assert invalid.canonical == '{"type":"bytes","b":1,"logicalType":"decimal","precision":0}'


def test_normalising_a_schema_with_references() -> None:
    address = AVRO.parse(ADDRESS)
    references = [_reference("address", address)]
    person = AVRO.parse(PERSON, references)
    # PERSON is already in normal order, so its normal form is its canonical form, with the
    # referenced top-level type by name and the nested enum written out as usual.
    assert AVRO.parse(PERSON, references, normalize=True).canonical == person.canonical


def test_normalising_coerces_defaults_through_the_field_type() -> None:
    text = (
        '{"type":"record","name":"R","fields":[{"name":"f","type":"float","default":0.123456789},'
        '{"name":"d","type":"double","default":2},{"name":"s","type":{"type":"record","name":"S",'
        '"fields":[{"name":"b","type":"int"},{"name":"a","type":"double"}]},'
        '"default":{"a":1,"b":2,"extra":true}}]}'
    )
    assert AVRO.parse(text, normalize=True).canonical == (
        '{"type":"record","name":"R","fields":[{"name":"f","type":"float","default":0.12345679},'
        '{"name":"d","type":"double","default":2.0},{"name":"s","type":{"type":"record",'
        '"name":"S","fields":[{"name":"b","type":"int"},{"name":"a","type":"double"}]},'
        '"default":{"a":1.0,"b":2}}]}'
    )
