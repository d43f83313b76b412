"""Parser complaints restated for the command line: the user's file, the `-r` that fixes it."""

from __future__ import annotations

from cli.parse_errors import explain, missing_reference, registry_reason


def test_the_compilers_file_name_becomes_the_users() -> None:
    text = explain('Invalid schema: schema.proto:4:55: Expected ";".', "protos/order.proto")
    assert text == 'Invalid schema: protos/order.proto:4:55: Expected ";".'
    # An import that merely ends in schema.proto is the user's own name: left alone.
    kept = "Invalid schema: acme/schema.proto:1:1: oops"
    assert explain(kept, "order.proto") == kept


def test_each_formats_missing_reference_is_recognised() -> None:
    assert missing_reference("unknown type 'com.acme.Money': no ...") == "com.acme.Money"
    assert missing_reference('the import "acme/money.proto" was not found') == "acme/money.proto"
    assert missing_reference("cannot resolve the $ref 'money.json#/defs/m'") == "money.json"
    assert missing_reference("Expected ';'") is None


def test_the_hint_offers_files_only_where_the_command_takes_them() -> None:
    message = "Invalid schema at /fields/0/type: unknown type 'a.Money'"
    offline = explain(message, "x.avsc")
    assert "-r a.Money=PATH" in offline
    assert "-r a.Money=@SUBJECT:VERSION" in offline
    assert "=PATH" not in explain(message, "x.avsc", files=False)


def test_the_echoed_schema_is_cut_from_a_registry_message() -> None:
    message = 'Invalid schema {"type": "record",\n "doc": "x"}, details: unknown type \'a.B\''
    assert registry_reason(message) == "unknown type 'a.B'"
    assert registry_reason("plain reason") == "plain reason"
