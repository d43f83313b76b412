"""Parsing Protobuf schemas: protoc's validation, imports through references, bad input."""

from __future__ import annotations

import base64

import pytest

from compat.errors import SchemaParseError, SchemaReferenceError
from compat.formats import ResolvedReference
from compat.jsonschema import JsonSchemaFormat
from compat.protobuf import (
    ParsedProtobuf,
    ProtobufFormat,
    ProtoCompileError,
    compile_proto,
)
from compat.protobuf._compile import MAX_REPORTED_DIAGNOSTICS
from compat.types import SchemaType

FMT = ProtobufFormat()


def ref(name: str, schema: ParsedProtobuf, subject: str | None = None) -> ResolvedReference:
    """A resolved reference to `schema`, imported as `name`."""
    return ResolvedReference(name, subject or name.removesuffix(".proto"), 1, schema)


def test_proto3_schema_parses_to_its_descriptor() -> None:
    parsed = FMT.parse('syntax = "proto3";\npackage shop;\nmessage Order { string id = 1; }\n')
    assert parsed.schema_type is SchemaType.PROTOBUF
    assert parsed.file.package == "shop"
    assert [m.name for m in parsed.file.message_type] == ["Order"]
    assert parsed.file.message_type[0].field[0].name == "id"
    assert parsed.references == ()


def test_proto2_schema_with_required_fields_and_defaults_parses() -> None:
    parsed = FMT.parse(
        'syntax = "proto2";\nmessage A {\n  required int32 a = 1;\n'
        '  optional string b = 2 [default = "x"];\n}\n'
    )
    fields = parsed.file.message_type[0].field
    assert fields[1].default_value == "x"
    assert "required int32 a = 1;" in parsed.canonical


@pytest.mark.parametrize(
    ("text", "position", "fragment"),
    [
        (
            'syntax = "proto3";\nmessage M {\n  int32 a = 1;\n  int32 b = 1;\n}\n',
            "schema.proto:4:13",
            "Field number 1 has already been used",
        ),
        (
            'syntax = "proto3";\nmessage M {\n  int32 a = 1;\n  string a = 2;\n}\n',
            "schema.proto:4:10",
            '"a" is already defined',
        ),
        (
            'syntax = "proto3";\nmessage M {\n  Missing m = 1;\n}\n',
            "schema.proto:3:3",
            '"Missing" is not defined',
        ),
        (
            'syntax = "proto3";\nmessage M {\n  reserved 2;\n  int32 x = 2;\n}\n',
            "schema.proto:3:12",
            "uses reserved number 2",
        ),
        (
            'syntax = "proto2";\nmessage M {\n  optional int32 x = 1 [default = "no"];\n}\n',
            "schema.proto:3:35",
            "Expected integer for field default value",
        ),
        (
            'syntax = "proto3";\nmessage M {\n  int32 x = 1\n}\n',
            "schema.proto:4:1",
            'Expected ";"',
        ),
    ],
)
def test_invalid_schema_reports_protoc_line_and_column(
    text: str, position: str, fragment: str
) -> None:
    with pytest.raises(ProtoCompileError) as caught:
        FMT.parse(text)
    message = str(caught.value)
    assert message.startswith("Invalid schema: ")
    assert f"{position}: " in message
    assert fragment in message
    assert any(d.line > 0 and d.column > 0 for d in caught.value.diagnostics)


def test_text_that_is_not_protobuf_is_invalid() -> None:
    with pytest.raises(SchemaParseError, match="Expected top-level statement"):
        FMT.parse('{"type": "record", "name": "A", "fields": []}')


def test_editions_are_refused_with_a_clear_message() -> None:
    with pytest.raises(SchemaParseError, match="editions are not supported"):
        FMT.parse('edition = "2023";\nmessage A { int32 x = 1; }\n')


def test_well_known_and_bundled_imports_need_no_reference() -> None:
    parsed = FMT.parse(
        'syntax = "proto3";\n'
        'import "google/protobuf/timestamp.proto";\n'
        'import "google/type/date.proto";\n'
        'import "google/type/money.proto";\n'
        'import "confluent/meta.proto";\n'
        'import "confluent/type/decimal.proto";\n'
        "message Payment {\n"
        "  google.protobuf.Timestamp at = 1;\n"
        "  google.type.Date day = 2;\n"
        '  google.type.Money amount = 3 [(confluent.field_meta) = { doc: "total" }];\n'
        "  confluent.type.Decimal rate = 4;\n"
        "}\n"
    )
    names = {d.name for d in parsed.compiled.dependencies}
    assert {
        "google/protobuf/timestamp.proto",
        "google/type/date.proto",
        "confluent/meta.proto",
        "confluent/type/decimal.proto",
    } <= names
    assert '(confluent.field_meta) = {\n    doc: "total"\n  }' in parsed.canonical


@pytest.mark.parametrize(
    "path",
    [
        "google/type/calendar_period.proto",
        "google/type/color.proto",
        "google/type/date.proto",
        "google/type/datetime.proto",
        "google/type/dayofweek.proto",
        "google/type/decimal.proto",
        "google/type/expr.proto",
        "google/type/fraction.proto",
        "google/type/interval.proto",
        "google/type/latlng.proto",
        "google/type/money.proto",
        "google/type/month.proto",
        "google/type/phone_number.proto",
        "google/type/postal_address.proto",
        "google/type/quaternion.proto",
        "google/type/timeofday.proto",
        "confluent/meta.proto",
        "confluent/type/decimal.proto",
    ],
)
def test_every_bundled_file_compiles(path: str) -> None:
    compiled = compile_proto(f'syntax = "proto3";\nimport "{path}";\n', {})
    assert path in {d.name for d in compiled.dependencies}


