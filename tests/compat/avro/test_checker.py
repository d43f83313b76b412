"""Reader/writer rules the corpus does not pin, each checked against Avro Java's own output."""

from __future__ import annotations

import itertools
import json

import pytest

from compat.avro import UNEXPECTED_EXCEPTION, AvroFormat
from compat.avro._checker import _pointer
from compat.avro._messages import java_format
from compat.formats import safe_backward_findings
from compat.types import CHECK_FAILED, Finding

AVRO = AvroFormat()


def findings(reader: str, writer: str) -> list[tuple[str, str, str]]:
    found = AVRO.backward_findings(AVRO.parse(reader), AVRO.parse(writer))
    return [(f.type, f.path, f.detail) for f in found]


# (reader, writer, Avro Java's findings) — each verified with Apache Avro 1.12's checker.
RULES = {
    "a recursive type terminates; a new field still needs a default": (
        '{"type":"record","name":"Node","fields":[{"name":"v","type":"int"},{"name":"w",'
        '"type":"int"},{"name":"next","type":["null","Node"]}]}',
        '{"type":"record","name":"Node","fields":[{"name":"v","type":"int"},{"name":"next",'
        '"type":["null","Node"]}]}',
        [("READER_FIELD_MISSING_DEFAULT_VALUE", "/fields/1", "w")],
    ),
    "a recursive type with a promotion is compatible": (
        '{"type":"record","name":"Node","fields":[{"name":"v","type":"long"},{"name":"next",'
        '"type":["null","Node"]}]}',
        '{"type":"record","name":"Node","fields":[{"name":"v","type":"int"},{"name":"next",'
        '"type":["null","Node"]}]}',
        [],
    ),
    "a missing enum field with an enum default is compared against the writer record": (
        '{"type":"record","name":"R","fields":[{"name":"a","type":"int"},{"name":"e","type":'
        '{"type":"enum","name":"E","symbols":["X","Y"],"default":"X"}}]}',
        '{"type":"record","name":"R","fields":[{"name":"a","type":"int"}]}',
        [
            (
                "TYPE_MISMATCH",
                "/fields/1/type",
                "reader type: ENUM not compatible with writer type: RECORD",
            )
        ],
    ),
    "a named pair met twice repeats its first findings, first location included": (
        '{"type":"record","name":"R","fields":[{"name":"x","type":{"type":"record","name":"P",'
        '"fields":[{"name":"q","type":"string"}]}},{"name":"y","type":"P"}]}',
        '{"type":"record","name":"R","fields":[{"name":"x","type":{"type":"record","name":"P",'
        '"fields":[{"name":"q","type":"int"}]}},{"name":"y","type":"P"}]}',
        [
            (
                "TYPE_MISMATCH",
                "/fields/0/type/fields/0/type",
                "reader type: STRING not compatible with writer type: INT",
            ),
            (
                "TYPE_MISMATCH",
                "/fields/0/type/fields/0/type",
                "reader type: STRING not compatible with writer type: INT",
            ),
        ],
    ),
    "a pair first met inside a union keeps the root-relative location it got there": (
        '{"type":"record","name":"O","fields":[{"name":"a","type":["null",{"type":"record",'
        '"name":"Rec","fields":[{"name":"n","type":"int"}]}]},{"name":"b","type":"Rec"}]}',
        '{"type":"record","name":"O","fields":[{"name":"a","type":["null",{"type":"record",'
        '"name":"Rec","fields":[]}]},{"name":"b","type":"Rec"}]}',
        [
            (
                "MISSING_UNION_BRANCH",
                "/fields/0/type/1",
                "reader union lacking writer type: RECORD",
            ),
            ("READER_FIELD_MISSING_DEFAULT_VALUE", "/fields/0", "n"),
        ],
    ),
    "writer aliases are never consulted": (
        '{"type":"record","name":"New","fields":[]}',
        '{"type":"record","name":"Old","aliases":["New"],"fields":[]}',
        [("NAME_MISMATCH", "/name", "expected: Old")],
    ),
    "a reader alias naming the writer's full name matches": (
        '{"type":"record","name":"New","namespace":"a","aliases":["b.Old"],"fields":[]}',
        '{"type":"record","name":"Old","namespace":"b","fields":[]}',
        [],
    ),
    "a short reader alias resolves in the reader's namespace": (
        '{"type":"record","name":"New","namespace":"a","aliases":["Old"],"fields":[]}',
        '{"type":"record","name":"Old","namespace":"b","fields":[]}',
        [("NAME_MISMATCH", "/name", "expected: b.Old")],
    ),
    "namespaces are ignored when names match": (
        '{"type":"fixed","name":"F","namespace":"x","size":4}',
        '{"type":"fixed","name":"F","namespace":"y","size":4}',
        [],
    ),
    "an enum default rescues missing symbols": (
        '{"type":"enum","name":"E","symbols":["A","UNKNOWN"],"default":"UNKNOWN"}',
        '{"type":"enum","name":"E","symbols":["A","B","C"]}',
        [],
    ),
    "a writer union reports its branches' own findings": (
        '"long"',
        '["int","string","null","long"]',
        [
            ("TYPE_MISMATCH", "/1", "reader type: LONG not compatible with writer type: STRING"),
            ("TYPE_MISMATCH", "/2", "reader type: LONG not compatible with writer type: NULL"),
        ],
    ),
    "a reader union lacking the writer type": (
        '["int","string"]',
        '{"type":"array","items":"int"}',
        [("MISSING_UNION_BRANCH", "/", "reader union lacking writer type: ARRAY")],
    ),
    "an empty writer union is readable by anything": ('"int"', "[]", []),
    "a reader field alias finds a renamed writer field": (
        '{"type":"record","name":"R","fields":[{"name":"b","type":"long","aliases":["a"]}]}',
        '{"type":"record","name":"R","fields":[{"name":"a","type":"int"}]}',
        [],
    ),
    "map values are compared": (
        '{"type":"map","values":"int"}',
        '{"type":"map","values":"string"}',
        [("TYPE_MISMATCH", "/values", "reader type: INT not compatible with writer type: STRING")],
    ),
    "an error and a record of one name are the same type": (
        '{"type":"error","name":"R","fields":[]}',
        '{"type":"record","name":"R","fields":[]}',
        [],
    ),
    "each writer branch the reader union lacks is reported": (
        '["null",{"type":"record","name":"A","fields":[{"name":"x","type":"int"}]}]',
        '["null",{"type":"record","name":"A","fields":[]},{"type":"record","name":"B","fields":[]}]',
        [
            ("MISSING_UNION_BRANCH", "/1", "reader union lacking writer type: RECORD"),
            ("MISSING_UNION_BRANCH", "/2", "reader union lacking writer type: RECORD"),
        ],
    ),
    "logical types are ignored": (
        '{"type":"fixed","name":"D","size":8,"logicalType":"decimal","precision":4,"scale":1}',
        '{"type":"fixed","name":"D","size":8,"logicalType":"decimal","precision":9,"scale":3}',
        [],
    ),
}


