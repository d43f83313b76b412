"""Dead letters of WRITE rules hide the fields that encryption rules protect."""

from __future__ import annotations

import itertools
import json
from typing import Any

import pytest

from compat.protobuf import ProtobufFormat
from serdes.avro import AvroSerializer
from serdes.client import InMemoryRegistryClient, Schema
from serdes.context import SerializationContext
from serdes.errors import RuleConditionError
from serdes.json_schema import JSONSerializer
from serdes.protobuf import ProtobufSerializer, message_class
from serdes.rules import DlqAction, RuleRegistry
from tests.serdes.rules.test_formats import JSON_DOC, POSITIVE, PROTO
from tests.serdes.test_deadletter import FakeProducer

_topics = itertools.count()
LATEST = {"use.latest.version": True}
CHECK = {**POSITIVE, "mode": "WRITE", "onFailure": "DLQ", "params": {"dlq.topic": "dead"}}
ENCRYPT = {
    "name": "protect",
    "kind": "TRANSFORM",
    "mode": "WRITEREAD",
    "type": "ENCRYPT",
    "tags": ["PII"],
    "params": {"encrypt.kek.name": "k"},
}
AVRO_DOC: dict[str, Any] = {
    "type": "record",
    "name": "Order",
    "namespace": "shop",
    "fields": [
        {"name": "id", "type": "string"},
        {"name": "qty", "type": "int"},
        {"name": "email", "type": "string", "confluent:tags": ["PII"]},
        {"name": "card", "type": ["null", "bytes"], "confluent:tags": ["PII"]},
        {"name": "pin", "type": "int", "confluent:tags": ["PII"]},
    ],
}
BAD = {"id": "o1", "qty": 0, "email": "alice@example.com", "card": b"4111", "pin": 1234}


def topic() -> SerializationContext:
    return SerializationContext(f"dlq{next(_topics)}")


def dead_letter_of(*rules: dict[str, Any], **action: Any) -> tuple[dict[str, Any], Any]:
    """The Avro record BAD rejected by CHECK (the first rule), as the DLQ got it."""
    client, ctx = InMemoryRegistryClient(), topic()
    schema = Schema(json.dumps(AVRO_DOC), "AVRO", rule_set={"domainRules": list(rules)})
    client.register_schema(f"{ctx.topic}-value", schema)
    producer = FakeProducer()
    registry = RuleRegistry.default([DlqAction(producer, **action)])
    value = dict(BAD)
    with pytest.raises(RuleConditionError):
        AvroSerializer(client, None, conf=LATEST, rule_registry=registry)(value, ctx)
    assert value == BAD, "the application's record is not changed"
    [sent] = producer.produced
    return json.loads(sent["value"]), sent


def test_fields_tagged_for_encryption_are_redacted_in_the_dead_letter() -> None:
    letter, sent = dead_letter_of(CHECK, ENCRYPT)
    # Strings and bytes read <REDACTED>; other types cannot be redacted and stay.
    assert letter == {**BAD, "email": "<REDACTED>", "card": "<REDACTED>", "pin": 1234}
    assert b"alice@example.com" not in sent["value"]
    assert dict(sent["headers"])["__rule.name"] == b"positive"


def test_redaction_follows_the_configured_rule_types() -> None:
    plain, _ = dead_letter_of(CHECK, ENCRYPT, redact_rule_types="")
    assert plain == {**BAD, "card": "4111"}
    masked = {**ENCRYPT, "name": "mask", "type": "CEL_FIELD", "expr": "value"}
    letter, _ = dead_letter_of(CHECK, masked, redact_rule_types=["cel_field"])
    assert letter["email"] == "<REDACTED>"
    untouched, _ = dead_letter_of(CHECK, masked)
    assert untouched["email"] == "alice@example.com"


def test_an_encryption_rule_without_tags_redacts_every_string_and_bytes_field() -> None:
    everything = {k: v for k, v in ENCRYPT.items() if k != "tags"}
    letter, _ = dead_letter_of(CHECK, everything, redact_rule_types="ENCRYPT, ENCRYPT_PAYLOAD")
    assert letter == {**BAD, "id": "<REDACTED>", "email": "<REDACTED>", "card": "<REDACTED>"}


def test_json_and_protobuf_dead_letters_are_redacted_too() -> None:
    client, ctx = InMemoryRegistryClient(), topic()
    schema = Schema(json.dumps(JSON_DOC), "JSON", rule_set={"domainRules": [CHECK, ENCRYPT]})
    client.register_schema(f"{ctx.topic}-value", schema)
    producer = FakeProducer()
    registry = RuleRegistry.default([DlqAction(producer)])
    record = {"id": "o1", "qty": 0, "email": "alice@example.com"}
    with pytest.raises(RuleConditionError):
        JSONSerializer(None, client, conf=LATEST, rule_registry=registry)(record, ctx)
    assert json.loads(producer.produced[0]["value"]) == {**record, "email": "<REDACTED>"}

    order_cls = message_class(ProtobufFormat().parse(PROTO), "shop.Order")
    client, ctx = InMemoryRegistryClient(), topic()
    ProtobufSerializer(order_cls, client)(order_cls(id="seed"), ctx)
    text = client.get_latest_version(f"{ctx.topic}-value").schema.schema_str
    tagged = Schema(
        text,
        "PROTOBUF",
        rule_set={"domainRules": [CHECK, ENCRYPT]},
        metadata={"tags": {"shop.Order.email": ["PII"]}},
    )
    client.register_schema(f"{ctx.topic}-value", tagged)
    producer = FakeProducer()
    registry = RuleRegistry.default([DlqAction(producer)])
    message: Any = order_cls(id="o1", qty=0, email="alice@example.com")
    with pytest.raises(RuleConditionError):
        ProtobufSerializer(order_cls, client, LATEST, rule_registry=registry)(message, ctx)
    assert message.email == "alice@example.com"
    assert json.loads(producer.produced[0]["value"]) == {"id": "o1", "email": "<REDACTED>"}
