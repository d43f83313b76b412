"""Canonical and normalised `.proto` text, and the `serialized` / `ignore_extensions` views."""

from __future__ import annotations

import base64
import json
from types import MappingProxyType
from typing import Any

import pytest
from google.protobuf.descriptor_pb2 import DescriptorProto, FileDescriptorProto

from compat.formats import ResolvedReference
from compat.protobuf import ParsedProtobuf, ProtobufFormat, compile_proto, message_index
from compat.protobuf._render import render
from compat.protobuf._spelling import Role, Spellings, written_spellings
from tests.corpus import CASES_DIR

FMT = ProtobufFormat()
CORPUS = CASES_DIR / "protobuf.json"


def _comparable_message(message: DescriptorProto) -> None:
    """Put a message in the order the canonical layout produces (which changes no meaning).

    Fields are listed by number and oneofs by name: the text prints plain fields before
    oneofs, and normalisation sorts oneofs, so a compiled copy may list them in another order
    than the original did. Nested types keep their order (message indexes depend on it).
    """
    oneofs = sorted(range(len(message.oneof_decl)), key=lambda i: message.oneof_decl[i].name)
    renumber = {old: new for new, old in enumerate(oneofs)}
    decls = [message.oneof_decl[i] for i in oneofs]
    fields = sorted(message.field, key=lambda f: f.number)
    for field in fields:
        if field.HasField("oneof_index"):
            field.oneof_index = renumber[field.oneof_index]
    del message.oneof_decl[:]
    message.oneof_decl.extend(decls)
    del message.field[:]
    message.field.extend(fields)
    for inner in message.nested_type:
        _comparable_message(inner)


def comparable(file: FileDescriptorProto) -> FileDescriptorProto:
    """A copy of `file` without its name, with messages in a canonical member order."""
    copy = FileDescriptorProto()
    copy.CopyFrom(file)
    copy.ClearField("name")
    for message in copy.message_type:
        _comparable_message(message)
    return copy


def _references(entries: list[dict[str, Any]]) -> list[ResolvedReference]:
    resolved: list[ResolvedReference] = []
    for entry in entries:
        if "schema" not in entry:
            continue  # a well-known import, built in
        schema = FMT.parse(entry["schema"], list(resolved))
        resolved.append(
            ResolvedReference(entry["name"], entry["subject"], entry["version"], schema)
        )
    return resolved


def _corpus_schemas() -> list[Any]:
    cases = json.loads(CORPUS.read_text())
    params = []
    for case in cases:
        for side in ("old", "new"):
            params.append(
                pytest.param(
                    case[side],
                    case.get(f"{side}_references", []),
                    id=f"{case['name'][:60]}-{side}",
                )
            )
    return params


def _round_trip(parsed: ParsedProtobuf, refs: list[ResolvedReference], *, normalize: bool) -> None:
    again = FMT.parse(parsed.canonical, refs, normalize=normalize)
    assert again.canonical == parsed.canonical
    # What a registry holds after reading its log back is what it held after registering.
    assert again.file == parsed.file


@pytest.mark.parametrize(("text", "reference_entries"), _corpus_schemas())
def test_corpus_schema_text_round_trips_through_protoc(
    text: str, reference_entries: list[dict[str, Any]]
) -> None:
    refs = _references(reference_entries)
    parsed = FMT.parse(text, refs)
    original = compile_proto(text, {r.name: r.schema.canonical for r in refs})
    assert comparable(parsed.file) == comparable(original.file)
    _round_trip(parsed, refs, normalize=False)
    normalized = FMT.parse(text, refs, normalize=True)
    _round_trip(normalized, refs, normalize=True)
    assert comparable(normalized.file) == comparable(parsed.file)


FULL = """\
// A comment that the canonical text drops.
syntax = "proto3";
package shop.v1;
import "google/protobuf/timestamp.proto";
import "google/protobuf/descriptor.proto";
option java_package = "com.example.shop";
option java_multiple_files = true;
extend google.protobuf.FieldOptions { string label = 50001; }
enum Channel { CHANNEL_UNSPECIFIED = 0; WEB = 1; }
message Order {
  enum State { STATE_UNSPECIFIED = 0; OPEN = 1; }
  oneof payment { string card = 10; string voucher = 11; }
  string id = 1 [(label) = "Order id"];
  repeated Line lines = 2;
  map<string, Line> by_sku = 3;
  google.protobuf.Timestamp placed = 4;
  optional State state = 5 [json_name = "orderState"];
  reserved 6, 8 to 9;
  reserved "old";
  message Line { string sku = 1; int32 qty = 2; }
}
service Orders {
  rpc Place (Order) returns (Order.Line);
}
"""

