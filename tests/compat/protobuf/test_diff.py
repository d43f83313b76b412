"""Rules of compat-rules §4.1 that the shared corpus does not pin down."""

from __future__ import annotations

from collections.abc import Mapping

import pytest

from compat.protobuf._compile import compile_proto
from compat.protobuf._diff import COMPATIBLE, MAX_REPEATED, Difference, compare
from compat.protobuf._diff_index import index
from compat.protobuf._diff_order import java_int_hash, java_set_order, java_string_hash

P3 = 'syntax = "proto3";\n'
P2 = 'syntax = "proto2";\n'


def diff(
    old: str,
    new: str,
    old_imports: Mapping[str, str] | None = None,
    new_imports: Mapping[str, str] | None = None,
) -> list[str]:
    """The differences of a backward check (original = old, update = new) as strings."""
    original = compile_proto(old, old_imports or {})
    update = compile_proto(new, new_imports or {})
    return [str(d) for d in compare(original, update)]


def breaking(differences: list[str]) -> list[str]:
    return [d for d in differences if d.split(" ")[0] not in COMPATIBLE]


# --- oneofs -----------------------------------------------------------------------------


def test_several_top_level_fields_moved_into_one_oneof() -> None:
    old = P3 + "message M { int32 a = 1; int32 b = 2; }"
    new = P3 + "message M { oneof o { int32 a = 1; int32 b = 2; } }"
    assert diff(old, new) == ["MULTIPLE_FIELDS_MOVED_TO_ONEOF #/M/o", "ONEOF_ADDED #/M/o"]


def test_one_field_moved_into_a_new_oneof_with_new_members_is_compatible() -> None:
    old = P3 + "message M { int32 a = 1; }"
    new = P3 + "message M { oneof o { int32 a = 1; string b = 2; } }"
    assert diff(old, new) == ["ONEOF_ADDED #/M/o", "ONEOF_FIELD_ADDED #/M/o/2"]


def test_two_oneofs_merged() -> None:
    old = P3 + "message M { oneof a { int32 x = 1; } oneof b { int32 y = 2; } }"
    new = P3 + "message M { oneof a { int32 x = 1; int32 y = 2; } }"
    assert diff(old, new) == ["FIELD_MOVED_TO_EXISTING_ONEOF #/M/a", "ONEOF_REMOVED #/M/b"]


def test_member_dropped_from_a_surviving_oneof_is_incompatible() -> None:
    old = P3 + "message M { oneof o { int32 a = 1; string b = 2; } }"
    new = P3 + "message M { oneof o { int32 a = 1; } }"
    assert diff(old, new) == ["ONEOF_FIELD_REMOVED #/M/o/2"]


def test_member_dropped_from_a_renamed_oneof_is_reported_at_the_old_oneof() -> None:
    old = P3 + "message M { oneof o { int32 a = 1; string b = 2; } }"
    new = P3 + "message M { oneof p { int32 a = 1; } }"
    assert diff(old, new) == [
        "ONEOF_REMOVED #/M/o",
        "ONEOF_ADDED #/M/p",
        "ONEOF_FIELD_REMOVED #/M/o/2",
    ]


def test_deleting_a_whole_oneof_is_compatible() -> None:
    old = P3 + "message M { int32 x = 5; oneof o { int32 a = 1; string b = 2; } }"
    new = P3 + "message M { int32 x = 5; }"
    assert diff(old, new) == ["ONEOF_REMOVED #/M/o"]


def test_field_type_change_inside_a_oneof_is_reported_at_the_member() -> None:
    old = P3 + "message M { oneof o { int32 a = 1; } }"
    new = P3 + "message M { oneof o { string a = 1; } }"
    assert diff(old, new) == ["FIELD_SCALAR_KIND_CHANGED #/M/o/1"]


def test_proto3_optional_is_a_label_not_a_oneof() -> None:
    old = P3 + "message M { int32 a = 1; string s = 2; }"
    new = P3 + "message M { optional int32 a = 1; optional string s = 2; }"
    assert diff(old, new) == []
    repeated = P3 + "message M { repeated int32 a = 1; optional string s = 2; }"
    assert diff(new, repeated) == ["FIELD_NUMERIC_LABEL_CHANGED #/M/1"]