def test_imports_resolve_through_references_transitively() -> None:
    base = FMT.parse('syntax = "proto3";\npackage base;\nmessage Id { string v = 1; }\n')
    mid = FMT.parse(
        'syntax = "proto3";\npackage mid;\nimport "base/id.proto";\n'
        "message Key { base.Id id = 1; }\n",
        [ref("base/id.proto", base)],
    )
    top = FMT.parse(
        'syntax = "proto3";\npackage top;\nimport "mid/key.proto";\n'
        "message Row { mid.Key key = 1; }\n",
        [ref("mid/key.proto", mid)],
    )
    assert [d.name for d in top.compiled.dependencies] == ["base/id.proto", "mid/key.proto"]
    assert top.file.message_type[0].field[0].type_name == ".mid.Key"


def test_missing_import_names_the_file() -> None:
    with pytest.raises(SchemaReferenceError, match=r'import "acme/other\.proto" was not found'):
        FMT.parse('syntax = "proto3";\nimport "acme/other.proto";\nmessage A {}\n')


def test_import_missing_inside_a_reference_is_named_too() -> None:
    broken = ParsedProtobuf(
        'syntax = "proto3";\nimport "gone.proto";\n',
        (),
        compile_proto('syntax = "proto3";\n', {}),
    )
    with pytest.raises(SchemaReferenceError, match=r"gone\.proto"):
        FMT.parse('syntax = "proto3";\nimport "a.proto";\n', [ref("a.proto", broken)])


def test_cyclic_imports_are_invalid() -> None:
    empty = compile_proto('syntax = "proto3";\n', {})
    b = ParsedProtobuf('syntax = "proto3";\nimport "a.proto";\n', (), empty)
    a = ParsedProtobuf('syntax = "proto3";\nimport "b.proto";\n', (ref("b.proto", b),), empty)
    with pytest.raises(SchemaParseError, match="recursively imports itself"):
        FMT.parse('syntax = "proto3";\nimport "a.proto";\n', [ref("a.proto", a)])


def test_self_import_is_invalid() -> None:
    with pytest.raises(SchemaParseError, match="recursively imports itself"):
        FMT.parse('syntax = "proto3";\nimport "schema.proto";\n')


def test_reference_to_another_schema_type_is_refused() -> None:
    json_schema = JsonSchemaFormat().parse('{"type": "string"}')
    reference = ResolvedReference("a.proto", "a", 3, json_schema)
    with pytest.raises(SchemaReferenceError, match=r"'a.proto' \(a version 3\) is a JSON schema"):
        FMT.parse('syntax = "proto3";\nimport "a.proto";\n', [reference])


def test_one_import_path_with_two_different_schemas_is_refused() -> None:
    one = FMT.parse('syntax = "proto3";\nmessage A {}\n')
    two = FMT.parse('syntax = "proto3";\nmessage B {}\n')
    mid = FMT.parse('syntax = "proto3";\nimport "x.proto";\n', [ref("x.proto", one)])
    with pytest.raises(SchemaReferenceError, match="two different schemas"):
        FMT.parse(
            'syntax = "proto3";\nimport "x.proto";\nimport "m.proto";\n',
            [ref("x.proto", two, "x2"), ref("m.proto", mid)],
        )


def test_unsafe_reference_name_is_refused() -> None:
    target = FMT.parse('syntax = "proto3";\nmessage A {}\n')
    with pytest.raises(SchemaReferenceError, match="not a usable import path"):
        FMT.parse('syntax = "proto3";\nimport "../a.proto";\n', [ref("../a.proto", target)])


def test_serialized_descriptor_is_accepted_as_schema_text() -> None:
    dep = FMT.parse('syntax = "proto3";\npackage d;\nmessage D { int32 x = 1; }\n')
    original = FMT.parse(
        'syntax = "proto3";\npackage p;\nimport "d.proto";\n'
        "message M {\n  d.D dep = 1;\n  map<string, int64> counts = 2;\n}\n",
        [ref("d.proto", dep)],
    )
    text = base64.b64encode(original.file.SerializeToString()).decode()
    again = FMT.parse(text, [ref("d.proto", dep)])
    assert again.canonical == original.canonical
    assert again.file == original.file


def test_deep_nesting_is_a_clear_error_not_a_crash() -> None:
    depth = 10_000
    text = 'syntax = "proto3";\n' + "message M {\n" * depth + "}\n" * depth
    with pytest.raises(ProtoCompileError) as caught:
        FMT.parse(text)
    message = str(caught.value)
    assert "Reached maximum recursion limit for nested messages" in message
    # Thousands of repeated diagnostics are summarised rather than all echoed back.
    assert message.count(";") <= MAX_REPORTED_DIAGNOSTICS + 1
    assert len(message) < 2_000


def test_huge_schema_is_a_clear_error() -> None:
    fields = "".join(f"  int32 f{i} = {i + 1};\n" for i in range(70_000))
    with pytest.raises(ProtoCompileError, match="exceeds the limit of 65535"):
        FMT.parse(f'syntax = "proto3";\nmessage Wide {{\n{fields}}}\n')


def test_garbage_bytes_are_invalid_not_a_crash() -> None:
    with pytest.raises(SchemaParseError):
        FMT.parse("\x00\x01\x02 message { ;;; \ufffd")


def test_serialized_descriptor_with_a_bad_import_path_is_invalid() -> None:
    file = compile_proto('syntax = "proto3";\nmessage A {}\n', {}).file
    file.dependency.append('x.proto";\nmessage Injected {}\n//')
    text = base64.b64encode(file.SerializeToString()).decode()
    with pytest.raises(SchemaParseError, match="bad import path"):
        FMT.parse(text)