@pytest.mark.parametrize(("reader", "writer", "expected"), list(RULES.values()), ids=list(RULES))
def test_rule(reader: str, writer: str, expected: list[tuple[str, str, str]]) -> None:
    assert findings(reader, writer) == expected


PRIMITIVES = ["null", "boolean", "int", "long", "float", "double", "bytes", "string"]
PROMOTIONS = {
    ("long", "int"),
    ("float", "int"),
    ("float", "long"),
    ("double", "int"),
    ("double", "long"),
    ("double", "float"),
    ("bytes", "string"),
    ("string", "bytes"),
}


@pytest.mark.parametrize(("reader", "writer"), list(itertools.product(PRIMITIVES, PRIMITIVES)))
def test_primitive_promotions(reader: str, writer: str) -> None:
    result = findings(json.dumps(reader), json.dumps(writer))
    if reader == writer or (reader, writer) in PROMOTIONS:
        assert result == []
    else:
        message = f"reader type: {reader.upper()} not compatible with writer type: {writer.upper()}"
        assert result == [("TYPE_MISMATCH", "/", message)]


def test_a_reader_field_matching_two_writer_fields_is_an_unexpected_exception() -> None:
    reader = '{"type":"record","name":"R","fields":[{"name":"a","type":"int","aliases":["b"]}]}'
    writer = (
        '{"type":"record","name":"R","namespace":"ns","fields":[{"name":"a","type":"int"},'
        '{"name":"b","type":"long","doc":"100%s"}]}'
    )
    [finding] = AVRO.backward_findings(AVRO.parse(reader), AVRO.parse(writer))
    assert finding.type == UNEXPECTED_EXCEPTION
    assert finding.detail == (
        "Reader record field a type:INT pos:0 matches multiple fields in writer record schema "
        '{"type":"record","name":"R","namespace":"ns","fields":[{"name":"a","type":"int"},'
        '{"name":"b","type":"long","doc":"100%s"}]}'
    )
    # Confluent passes the text through String.format, so the doc's %s takes the reader word.
    assert AVRO.confluent_message(finding, reader="new", writer="old") == (
        "Unexpected exception during compatibility check: " + finding.detail.replace("%s", "new")
    )