# --- labels and scalar kinds ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        # A proto3 field without a label has none, so only written labels are compared.
        (P3 + "message M { int32 f = 1; }", P3 + "message M { repeated int32 f = 1; }", []),
        (
            P2 + "message M { required int32 f = 1; }",
            P2 + "message M { optional int32 f = 1; }",
            ["FIELD_NUMERIC_LABEL_CHANGED #/M/1"],
        ),
        (
            P2 + "message M { optional string f = 1; }",
            P2 + "message M { required string f = 1; }",
            ["FIELD_STRING_OR_BYTES_LABEL_CHANGED #/M/1"],
        ),
        (
            P2 + "enum E { A = 0; } message M { optional E f = 1; }",
            P2 + "enum E { A = 0; } message M { repeated E f = 1; }",
            ["FIELD_NUMERIC_LABEL_CHANGED #/M/1"],
        ),
        (
            P2 + "message N {} message M { optional N f = 1; }",
            P2 + "message N {} message M { repeated N f = 1; }",
            [],
        ),
        (
            P2 + "message M { optional int32 a = 1; }",
            P2 + "message M { optional int32 a = 1; required int32 b = 2; }",
            ["REQUIRED_FIELD_ADDED #/M/2"],
        ),
    ],
)
def test_labels(old: str, new: str, expected: list[str]) -> None:
    assert diff(old, new) == expected


@pytest.mark.parametrize(
    ("before", "after", "changed"),
    [
        ("uint32", "bool", False),
        ("sint32", "sint64", False),
        ("string", "bytes", False),
        ("sfixed32", "fixed32", False),
        ("sfixed64", "fixed64", False),
        ("int32", "sint32", True),
        ("float", "double", True),
        ("fixed32", "fixed64", True),
        ("bytes", "int64", True),
        ("double", "int64", True),
    ],
)
def test_scalar_groups(before: str, after: str, changed: bool) -> None:
    got = diff(P3 + f"message M {{ {before} f = 1; }}", P3 + f"message M {{ {after} f = 1; }}")
    assert got == (["FIELD_SCALAR_KIND_CHANGED #/M/1"] if changed else [])


@pytest.mark.parametrize(
    ("before", "after", "expected"),
    [
        ("int32", "N", ["FIELD_KIND_CHANGED #/M/1"]),
        ("E", "N", ["FIELD_KIND_CHANGED #/M/1"]),
        ("N", "map<string, N>", ["FIELD_KIND_CHANGED #/M/1"]),
        ("map<string, int32>", "map<string, sint32>", ["FIELD_SCALAR_KIND_CHANGED #/M/1"]),
        ("map<string, int32>", "map<int64, int32>", ["FIELD_SCALAR_KIND_CHANGED #/M/1"]),
        ("map<int32, E>", "map<int64, uint32>", []),
        ("map<string, N>", "map<string, O>", ["FIELD_NAMED_TYPE_CHANGED #/M/1"]),
        ("N", "O", ["FIELD_NAMED_TYPE_CHANGED #/M/1"]),
    ],
)
def test_kinds_maps_and_named_types(before: str, after: str, expected: list[str]) -> None:
    types = "enum E { E0 = 0; } message N { int32 x = 1; } message O { int32 x = 1; }\n"
    got = diff(
        P3 + types + f"message M {{ {before} f = 1; }}",
        P3 + types + f"message M {{ {after} f = 1; }}",
    )
    assert got == expected


def test_map_entries_are_not_messages() -> None:
    old = P3 + "message M { map<string, int32> m = 1; message A { int32 x = 1; } }"
    new = P3 + "message M { message A { int32 x = 1; } }"
    # Dropping the map drops protoc's synthetic entry message, which neither counts as a
    # removed message nor shifts the index of A.
    assert diff(old, new) == ["FIELD_REMOVED #/M/1"]
    assert diff(new, old) == ["FIELD_ADDED #/M/1"]


def test_renaming_a_field_is_compatible() -> None:
    old = P3 + "message M { int32 a = 1; }"
    new = P3 + "message M { int32 b = 1; }"
    assert diff(old, new) == ["FIELD_NAME_CHANGED #/M/1"]


