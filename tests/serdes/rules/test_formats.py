"""Rules in the Avro, JSON Schema and Protobuf serdes, against the in-memory registry."""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable
from typing import Any

import pytest

from compat.protobuf import ProtobufFormat
from serdes.avro import AvroDeserializer, AvroSerializer
from serdes.client import InMemoryRegistryClient, Schema
from serdes.context import SerializationContext
from serdes.errors import RuleConditionError, RuleError
from serdes.json_schema import JSONDeserializer, JSONSerializer
from serdes.protobuf import ProtobufDeserializer, ProtobufSerializer, message_class
from serdes.rules import DlqAction, RuleRegistry
from tests.serdes.test_deadletter import FakeProducer

_topics = itertools.count()
LATEST = {"use.latest.version": True}

POSITIVE = {
    "name": "positive",
    "kind": "CONDITION",
    "mode": "WRITEREAD",
    "type": "CEL",
    "expr": "message.qty > 0",
}
MASK = {
    "name": "mask",
    "kind": "TRANSFORM",
    "mode": "WRITE",
    "type": "CEL_FIELD",
    "tags": ["PII"],
    "expr": "typeName == 'STRING' ; 'XXX-' + value",
}

AVRO: dict[str, Any] = {
    "type": "record",
    "name": "Order",
    "namespace": "shop",
    "fields": [
        {"name": "id", "type": "string"},
        {"name": "qty", "type": "int"},
        {"name": "email", "type": "string", "confluent:tags": ["PII"]},
        {"name": "note", "type": ["null", "string"], "default": None},
    ],
}
JSON_DOC = {
    "type": "object",
    "title": "Order",
    "properties": {
        "id": {"type": "string"},
        "qty": {"type": "integer"},
        "email": {"type": "string", "confluent:tags": ["PII"]},
        "note": {"type": "string"},
    },
    "required": ["id", "qty"],
}
PROTO = """
syntax = "proto3";
package shop;
message Order {
  string id = 1;
  int32 qty = 2;
  string email = 3;
  string note = 4;
}
"""


def topic() -> SerializationContext:
    return SerializationContext(f"orders{next(_topics)}")


def register(client: InMemoryRegistryClient, subject: str, schema: Schema) -> None:
    client.register_schema(subject, schema)


def with_rules(text: str, kind: str, *rules: dict[str, Any], **extra: Any) -> Schema:
    return Schema(text, kind, rule_set={"domainRules": list(rules)}, **extra)


# -- Avro ------------------------------------------------------------------------------


def test_avro_condition_and_field_transform_on_write_and_read() -> None:
    client, ctx = InMemoryRegistryClient(), topic()
    register(client, f"{ctx.topic}-value", with_rules(json.dumps(AVRO), "AVRO", POSITIVE, MASK))
    serialize = AvroSerializer(client, None, conf=LATEST)
    order = {"id": "o1", "qty": 2, "email": "a@b", "note": "hi"}
    data = serialize(order, ctx)
    assert order["email"] == "a@b", "the application's dict is not changed"
    assert AvroDeserializer(client)(data, ctx) == {**order, "email": "XXX-a@b"}
    with pytest.raises(RuleConditionError, match=r"Rule expr failed: message.qty > 0"):
        serialize({**order, "qty": 0}, ctx)


def test_avro_rules_do_not_run_on_the_serializers_own_schema() -> None:
    # Confluent's clients run rules only on a schema taken from the registry.
    client, ctx = InMemoryRegistryClient(), topic()
    own = with_rules(json.dumps(AVRO), "AVRO", POSITIVE)
    data = AvroSerializer(client, own)({"id": "o", "qty": 0, "email": "e", "note": None}, ctx)
    with pytest.raises(RuleConditionError):
        AvroDeserializer(client)(data, ctx)


def test_metadata_tags_select_fields_by_wildcard_and_cel_field_sees_name_and_tags() -> None:
    client, ctx = InMemoryRegistryClient(), topic()
    rule = {
        "name": "describe",
        "kind": "TRANSFORM",
        "mode": "WRITE",
        "type": "CEL_FIELD",
        "tags": ["SECRET"],
        "expr": "fullName + '|' + name + '|' + typeName + '|' + tags[0]",
    }
    plain = {**AVRO, "fields": [f for f in AVRO["fields"] if f["name"] != "email"]}
    schema = with_rules(
        json.dumps(plain), "AVRO", rule, metadata={"tags": {"shop.Order.n*": ["SECRET"]}}
    )
    register(client, f"{ctx.topic}-value", schema)
    data = AvroSerializer(client, None, conf=LATEST)({"id": "o", "qty": 1, "note": "x"}, ctx)
    assert AvroDeserializer(client)(data, ctx)["note"] == "shop.Order.note|note|STRING|SECRET"


def test_a_missing_executor_fails_with_a_rule_error() -> None:
    client, ctx = InMemoryRegistryClient(), topic()
    odd = {"name": "odd", "kind": "CONDITION", "mode": "WRITE", "type": "NOPE"}
    register(client, f"{ctx.topic}-value", with_rules(json.dumps(AVRO), "AVRO", odd))
    with pytest.raises(RuleError, match="no executor for rule type NOPE"):
        AvroSerializer(client, None, conf=LATEST)(
            {"id": "o", "qty": 1, "email": "e", "note": None}, ctx
        )