FULL_CANONICAL = """\
syntax = "proto3";
package shop.v1;

import "google/protobuf/timestamp.proto";
import "google/protobuf/descriptor.proto";

option java_package = "com.example.shop";
option java_multiple_files = true;

message Order {
  reserved 6, 8 to 9;
  reserved "old";

  string id = 1 [(label) = "Order id"];
  repeated Line lines = 2;
  map<string, Line> by_sku = 3;
  google.protobuf.Timestamp placed = 4;
  optional State state = 5 [json_name = "orderState"];

  oneof payment {
    string card = 10;
    string voucher = 11;
  }

  message Line {
    string sku = 1;
    int32 qty = 2;
  }
  enum State {
    STATE_UNSPECIFIED = 0;
    OPEN = 1;
  }
}
enum Channel {
  CHANNEL_UNSPECIFIED = 0;
  WEB = 1;
}

extend google.protobuf.FieldOptions {
  string label = 50001;
}

service Orders {
  rpc Place (Order) returns (Order.Line);
}
"""


def test_canonical_text_follows_confluents_layout() -> None:
    parsed = FMT.parse(FULL)
    assert parsed.canonical == FULL_CANONICAL


NESTED_FIRST = """\
syntax = "proto3";
package idx;
message Outer {
  message First { int32 a = 1; }
  map<string, First> by_name = 1;
  message Second { int32 b = 1; }
  oneof pick { First first = 2; Second second = 3; }
  repeated Second seconds = 4;
}
"""


def test_layout_keeps_nested_type_order_for_message_indexes() -> None:
    parsed = FMT.parse(NESTED_FIRST)
    original = compile_proto(NESTED_FIRST, {})
    names = [n.name for n in original.file.message_type[0].nested_type]
    assert names == ["First", "ByNameEntry", "Second"]
    assert [n.name for n in parsed.file.message_type[0].nested_type] == names
    for full_name in ("idx.Outer.First", "idx.Outer.Second"):
        assert message_index(parsed.file, full_name) == message_index(original.file, full_name)
    assert parsed.canonical.endswith(
        "message Outer {\n"
        "  message First {\n    int32 a = 1;\n  }\n"
        "\n"
        "  map<string, First> by_name = 1;\n"
        "  oneof pick {\n    First first = 2;\n    Second second = 3;\n  }\n"
        "  repeated Second seconds = 4;\n"
        "\n"
        "  message Second {\n    int32 b = 1;\n  }\n"
        "}\n"
    )
    _round_trip(parsed, [], normalize=False)
    _round_trip(FMT.parse(NESTED_FIRST, normalize=True), [], normalize=True)


def test_normalized_text_sorts_and_qualifies() -> None:
    normalized = FMT.parse(FULL, normalize=True).canonical
    assert normalized.index('import "google/protobuf/descriptor.proto"') < normalized.index(
        'import "google/protobuf/timestamp.proto"'
    )
    assert normalized.index("option java_multiple_files") < normalized.index("option java_package")
    assert "  repeated .shop.v1.Order.Line lines = 2;\n" in normalized
    assert "  map<string, .shop.v1.Order.Line> by_sku = 3;\n" in normalized
    assert '  reserved 6;\n  reserved 8 to 9;\n  reserved "old";\n' in normalized
    assert "rpc Place (.shop.v1.Order) returns (.shop.v1.Order.Line);" in normalized