def test_proto2_groups_are_not_compared() -> None:
    # Confluent's parser keeps groups outside a message's fields and nested types.
    old = P2 + "message G { optional group Foo = 1 { optional int32 x = 2; } }"
    new = P2 + "message G { optional group Foo = 1 { optional string x = 2; } }"
    assert diff(old, new) == []
    assert diff(old, P2 + "message G {}") == []


# --- packages, types and enums ------------------------------------------------------------


def test_package_added_is_a_change() -> None:
    assert diff(P3 + "message M {}", P3 + "package p;\nmessage M {}") == ["PACKAGE_CHANGED #/"]


def test_nested_messages_moved_and_removed() -> None:
    old = P3 + "message O { message A {} enum E { X = 0; } message B {} message C {} }"
    new = P3 + "message O { enum E { X = 0; } message B {} message A {} }"
    assert sorted(diff(old, new)) == [
        "MESSAGE_MOVED #/O/A",
        "MESSAGE_MOVED #/O/B",
        "MESSAGE_REMOVED #/O/C",
    ]


def test_enums_between_messages_do_not_change_message_indexes() -> None:
    old = P3 + "message A {} enum E { X = 0; } message B {}"
    new = P3 + "enum E { X = 0; } message A {} message B {}"
    assert diff(old, new) == []


def test_enum_constants_by_number() -> None:
    old = P3 + "enum E { A = 0; B = 1; C = 2; }"
    new = P3 + "enum E { A = 0; BEE = 1; D = 3; }"
    assert diff(old, new) == [
        "ENUM_CONST_CHANGED #/E/1",
        "ENUM_CONST_REMOVED #/E/2",
        "ENUM_CONST_ADDED #/E/3",
    ]
    assert not breaking(diff(old, new))


def test_enum_alias_compares_the_last_name_declared() -> None:
    old = P3 + "enum E { option allow_alias = true; A = 0; B = 1; C = 1; }"
    new = P3 + "enum E { A = 0; C = 1; }"
    assert diff(old, new) == []


def test_enum_constants_come_in_java_hash_order() -> None:
    # Java iterates a HashSet of Integers by bucket: -1 and 16 share bucket 0 with 0 and
    # come after it (inserted later), before 1 and 2.
    old = P3 + "enum E { A = 0; B = 1; }"
    new = P3 + "enum E { A = 0; B = 1; N = -1; S = 16; D = 2; }"
    assert diff(old, new) == [
        "ENUM_CONST_ADDED #/E/-1",
        "ENUM_CONST_ADDED #/E/16",
        "ENUM_CONST_ADDED #/E/2",
    ]


def test_enum_removed_and_message_removed() -> None:
    old = P3 + "enum E { A = 0; } message M {} message N {}"
    new = P3 + "message M {}"
    found = diff(old, new)
    assert found == ["MESSAGE_REMOVED #/N", "ENUM_REMOVED #/E"]
    assert breaking(found) == ["MESSAGE_REMOVED #/N"]


# --- recursion and imports ----------------------------------------------------------------

TREE = P3 + "package t;\nmessage Tree {{ repeated Tree children = 1; {value} value = 2; }}\n"
HOLDER = P3 + 'import "tree.proto";\nmessage Holder {{ {fields} }}\n'


def test_recursive_local_message_terminates() -> None:
    old = P3 + "message Node { Node next = 1; int32 v = 2; map<string, Node> m = 3; }"
    new = P3 + "message Node { Node next = 1; string v = 2; map<string, Node> m = 3; }"
    assert diff(old, new) == ["FIELD_SCALAR_KIND_CHANGED #/Node/2"]


def test_recursive_imported_message_is_compared_once_per_field() -> None:
    holder = HOLDER.format(fields="t.Tree root = 1;")
    found = diff(
        holder,
        holder,
        {"tree.proto": TREE.format(value="int32")},
        {"tree.proto": TREE.format(value="string")},
    )
    assert found == ["FIELD_SCALAR_KIND_CHANGED #/Tree/2", "FIELD_NAMED_TYPE_CHANGED #/Holder/1"]


def test_imported_differences_repeat_for_every_field_as_confluent_does() -> None:
    holder = HOLDER.format(fields="t.Tree a = 1; t.Tree b = 2;")
    found = diff(
        holder,
        holder,
        {"tree.proto": TREE.format(value="int32")},
        {"tree.proto": TREE.format(value="string")},
    )
    assert found == [
        "FIELD_SCALAR_KIND_CHANGED #/Tree/2",
        "FIELD_NAMED_TYPE_CHANGED #/Holder/1",
        "FIELD_SCALAR_KIND_CHANGED #/Tree/2",
        "FIELD_NAMED_TYPE_CHANGED #/Holder/2",
    ]


