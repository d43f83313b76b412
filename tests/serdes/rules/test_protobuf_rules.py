"""Protobuf data contracts: `use.latest.*` with JSONata migrations, and inline field tags."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from google.protobuf.message import Message

from compat.protobuf import ProtobufFormat
from serdes.client import InMemoryRegistryClient, Schema
from serdes.context import SerializationContext
from serdes.errors import RuleError, SerdesConfigError
from serdes.protobuf import ProtobufDeserializer, ProtobufSerializer, message_class

_topics = itertools.count()

V1 = """
syntax = "proto3";
package people;
message Person {
  int32 id = 1;
  string given_name = 2;
  int64 born = 3;
}
"""
V2 = """
syntax = "proto3";
package people.v2;
message Other {
  string x = 1;
}
message Person {
  int32 id = 1;
  string full_name = 2;
  int64 born = 3;
}
"""
# Written against confluent-kafka's JSON form of a record: lowerCamel field names, fields at
# their defaults printed (`id` is 0 below), 64-bit integers as strings.
UP = "{'id': id, 'fullName': givenName & '#' & $string(id) & '#' & $type(born), 'born': born}"
DOWN = "{'id': id, 'givenName': fullName, 'born': born}"
MIGRATIONS = {
    "migrationRules": [
        {"name": "up", "kind": "TRANSFORM", "mode": "UPGRADE", "type": "JSONATA", "expr": UP},
        {"name": "down", "kind": "TRANSFORM", "mode": "DOWNGRADE", "type": "JSONATA", "expr": DOWN},
    ]
}
MASK = {
    "name": "mask",
    "kind": "TRANSFORM",
    "mode": "READ",
    "type": "CEL_FIELD",
    "tags": ["PII"],
    "expr": "typeName == 'STRING' ; 'XXX-' + value",
}


def person(text: str, full_name: str) -> type[Message]:
    return message_class(ProtobufFormat().parse(text), full_name)


PERSON_1 = person(V1, "people.Person")
PERSON_2 = person(V2, "people.v2.Person")


def major(n: int) -> dict[str, Any]:
    return {"use.latest.with.metadata": {"major": str(n)}}


def migrating(
    v2_rules: dict[str, Any], tags: dict[str, list[str]] | None = None
) -> tuple[InMemoryRegistryClient, SerializationContext]:
    client, ctx = InMemoryRegistryClient(), SerializationContext(f"people{next(_topics)}")
    subject = f"{ctx.topic}-value"
    client.register_schema(subject, Schema(V1, "PROTOBUF", metadata={"properties": {"major": "1"}}))
    metadata: dict[str, Any] = {"properties": {"major": "2"}, "tags": tags or {}}
    client.register_schema(subject, Schema(V2, "PROTOBUF", metadata=metadata, rule_set=v2_rules))
    return client, ctx


def test_jsonata_upgrades_the_json_form_into_the_given_message_class() -> None:
    client, ctx = migrating(MIGRATIONS)
    written = ProtobufSerializer(PERSON_1, client, major(1))(
        PERSON_1(id=0, given_name="Ada", born=1815), ctx
    )
    read: Any = ProtobufDeserializer(PERSON_2, major(2), client)(written, ctx)
    assert (read.id, read.full_name, read.born) == (0, "Ada#0#string", 1815)
    assert read.__class__ is PERSON_2  # the given class itself


def test_jsonata_downgrades_into_a_message_built_from_the_latest_schema() -> None:
    client, ctx = migrating(MIGRATIONS)
    written = ProtobufSerializer(PERSON_2, client, major(2))(
        PERSON_2(id=7, full_name="Grace", born=1906), ctx
    )
    read: Any = ProtobufDeserializer(None, major(1), client)(written, ctx)
    # No class given: the reader's message of the writer's name, from the latest schema.
    assert read.DESCRIPTOR.full_name == "people.Person"
    assert (read.id, read.given_name, read.born) == (7, "Grace", 1906)


def test_within_a_major_version_the_payload_is_parsed_into_the_latest_message() -> None:
    client, ctx = migrating(MIGRATIONS)
    written = ProtobufSerializer(PERSON_2, client, major(2))(
        PERSON_2(id=1, full_name="Edsger"), ctx
    )
    read: Any = ProtobufDeserializer(None, major(2), client)(written, ctx)
    assert read.DESCRIPTOR.full_name == "people.v2.Person"
    assert read.full_name == "Edsger"


def test_use_latest_version_takes_the_newest_version() -> None:
    client, ctx = migrating(MIGRATIONS)
    written = ProtobufSerializer(PERSON_1, client, major(1))(PERSON_1(id=2, given_name="A"), ctx)
    read = ProtobufDeserializer(PERSON_2, {"use.latest.version": True}, client)(written, ctx)
    assert read.full_name == "A#2#string"
    # Without use.latest.*, the record stays as written.
    plain: Any = ProtobufDeserializer(None, None, client)(written, ctx)
    assert plain.given_name == "A"


def test_the_latest_versions_read_rules_run_after_the_migration() -> None:
    rules = {**MIGRATIONS, "domainRules": [MASK]}
    client, ctx = migrating(rules, {"people.v2.Person.full_name": ["PII"]})
    written = ProtobufSerializer(PERSON_1, client, major(1))(PERSON_1(id=3, given_name="B"), ctx)
    read = ProtobufDeserializer(PERSON_2, {"use.latest.version": True}, client)(written, ctx)
    assert read.full_name == "XXX-B#3#string"


def test_a_migration_returning_a_field_the_reader_lacks_is_a_rule_error() -> None:
    bad = {
        "migrationRules": [
            {
                "name": "up",
                "kind": "TRANSFORM",
                "mode": "UPGRADE",
                "type": "JSONATA",
                "expr": "{'nope': 1}",
            },
        ]
    }
    client, ctx = migrating(bad)
    written = ProtobufSerializer(PERSON_1, client, major(1))(PERSON_1(id=1), ctx)
    with pytest.raises(RuleError, match=r"not a valid people\.v2\.Person"):
        ProtobufDeserializer(PERSON_2, major(2), client)(written, ctx)


def test_use_latest_needs_a_client_and_unknown_keys_are_refused() -> None:
    with pytest.raises(SerdesConfigError, match="registry client"):
        ProtobufDeserializer(PERSON_1, {"use.latest.version": True})
    with pytest.raises(SerdesConfigError, match="unknown settings: bogus"):
        ProtobufDeserializer(PERSON_1, {"bogus": 1})


# -- Inline tags -------------------------------------------------------------------------

TAGGED = """
syntax = "proto3";
package shop;
import "confluent/meta.proto";
message Order {
  string id = 1;
  string email = 2 [(confluent.field_meta).tags = "PII"];
  string note = 3 [(confluent.field_meta) = { doc: "free text", tags: ["OTHER"] }];
  repeated string phones = 4 [(confluent.field_meta).tags = "PII"];
}
"""
WRITE_MASK = {**MASK, "mode": "WRITE"}


@pytest.mark.parametrize("mode", ["WRITE", "READ"])
def test_inline_field_meta_tags_select_fields_for_field_rules(mode: str) -> None:
    order = person(TAGGED, "shop.Order")
    client, ctx = InMemoryRegistryClient(), SerializationContext(f"orders{next(_topics)}")
    rule = {**MASK, "mode": mode}
    client.register_schema(
        f"{ctx.topic}-value", Schema(TAGGED, "PROTOBUF", rule_set={"domainRules": [rule]})
    )
    message: Any = order(id="o1", email="a@b", note="hi", phones=["1", "2"])
    written = ProtobufSerializer(order, client, {"use.latest.version": True})(message, ctx)
    read: Any = ProtobufDeserializer(None, None, client)(written, ctx)
    assert (read.id, read.email, read.note, list(read.phones)) == (
        "o1",
        "XXX-a@b",
        "hi",
        ["XXX-1", "XXX-2"],
    )