ONE = (
    'syntax = "proto3";\npackage p;\nimport "google/protobuf/timestamp.proto";\n'
    'import "google/protobuf/duration.proto";\n'
    'message M {\n  int32 b = 2 [deprecated = true, json_name = "bee"];\n'
    "  google.protobuf.Timestamp a = 1;\n  oneof o { string y = 4; string x = 3; }\n}\n"
)
TWO = (
    "// reordered, comments and spacing differ\n"
    'syntax = "proto3"; package p;\n'
    'import "google/protobuf/duration.proto"; import "google/protobuf/timestamp.proto";\n'
    "message M { oneof o { string x = 3; string y = 4; }\n"
    "  .google.protobuf.Timestamp a = 1;\n"
    '  int32 b = 2 [json_name = "bee", deprecated = true]; }\n'
)


def test_equal_schemas_written_differently_normalize_to_one_text() -> None:
    assert FMT.parse(ONE, normalize=True).canonical == FMT.parse(TWO, normalize=True).canonical
    # Without normalisation declaration order is kept, so the texts differ.
    assert FMT.parse(ONE).canonical != FMT.parse(TWO).canonical


def test_plain_canonical_keeps_field_declaration_order() -> None:
    text = 'syntax = "proto3";\nmessage M {\n  int32 b = 2;\n  int32 a = 1;\n}\n'
    assert FMT.parse(text).canonical == 'syntax = "proto3";\n\n' + text.split("\n", 1)[1]
    assert "  int32 a = 1;\n  int32 b = 2;\n" in FMT.parse(text, normalize=True).canonical


def test_names_from_a_descriptor_are_written_in_their_shortest_resolving_form() -> None:
    text = (
        'syntax = "proto3";\npackage a.b;\n'
        "message Outer {\n"
        "  message Inner { int32 v = 1; }\n"
        "  .a.b.Outer.Inner one = 1;\n"
        "  Other other = 2;\n"
        "}\n"
        "message Other {\n"
        "  message Inner { string s = 1; }\n"
        "  .a.b.Outer.Inner theirs = 1;\n"
        "  Inner mine = 2;\n"
        "}\n"
    )
    # A serialized descriptor keeps no spelling, only fully-qualified names.
    serialized = base64.b64encode(compile_proto(text, {}).file.SerializeToString()).decode()
    canonical = FMT.parse(serialized).canonical
    assert "  Inner one = 1;\n  Other other = 2;\n" in canonical
    # Inside Other, plain `Inner` means Other.Inner, so Outer's needs its qualifier.
    assert "  Outer.Inner theirs = 1;\n  Inner mine = 2;\n" in canonical
    _round_trip(FMT.parse(text), [], normalize=False)


AUTHOR_SPELLINGS = """\
syntax = "proto2";
package acc.x;
import "google/protobuf/timestamp.proto";
import "shared/money.proto";
message Ref { optional string a = 1; extensions 100 to 199; }
message M {
  optional .acc.x.Ref full = 1;
  optional Ref relative = 2;
  optional x.Ref partial = 3;
  optional acc . x.Ref spaced = 4;
  map<string, .acc.x.Ref> by_key = 5;
  map<string, x.Ref> by_key_partial = 6;
  optional google.protobuf.Timestamp at = 7;
  optional .google.protobuf.Timestamp at_full = 8;
  optional .shared.Money price = 9;
  optional shared.Money cost = 10;
  optional Money not_visible_here = 11;
  oneof choice { .acc.x.Ref one = 12; M.Inner two = 13; }
  optional group Extra = 14 { optional .acc.x.M.Inner deep = 1; }
  message Inner { optional .acc.x.Ref back = 1; optional Inner self = 2; }
  extend .acc.x.Ref { optional x.M nested_ext = 150; }
}
extend x.Ref { optional .shared.Money top_ext = 100; }
service S { rpc Get (stream .acc.x.Ref) returns (x.M) { option deprecated = true; } }
"""
SHARED_MONEY = 'syntax = "proto2";\npackage shared;\nmessage Money { optional int64 units = 1; }\n'


def _shared_money() -> list[ResolvedReference]:
    money = FMT.parse(SHARED_MONEY)
    return [ResolvedReference("shared/money.proto", "money", 1, money)]