def test_dlq_on_write_sends_the_value_as_json_then_fails() -> None:
    client, ctx = InMemoryRegistryClient(), topic()
    dlq = {**POSITIVE, "onFailure": "DLQ", "params": {"dlq.topic": "orders-dlq"}}
    register(client, f"{ctx.topic}-value", with_rules(json.dumps(AVRO), "AVRO", dlq))
    producer = FakeProducer()
    serialize = AvroSerializer(
        client, None, conf=LATEST, rule_registry=RuleRegistry.default([DlqAction(producer)])
    )
    bad = {"id": "o", "qty": -1, "email": "e", "note": None}
    with pytest.raises(RuleConditionError):
        serialize(bad, ctx)
    [sent] = producer.produced
    assert sent["topic"] == "orders-dlq"
    assert json.loads(sent["value"]) == bad
    assert dict(sent["headers"])["__rule.name"] == b"positive"


def migrating_registry(kind: str, v1: str, v2: str) -> tuple[InMemoryRegistryClient, str]:
    """v1 has `name`, v2 (major version 2) calls it `full_name`; JSONata migrates both ways."""
    client, topic_name = InMemoryRegistryClient(), f"people{next(_topics)}"
    subject = f"{topic_name}-value"
    up = "$merge([$sift($, function($v, $k) {$k != 'name'}), {'full_name': $.name}])"
    down = "$merge([$sift($, function($v, $k) {$k != 'full_name'}), {'name': $.full_name}])"
    client.register_schema(subject, Schema(v1, kind, metadata={"properties": {"major": "1"}}))
    rules = [
        {"name": "up", "kind": "TRANSFORM", "mode": "UPGRADE", "type": "JSONATA", "expr": up},
        {"name": "down", "kind": "TRANSFORM", "mode": "DOWNGRADE", "type": "JSONATA", "expr": down},
    ]
    client.register_schema(
        subject,
        Schema(
            v2,
            kind,
            metadata={"properties": {"major": "2"}},
            rule_set={"migrationRules": rules},
        ),
    )
    return client, topic_name


def _avro_person(field: str) -> str:
    return json.dumps(
        {
            "type": "record",
            "name": "Person",
            "fields": [{"name": "id", "type": "int"}, {"name": field, "type": "string"}],
        }
    )


def _json_person(field: str) -> str:
    return json.dumps(
        {
            "type": "object",
            "properties": {"id": {"type": "integer"}, field: {"type": "string"}},
            "required": ["id", field],
            "additionalProperties": False,
        }
    )


Serde = Callable[[InMemoryRegistryClient, dict[str, str]], Any]
FORMATS: dict[str, tuple[str, Callable[[str], str], Serde, Serde]] = {
    "avro": (
        "AVRO",
        _avro_person,
        lambda c, meta: AvroSerializer(c, None, conf={"use.latest.with.metadata": meta}),
        lambda c, meta: AvroDeserializer(c, conf={"use.latest.with.metadata": meta}),
    ),
    "json": (
        "JSON",
        _json_person,
        lambda c, meta: JSONSerializer(None, c, conf={"use.latest.with.metadata": meta}),
        lambda c, meta: JSONDeserializer(None, None, c, conf={"use.latest.with.metadata": meta}),
    ),
}


@pytest.mark.parametrize("fmt", FORMATS)
def test_jsonata_migrates_up_and_down_between_major_versions(fmt: str) -> None:
    kind, person, serializer, deserializer = FORMATS[fmt]
    client, topic_name = migrating_registry(kind, person("name"), person("full_name"))
    ctx = SerializationContext(topic_name)
    written_old = serializer(client, {"major": "1"})({"id": 1, "name": "Ada"}, ctx)
    written_new = serializer(client, {"major": "2"})({"id": 2, "full_name": "Grace"}, ctx)
    assert deserializer(client, {"major": "2"})(written_old, ctx) == {"id": 1, "full_name": "Ada"}
    assert deserializer(client, {"major": "1"})(written_new, ctx) == {"id": 2, "name": "Grace"}
    # Within a major version nothing migrates.
    assert deserializer(client, {"major": "1"})(written_old, ctx) == {"id": 1, "name": "Ada"}


# -- JSON Schema -----------------------------------------------------------------------


def test_json_condition_and_field_transform() -> None:
    client, ctx = InMemoryRegistryClient(), topic()
    register(client, f"{ctx.topic}-value", with_rules(json.dumps(JSON_DOC), "JSON", POSITIVE, MASK))
    serialize = JSONSerializer(None, client, conf=LATEST)
    data = serialize({"id": "o1", "qty": 2, "email": "a@b"}, ctx)
    assert JSONDeserializer(None, None, client)(data, ctx) == {
        "id": "o1",
        "qty": 2,
        "email": "XXX-a@b",
    }
    with pytest.raises(RuleConditionError):
        serialize({"id": "o1", "qty": 0, "email": "a@b"}, ctx)


# -- Protobuf --------------------------------------------------------------------------


def test_protobuf_condition_and_field_transform() -> None:
    order_cls = message_class(ProtobufFormat().parse(PROTO), "shop.Order")
    client, ctx = InMemoryRegistryClient(), topic()
    first = ProtobufSerializer(order_cls, client)  # registers the file as confluent-kafka does
    first(order_cls(id="seed", qty=1), ctx)
    registered = client.get_latest_version(f"{ctx.topic}-value").schema
    rules = with_rules(
        registered.schema_str,
        "PROTOBUF",
        POSITIVE,
        MASK,
        metadata={"tags": {"shop.Order.email": ["PII"]}},
    )
    register(client, f"{ctx.topic}-value", rules)
    serialize = ProtobufSerializer(order_cls, client, {"use.latest.version": True})
    message: Any = order_cls(id="o1", qty=2, email="a@b")
    data = serialize(message, ctx)
    assert message.email == "a@b"
    read = ProtobufDeserializer(order_cls, None, client)(data, ctx)
    assert (read.id, read.qty, read.email) == ("o1", 2, "XXX-a@b")
    with pytest.raises(RuleConditionError):
        serialize(order_cls(id="o2", qty=0), ctx)