def test_a_field_whose_alias_is_its_own_name_matches_twice() -> None:
    reader = '{"type":"record","name":"R","fields":[{"name":"x","type":"int","aliases":["x"]}]}'
    writer = '{"type":"record","name":"R","fields":[{"name":"x","type":"int"}]}'
    assert [f[0] for f in findings(reader, writer)] == [UNEXPECTED_EXCEPTION]


def test_mutually_recursive_types_terminate() -> None:
    tree = (
        '{"type":"record","name":"Tree","fields":[{"name":"forest","type":{"type":"record",'
        '"name":"Forest","fields":[{"name":"trees","type":{"type":"array","items":"Tree"}},'
        '{"name":"size","type":"%s"}]}}]}'
    )
    assert findings(tree % "long", tree % "int") == []
    assert findings(tree % "int", tree % "long") == [
        (
            "TYPE_MISMATCH",
            "/fields/0/type/fields/1/type",
            "reader type: INT not compatible with writer type: LONG",
        )
    ]


def test_findings_escape_json_pointer_tokens() -> None:
    assert _pointer([]) == "/"
    assert _pointer(["fields", "a/b~c", "type"]) == "/fields/a~1b~0c/type"


def test_confluent_messages_fill_the_roles_per_direction() -> None:
    reader = '{"type":"record","name":"R","fields":[{"name":"f2","type":"string"}]}'
    writer = '{"type":"record","name":"R","fields":[]}'
    [finding] = AVRO.backward_findings(AVRO.parse(reader), AVRO.parse(writer))
    assert finding.description == (
        "The field 'f2' at path '/fields/0' in the ",
        " schema has no default value and is missing in the ",
        " schema",
    )
    assert AVRO.confluent_message(finding, reader="new", writer="old") == (
        "{errorType:'READER_FIELD_MISSING_DEFAULT_VALUE', description:'The field 'f2' at path "
        "'/fields/0' in the new schema has no default value and is missing in the old schema', "
        "additionalInfo:'f2'}"
    )
    assert "in the old schema has no default value and is missing in the new schema" in (
        AVRO.confluent_message(finding, reader="old", writer="new")
    )


def test_a_stray_percent_falls_back_to_literal_roles() -> None:
    finding = Finding(UNEXPECTED_EXCEPTION, "/", "50% off", ("Unexpected exception: 50% off",))
    assert AVRO.confluent_message(finding, reader="new", writer="old") == (
        "Unexpected exception: 50% off"
    )


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ("no placeholders", "no placeholders"),
        ("%s reads %s", "new reads old"),
        ("%2$s then %1$s", "old then new"),
        ("100%% %S%n", "100% NEW\n"),
        ("%d", None),
        ("%s %s %s", None),
        ("trailing %", None),
        ("%5s", None),
    ],
)
def test_java_format(template: str, expected: str | None) -> None:
    assert java_format(template, "new", "old") == expected


def test_non_avro_schemas_are_a_failed_check_not_an_incompatibility() -> None:
    class Other:
        schema_type = AVRO.schema_type
        canonical = "{}"
        references = ()

    # Schemas another plug-in parsed are a caller's bug: the plug-in raises...
    with pytest.raises(TypeError, match="parsed by AvroFormat"):
        AVRO.backward_findings(Other(), AVRO.parse('"int"'))
    # ...and the guarded call reports that as an error, not as an Avro incompatibility.
    [finding] = safe_backward_findings(AVRO, Other(), AVRO.parse('"int"'))
    assert finding.is_error
    assert finding.type == CHECK_FAILED != UNEXPECTED_EXCEPTION
    assert finding.detail.startswith("TypeError: ")


def test_a_designed_throw_stays_an_incompatibility_not_a_failed_check() -> None:
    # Confluent answers Avro Java's designed throw with a 409, so it is a verdict, not an error.
    reader = '{"type":"record","name":"R","fields":[{"name":"x","type":"int","aliases":["x"]}]}'
    writer = '{"type":"record","name":"R","fields":[{"name":"x","type":"int"}]}'
    [finding] = safe_backward_findings(AVRO, AVRO.parse(reader), AVRO.parse(writer))
    assert finding.type == UNEXPECTED_EXCEPTION
    assert not finding.is_error