def test_type_references_keep_the_authors_spelling() -> None:
    # `Money` alone does not resolve from acc.x: the scanner's guess is not used for it.
    text = AUTHOR_SPELLINGS.replace("  optional Money not_visible_here = 11;\n", "")
    refs = _shared_money()
    canonical = FMT.parse(text, refs).canonical
    for line in [
        "  optional .acc.x.Ref full = 1;\n",
        "  optional Ref relative = 2;\n",
        "  optional x.Ref partial = 3;\n",
        "  optional acc.x.Ref spaced = 4;\n",
        "  map<string, .acc.x.Ref> by_key = 5;\n",
        "  map<string, x.Ref> by_key_partial = 6;\n",
        "  optional google.protobuf.Timestamp at = 7;\n",
        "  optional .google.protobuf.Timestamp at_full = 8;\n",
        "  optional .shared.Money price = 9;\n",
        "  optional shared.Money cost = 10;\n",
        "    .acc.x.Ref one = 12;\n    M.Inner two = 13;\n",
        "    optional .acc.x.M.Inner deep = 1;\n",
        "    optional .acc.x.Ref back = 1;\n    optional Inner self = 2;\n",
        "  extend .acc.x.Ref {\n    optional x.M nested_ext = 150;\n",
        "extend x.Ref {\n  optional .shared.Money top_ext = 100;\n",
        "  rpc Get (stream .acc.x.Ref) returns (x.M) {\n",
    ]:
        assert line in canonical, line
    # The stored text parses back to itself, with the same descriptors.
    again = FMT.parse(canonical, refs)
    assert again.canonical == canonical
    assert comparable(again.file) == comparable(FMT.parse(text, refs).file)


def test_normalizing_still_qualifies_every_type_reference() -> None:
    text = AUTHOR_SPELLINGS.replace("  optional Money not_visible_here = 11;\n", "")
    canonical = FMT.parse(text, _shared_money(), normalize=True).canonical
    assert "  optional .acc.x.Ref partial = 3;\n" in canonical
    assert "  optional .shared.Money cost = 10;\n" in canonical
    assert "rpc Get (stream .acc.x.Ref) returns (.acc.x.M)" in canonical
    plain = FMT.parse(text.replace("x.Ref partial", "Ref partial"), _shared_money())
    assert FMT.parse(plain.canonical, _shared_money(), normalize=True).canonical == canonical


def test_a_spelling_that_does_not_resolve_there_is_replaced_by_the_shortest_name() -> None:
    text = (
        'syntax = "proto3";\npackage p;\nmessage Ref { string a = 1; }\nmessage M { Ref f = 1; }\n'
    )
    compiled = compile_proto(text, {})
    wrong = Spellings(MappingProxyType({(Role.TYPE, "p.M.f"): "M"}))
    assert "  Ref f = 1;\n" in render(compiled, spellings=wrong)
    right = Spellings(MappingProxyType({(Role.TYPE, "p.M.f"): "p.Ref"}))
    assert "  p.Ref f = 1;\n" in render(compiled, spellings=right)


def test_spellings_are_found_past_comments_strings_and_option_blocks() -> None:
    text = (
        'syntax = "proto3";\npackage p; // message Fake { Wrong f = 1; }\n'
        'import "google/protobuf/descriptor.proto";\n'
        "extend google.protobuf.FieldOptions { optional string tag = 50000; }\n"
        "extend google.protobuf.MessageOptions { optional string box = 50000; }\n"
        "message Ref { string a = 1; }\n"
        "/* message M { Wrong g = 1; } */\n"
        "message M {\n"
        '  option deprecated = true; reserved "x}", "y";\n'
        "  enum E { A = 0; B = 1 [deprecated = true]; }\n"
        '  message Box { option (p.box) = "};"; }\n'
        '  .p.Ref g = 1 [(.p.tag) = "{", deprecated = true];\n'
        "  ;\n"
        "  p.M.E e = 2;\n"
        "}\n"
    )
    spellings = written_spellings(text)
    assert spellings.get(Role.TYPE, "p.M.g") == ".p.Ref"
    assert spellings.get(Role.TYPE, "p.M.e") == "p.M.E"
    assert spellings.get(Role.EXTENDEE, "p.tag") == "google.protobuf.FieldOptions"
    assert spellings.get(Role.TYPE, "p.Fake.f") is None
    canonical = FMT.parse(text).canonical
    assert "  .p.Ref g = 1 [" in canonical
    assert "  p.M.E e = 2;\n" in canonical