def test_compatible_imported_change_is_listed_without_a_type_change() -> None:
    holder = HOLDER.format(fields="t.Tree root = 1;")
    old_tree = TREE.format(value="int32")
    new_tree = old_tree.replace("}\n", "string label = 3; }\n")
    found = diff(holder, holder, {"tree.proto": old_tree}, {"tree.proto": new_tree})
    assert found == ["FIELD_ADDED #/Tree/3"]


def test_mutually_recursive_imported_messages() -> None:
    pair = (
        P3
        + "package m;\nmessage A {{ B b = 1; int32 x = 2; }}\nmessage B {{ A a = 1; {s} s = 2; }}"
    )
    holder = P3 + 'import "pair.proto";\nmessage Holder { m.A a = 1; }'
    found = diff(
        holder,
        holder,
        {"pair.proto": pair.format(s="int32")},
        {"pair.proto": pair.format(s="string")},
    )
    assert found == [
        "FIELD_SCALAR_KIND_CHANGED #/B/2",
        "FIELD_NAMED_TYPE_CHANGED #/A/1",
        "FIELD_NAMED_TYPE_CHANGED #/Holder/1",
    ]


def test_types_imported_indirectly_are_compared() -> None:
    c = P3 + "package c;\nmessage C {{ {t} v = 1; }}"
    b = P3 + 'package b;\nimport "c.proto";\nmessage B { c.C c = 1; }'
    holder = P3 + 'import "b.proto";\nmessage Holder { b.B b = 1; }'
    found = diff(
        holder,
        holder,
        {"b.proto": b, "c.proto": c.format(t="int32")},
        {"b.proto": b, "c.proto": c.format(t="double")},
    )
    assert found == [
        "FIELD_SCALAR_KIND_CHANGED #/C/1",
        "FIELD_NAMED_TYPE_CHANGED #/B/1",
        "FIELD_NAMED_TYPE_CHANGED #/Holder/1",
    ]


def test_nested_imported_type_is_reported_at_its_local_path() -> None:
    dep = P3 + "package x.y;\nmessage Outer {{ message In {{ {t} v = 1; }} }}"
    holder = P3 + 'import "dep.proto";\nmessage H { x.y.Outer.In f = 7; }'
    found = diff(
        holder, holder, {"dep.proto": dep.format(t="int32")}, {"dep.proto": dep.format(t="bytes")}
    )
    assert found == ["FIELD_SCALAR_KIND_CHANGED #/Outer/In/1", "FIELD_NAMED_TYPE_CHANGED #/H/7"]


def test_local_type_replaced_by_an_imported_one_with_the_same_name() -> None:
    old = P3 + "package p;\nmessage H { Money m = 1; }\nmessage Money { int64 units = 1; }"
    money = P3 + "package q;\nmessage Money { int64 units = 1; }"
    new = P3 + 'package p;\nimport "money.proto";\nmessage H { q.Money m = 1; }'
    assert diff(old, new, {}, {"money.proto": money}) == ["MESSAGE_REMOVED #/Money"]
    changed = money.replace("int64", "string")
    assert sorted(diff(old, new, {}, {"money.proto": changed})) == [
        "FIELD_NAMED_TYPE_CHANGED #/H/1",
        "FIELD_SCALAR_KIND_CHANGED #/Money/1",
        "MESSAGE_REMOVED #/Money",
    ]


def test_well_known_types_resolve_without_imports() -> None:
    schema = P3 + 'import "google/protobuf/{f}.proto";\nmessage M {{ google.protobuf.{t} at = 1; }}'
    timestamp = schema.format(f="timestamp", t="Timestamp")
    assert diff(timestamp, timestamp) == []
    duration = schema.format(f="duration", t="Duration")
    assert diff(timestamp, duration) == ["FIELD_NAMED_TYPE_CHANGED #/M/1"]