PROTO2 = """\
syntax = "proto2";
package legacy;
import "google/protobuf/descriptor.proto";
message Meta { optional string doc = 1; repeated int32 ids = 2; }
extend google.protobuf.MessageOptions { optional Meta meta = 51000; }
message Old {
  option (meta) = { doc: "line \\"one\\"\\n" ids: [1, 2] };
  required int64 id = 1;
  optional string name = 2 [default = "n/a"];
  optional bytes blob = 3 [default = "\\001\\377"];
  optional double ratio = 4 [default = inf];
  optional Kind kind = 5 [default = SECOND];
  repeated int32 packed_ids = 6 [packed = true];
  optional group Extra = 7 { optional int32 level = 1; }
  extensions 100 to 199, 1000 to max;
  enum Kind { FIRST = 1; SECOND = 2; reserved 10 to 20; }
  extend Old { optional string note = 150; }
}
"""


def test_proto2_features_round_trip() -> None:
    parsed = FMT.parse(PROTO2)
    canonical = parsed.canonical
    assert 'optional string name = 2 [default = "n/a"];' in canonical
    assert 'optional bytes blob = 3 [default = "\\001\\377"];' in canonical
    assert "optional Kind kind = 5 [default = SECOND];" in canonical
    assert "optional group Extra = 7 {\n    optional int32 level = 1;\n  }" in canonical
    assert "extensions 100 to 199;\n  extensions 1000 to max;\n" in canonical
    assert "reserved 10 to 20;" in canonical
    assert "extend Old {\n    optional string note = 150;\n  }" in canonical
    assert 'option (meta) = {\n    doc: "line \\"one\\"\\n",\n' in canonical
    assert comparable(parsed.file) == comparable(compile_proto(PROTO2, {}).file)
    _round_trip(parsed, [], normalize=False)
    _round_trip(FMT.parse(PROTO2, normalize=True), [], normalize=True)


def test_references_round_trip_with_their_imports() -> None:
    dep = FMT.parse('syntax = "proto3";\npackage dep;\nmessage D { int32 x = 1; }\n')
    refs = [ResolvedReference("dep/d.proto", "dep", 1, dep)]
    parsed = FMT.parse(
        'syntax = "proto3";\npackage main;\nimport "dep/d.proto";\n'
        "message M { dep.D d = 1; map<int32, dep.D> ds = 2; }\n",
        refs,
    )
    assert "  map<int32, dep.D> ds = 2;\n" in parsed.canonical
    _round_trip(parsed, refs, normalize=False)


def test_serialized_view_is_the_base64_descriptor() -> None:
    parsed = FMT.parse(FULL)
    view = FMT.render(parsed, "serialized")
    assert view is not None
    decoded = FileDescriptorProto.FromString(base64.b64decode(view))
    assert decoded == parsed.file
    assert FMT.render(parsed, " SERIALIZED ") == view


def test_ignore_extensions_view_drops_custom_options_and_extensions() -> None:
    parsed = FMT.parse(PROTO2)
    view = FMT.render(parsed, "ignore_extensions")
    assert view is not None
    assert "(meta)" not in view
    assert "extend " not in view
    assert "extensions " not in view
    assert '[default = "n/a"]' in view  # built-in options stay
    compiled = compile_proto(view, {})
    assert [m.name for m in compiled.file.message_type] == ["Meta", "Old"]
    assert not compiled.file.extension


def test_ignore_extensions_view_keeps_confluents_own_options() -> None:
    parsed = FMT.parse(
        'syntax = "proto3";\nimport "confluent/meta.proto";\n'
        'import "google/protobuf/descriptor.proto";\n'
        "extend google.protobuf.FieldOptions { string label = 50001; }\n"
        'message A {\n  int32 x = 1 [(label) = "x", (confluent.field_meta) = { doc: "d" }];\n}\n'
    )
    view = FMT.render(parsed, "ignore_extensions")
    assert view is not None
    assert "(label)" not in view
    assert '  int32 x = 1 [(confluent.field_meta) = {\n    doc: "d"\n  }];\n' in view


def test_normalized_form_details() -> None:
    text = (
        'syntax = "proto2";\npackage n;\nimport "google/protobuf/descriptor.proto";\n'
        "extend google.protobuf.FieldOptions { optional string b = 50002; }\n"
        "extend google.protobuf.MessageOptions { optional string m = 50003; }\n"
        "extend google.protobuf.FieldOptions { optional string a = 50001; }\n"
        "message M {\n  extensions 300 to max, 100 to 100;\n  reserved 7 to 7, 2;\n"
        '  optional int32 x = 1 [(b) = "2", (a) = "1"];\n}\n'
    )
    normalized = FMT.parse(text, normalize=True).canonical
    assert normalized.startswith("package n;\n")  # no syntax line for proto2
    assert "  reserved 2;\n  reserved 7;\n" in normalized
    assert "  extensions 100;\n  extensions 300 to max;\n" in normalized
    assert '[\n    (n.a) = "1",\n    (n.b) = "2"\n  ]' in normalized
    assert (
        "extend .google.protobuf.FieldOptions {\n"
        "  optional string a = 50001;\n  optional string b = 50002;\n}\n"
        "extend .google.protobuf.MessageOptions {\n"
    ) in normalized
    again = FMT.parse(normalized, normalize=True)
    assert again.canonical == normalized


def test_unknown_view_is_none() -> None:
    parsed = FMT.parse(FULL)
    assert FMT.render(parsed, "resolved") is None
    assert FMT.render(parsed, "") is None


def test_custom_options_print_even_when_the_runtime_knows_their_extension() -> None:
    # confluent-kafka's Protobuf serdes register Confluent's meta options in the default
    # descriptor pool; the options then parse as known extensions, not unknown fields.
    pytest.importorskip("confluent_kafka.schema_registry.protobuf")
    parsed = FMT.parse(
        'syntax = "proto3";\nimport "confluent/meta.proto";\n'
        'message A {\n  int32 x = 1 [(confluent.field_meta) = { doc: "d" }];\n}\n'
    )
    assert '  int32 x = 1 [(confluent.field_meta) = {\n    doc: "d"\n  }];\n' in parsed.canonical


@pytest.mark.parametrize(
    "text",
    [
        # A field named like the package, and one named like its type.
        'syntax = "proto3";\npackage foo;\nmessage Bar { int32 x = 1; }\n'
        "message A { foo.Bar foo = 1; Bar Bar = 2; }\n",
        # A nested type shadowing a top-level one of the same name.
        'syntax = "proto3";\nmessage A { message A { int32 x = 1; } A a = 1; .A b = 2; }\n',
        # A message named like the last package component.
        'syntax = "proto3";\npackage a.b.c;\nmessage c { int32 x = 1; }\n'
        "message M { c one = 1; a.b.c.c two = 2; }\n",
        # Groups, also inside a oneof.
        'syntax = "proto2";\nmessage A { optional group G = 1 { optional int32 x = 2; }\n'
        "  oneof o { group H = 3 { optional int32 y = 4; } } }\n",
        # No syntax line; escaped and special default values.
        'message D { optional string s = 1 [default = "a\\"b\\\\c\\x01"];\n'
        "  optional float f = 2 [default = -inf]; optional float g = 3 [default = 1e10]; }\n",
        'syntax = "proto3";\nenum E { option allow_alias = true; A = 0; B = 0; }\n'
        "message M { E e = 1; }\n",
        'syntax = "proto3";\nimport public "google/protobuf/timestamp.proto";\n'
        "message M { google.protobuf.Timestamp t = 1; }\n",
        # Repeated, floating-point and bytes custom options on the file.
        'syntax = "proto3";\nimport "google/protobuf/descriptor.proto";\n'
        "extend google.protobuf.FileOptions {\n"
        "  repeated int32 nums = 50000; double d = 50001; bytes b = 50002; }\n"
        'option (nums) = 1;\noption (nums) = 2;\noption (d) = 0.1;\noption (b) = "\\000\\001x";\n'
        "message M {}\n",
    ],
)
def test_tricky_schemas_round_trip(text: str) -> None:
    parsed = FMT.parse(text)
    assert comparable(parsed.file) == comparable(compile_proto(text, {}).file)
    _round_trip(parsed, [], normalize=False)
    _round_trip(FMT.parse(text, normalize=True), [], normalize=True)