def test_shared_imported_types_stay_bounded() -> None:
    # Every level uses the next one twice, so Confluent's repeats double at each level; the
    # list stops repeating past MAX_REPEATED and the comparison stays linear.
    depth = 30

    def dep(leaf: str) -> str:
        levels = [f"message L{k} {{ L{k + 1} a = 1; L{k + 1} b = 2; }}" for k in range(depth)]
        return P3 + "package d;\n" + "\n".join([*levels, f"message L{depth} {{ {leaf} v = 1; }}"])

    holder = P3 + 'import "dep.proto";\nmessage H { d.L0 root = 1; }'
    found = diff(holder, holder, {"dep.proto": dep("int32")}, {"dep.proto": dep("string")})
    assert len(found) <= 2 * MAX_REPEATED
    assert set(found) == {
        f"FIELD_SCALAR_KIND_CHANGED #/L{depth}/1",
        "FIELD_NAMED_TYPE_CHANGED #/H/1",
        *(f"FIELD_NAMED_TYPE_CHANGED #/L{k}/{t}" for k in range(depth) for t in (1, 2)),
    }


def test_long_chains_of_imported_types_do_not_exhaust_the_stack() -> None:
    depth = 400

    def dep(leaf: str) -> str:
        levels = [f"message L{k} {{ L{k + 1} next = 1; }}" for k in range(depth)]
        return P3 + "package d;\n" + "\n".join([*levels, f"message L{depth} {{ {leaf} v = 1; }}"])

    holder = P3 + 'import "dep.proto";\nmessage H { d.L0 root = 1; }'
    found = diff(holder, holder, {"dep.proto": dep("int32")}, {"dep.proto": dep("string")})
    assert found[0] == f"FIELD_SCALAR_KIND_CHANGED #/L{depth}/1"
    assert found[1:] == [f"FIELD_NAMED_TYPE_CHANGED #/L{k}/1" for k in reversed(range(depth))] + [
        "FIELD_NAMED_TYPE_CHANGED #/H/1"
    ]


def test_cycles_through_fields_and_nesting() -> None:
    side = index(
        compile_proto(
            P3 + "message A { B b = 1; } message B { A a = 1; C c = 2; }"
            "message C { int32 x = 1; message D { C c = 1; } } message E { E e = 1; }",
            {},
        )
    )
    assert side.cycle("A") == {"A", "B"}
    assert side.cycle("C") == side.cycle("C.D") == {"C", "C.D"}
    assert side.cycle("E") == {"E"}


# --- Java iteration order -----------------------------------------------------------------


def test_java_hash_codes() -> None:
    assert java_string_hash("") == 0
    assert java_string_hash("hello") == 99162322
    assert java_string_hash("Aa") == java_string_hash("BB") == 2112
    assert java_int_hash(-1) == 0xFFFFFFFF


def test_java_set_order_keeps_insertion_order_within_a_bucket() -> None:
    assert java_set_order(["BB"], ["Aa"], java_string_hash) == ["BB", "Aa"]
    assert java_set_order(["Aa", "BB"], [], java_string_hash) == ["Aa", "BB"]
    assert java_set_order([], ["BB", "Aa"], java_string_hash) == ["BB", "Aa"]


def test_java_set_order_grows_the_table() -> None:
    # 17 and 1 share a bucket of a 16-slot table but not of the 32-slot table that 13
    # keys need, where 17 moves after 1.
    small = java_set_order([17, 1], [], java_int_hash)
    large = java_set_order([17, 1], list(range(100, 111)), java_int_hash)
    assert small == [17, 1]
    assert large.index(1) < large.index(17)


def test_compare_is_pure_and_repeatable() -> None:
    old = compile_proto(P3 + "package a;\nmessage M { int32 a = 1; map<string, M> m = 2; }", {})
    new = compile_proto(P3 + "package b;\nmessage M { string a = 1; }", {})
    before = (old.file.SerializeToString(), new.file.SerializeToString())
    first = compare(old, new)
    assert compare(old, new) == first
    assert (old.file.SerializeToString(), new.file.SerializeToString()) == before
    assert [str(d) for d in first] == [
        "PACKAGE_CHANGED #/",
        "FIELD_SCALAR_KIND_CHANGED #/M/1",
        "FIELD_REMOVED #/M/2",
    ]


def test_difference_renders_as_type_and_path() -> None:
    assert str(Difference("FIELD_ADDED", "#/M/1")) == "FIELD_ADDED #/M/1"
