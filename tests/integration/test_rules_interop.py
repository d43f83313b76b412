"""Data-contract rules across Cairn's serdes and confluent-kafka's, through `cairn serve`.

confluent-kafka runs its own executors (its `rules` extra, registered as its docs show);
Cairn runs its own. Records written by one side under a rule set (a CEL condition, a
CEL_FIELD transform, JSONata migrations between major versions) are read by the other,
for Avro, JSON Schema and Protobuf; a failing condition is a typed error or a dead letter,
and end to end through a real broker, bad records stay out of the topic.
"""

from __future__ import annotations

import itertools
import json
import time
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from confluent_kafka import Consumer, Producer
from confluent_kafka.admin import AdminClient, NewTopic  # type: ignore[attr-defined]
from confluent_kafka.schema_registry import (
    RuleSet,
    SchemaRegistryClient,
    ServerConfig,
)
from confluent_kafka.schema_registry import Schema as CkSchema
from confluent_kafka.schema_registry.avro import AvroDeserializer as CkAvroDeserializer
from confluent_kafka.schema_registry.avro import AvroSerializer as CkAvroSerializer
from confluent_kafka.schema_registry.json_schema import JSONDeserializer as CkJSONDeserializer
from confluent_kafka.schema_registry.json_schema import JSONSerializer as CkJSONSerializer
from confluent_kafka.schema_registry.protobuf import ProtobufDeserializer as CkProtobufDeserializer
from confluent_kafka.schema_registry.protobuf import ProtobufSerializer as CkProtobufSerializer
from confluent_kafka.schema_registry.rules.cel.cel_executor import CelExecutor
from confluent_kafka.schema_registry.rules.cel.cel_field_executor import CelFieldExecutor
from confluent_kafka.schema_registry.rules.jsonata.jsonata_executor import JsonataExecutor
from confluent_kafka.serialization import MessageField, SerializationContext

from compat.protobuf import ProtobufFormat
from serdes.avro import AvroDeserializer, AvroSerializer
from serdes.client import registry_client
from serdes.deadletter import DeadLetters
from serdes.errors import RuleConditionError
from serdes.json_schema import JSONDeserializer, JSONSerializer
from serdes.protobuf import (
    ProtobufDeserializer,
    ProtobufSerializer,
    message_class,
    schema_of_file,
)
from serdes.rules import DlqAction, RuleRegistry
from tests.serdes.test_deadletter import FakeConsumer, FakeMessage, FakeProducer

pytestmark = pytest.mark.integration

_names = itertools.count()
CK = {"subject.name.strategy.type": "TOPIC"}
CK_LATEST = {**CK, "auto.register.schemas": False, "use.latest.version": True}
LATEST = {"use.latest.version": True}


@pytest.fixture(scope="module", autouse=True)
def confluent_executors() -> None:
    # confluent-kafka's executors live in its process-wide registry, as its docs show.
    CelExecutor.register()  # type: ignore[no-untyped-call]
    CelFieldExecutor.register()  # type: ignore[no-untyped-call]
    JsonataExecutor.register()  # type: ignore[no-untyped-call]


@pytest.fixture
def topic() -> str:
    return f"rules{next(_names)}-{int(time.time() * 1000) % 1_000_000}"


def ctx(topic: str) -> SerializationContext:
    return SerializationContext(topic, MessageField.VALUE)


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
DOMAIN = {"domainRules": [POSITIVE, MASK]}


def avro_order(name: str) -> str:
    return json.dumps(
        {
            "type": "record",
            "name": name,
            "namespace": "shop",
            "fields": [
                {"name": "id", "type": "string"},
                {"name": "qty", "type": "int"},
                {"name": "email", "type": "string", "confluent:tags": ["PII"]},
            ],
        }
    )


def json_order(name: str) -> str:
    return json.dumps(
        {
            "$schema": "http://json-schema.org/draft-07/schema#",
            "title": name,
            "type": "object",
            "properties": {
                "id": {"type": "string"},
                "qty": {"type": "integer"},
                "email": {"type": "string", "confluent:tags": ["PII"]},
            },
            "required": ["id", "qty", "email"],
        }
    )


def register(
    client: SchemaRegistryClient,
    subject: str,
    text: str,
    kind: str,
    rules: dict[str, Any],
    metadata: dict[str, Any] | None = None,
) -> None:
    body: dict[str, Any] = {"schema": text, "schemaType": kind, "ruleSet": rules}
    if metadata is not None:
        body["metadata"] = metadata
    client.register_schema(subject, CkSchema.from_dict(body))


ORDER = {"id": "o1", "qty": 2, "email": "a@b"}
MASKED = {**ORDER, "email": "XXX-a@b"}


# -- Avro and JSON Schema: CEL and CEL_FIELD both ways -----------------------------------

Make = Callable[[Any, Any], Any]
FORMATS: dict[str, tuple[str, Callable[[str], str], Make, Make, Make, Make]] = {
    "avro": (
        "AVRO",
        avro_order,
        lambda c, s: CkAvroSerializer(c, s, conf=CK_LATEST),
        lambda c, s: CkAvroDeserializer(c, conf=CK),
        lambda c, s: AvroSerializer(c, None, conf=LATEST),
        lambda c, s: AvroDeserializer(c),
    ),
    "json": (
        "JSON",
        json_order,
        lambda c, s: CkJSONSerializer(s, c, conf=CK_LATEST),
        lambda c, s: CkJSONDeserializer(s, schema_registry_client=c, conf=CK),
        lambda c, s: JSONSerializer(None, c, conf=LATEST),
        lambda c, s: JSONDeserializer(None, None, c),
    ),
}


@pytest.mark.parametrize("fmt", FORMATS)
def test_cel_rules_written_by_one_side_read_by_the_other(
    fmt: str, registry_url: str, ck_client: SchemaRegistryClient, topic: str
) -> None:
    kind, schema_of, ck_ser, ck_de, our_ser, our_de = FORMATS[fmt]
    text = schema_of(f"Order{next(_names)}")
    register(ck_client, f"{topic}-value", text, kind, DOMAIN)
    ours = registry_client({"url": registry_url})

    theirs_written = ck_ser(ck_client, text)(dict(ORDER), ctx(topic))
    assert our_de(ours, text)(theirs_written, ctx(topic)) == MASKED
    ours_written = our_ser(ours, text)(dict(ORDER), ctx(topic))
    assert ck_de(ck_client, text)(ours_written, ctx(topic)) == MASKED
    assert ours_written == theirs_written

    with pytest.raises(RuleConditionError, match=r"message.qty > 0"):
        our_ser(ours, text)({**ORDER, "qty": 0}, ctx(topic))


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_record_failing_a_read_condition_is_dead_lettered_by_the_consumer(
    fmt: str, registry_url: str, ck_client: SchemaRegistryClient, topic: str
) -> None:
    kind, schema_of, ck_ser, _, _, our_de = FORMATS[fmt]
    text = schema_of(f"Order{next(_names)}")
    reading = {
        "name": "small",
        "kind": "CONDITION",
        "mode": "READ",
        "type": "CEL",
        "expr": "message.qty < 10",
    }
    register(ck_client, f"{topic}-value", text, kind, {"domainRules": [reading]})
    data = ck_ser(ck_client, text)({**ORDER, "qty": 50}, ctx(topic))
    producer = FakeProducer()
    consumer = FakeConsumer(producer.log)
    helper = DeadLetters(
        consumer, producer, value_deserializer=our_de(registry_client({"url": registry_url}), text)
    )
    assert helper.deserialize(FakeMessage(data, _topic=topic)) is None
    [sent] = producer.produced
    assert sent["value"] == data
    assert dict(sent["headers"])["dlq.error.type"] == b"RuleConditionError"


def test_dlq_action_on_write_through_cairn(
    registry_url: str, ck_client: SchemaRegistryClient, topic: str
) -> None:
    text = avro_order(f"Order{next(_names)}")
    dlq = {**POSITIVE, "onFailure": "DLQ", "params": {"dlq.topic": f"{topic}-dlq"}}
    register(ck_client, f"{topic}-value", text, "AVRO", {"domainRules": [dlq]})
    producer = FakeProducer()
    serializer = AvroSerializer(
        registry_client({"url": registry_url}),
        None,
        conf=LATEST,
        rule_registry=RuleRegistry.default([DlqAction(producer)]),
    )
    with pytest.raises(RuleConditionError):
        serializer({**ORDER, "qty": -1}, ctx(topic))
    [sent] = producer.produced
    assert sent["topic"] == f"{topic}-dlq"
    assert json.loads(sent["value"]) == {**ORDER, "qty": -1}
    assert dict(sent["headers"])["__rule.name"] == b"positive"


# -- Protobuf ---------------------------------------------------------------------------

PROTO = """
syntax = "proto3";
package shop;
message {name} {{
  string id = 1;
  int32 qty = 2;
  string email = 3;
}}
"""


def test_protobuf_cel_rules_both_ways(
    registry_url: str, ck_client: SchemaRegistryClient, topic: str
) -> None:
    name = f"Order{next(_names)}"
    cls = message_class(ProtobufFormat().parse(PROTO.format(name=name)), f"shop.{name}")
    # Registered as confluent-kafka's serializer registers files: the descriptor in base64,
    # which its client can read back without a `.proto` parser.
    text = schema_of_file(cls.DESCRIPTOR.file).schema_str
    metadata = {"tags": {f"shop.{name}.email": ["PII"]}}
    # A client of its own registers: confluent-kafka's client keeps the registration answer
    # (the schema as text) by id, where its Protobuf deserializer wants the base64 form.
    registrar = SchemaRegistryClient({"url": registry_url})
    register(registrar, f"{topic}-value", text, "PROTOBUF", DOMAIN, metadata)
    registrar.close()
    ours = registry_client({"url": registry_url})

    theirs = CkProtobufSerializer(cls, ck_client, {**CK_LATEST, "use.deprecated.format": False})
    written = theirs(cls(id="o1", qty=2, email="a@b"), ctx(topic))
    read: Any = ProtobufDeserializer(cls, None, ours)(written, ctx(topic))
    assert (read.id, read.qty, read.email) == ("o1", 2, "XXX-a@b")

    mine = ProtobufSerializer(cls, ours, LATEST)(cls(id="o2", qty=3, email="c@d"), ctx(topic))
    their_reader = CkProtobufDeserializer(cls, {"use.deprecated.format": False}, ck_client)
    back: Any = their_reader(mine, ctx(topic))
    assert (back.id, back.qty, back.email) == ("o2", 3, "XXX-c@d")

    with pytest.raises(RuleConditionError):
        ProtobufSerializer(cls, ours, LATEST)(cls(id="o3", qty=0), ctx(topic))


# -- JSONata migrations between major versions -----------------------------------------

UP = "$merge([$sift($, function($v, $k) {$k != 'name'}), {'full_name': $.name}])"
DOWN = "$merge([$sift($, function($v, $k) {$k != 'full_name'}), {'name': $.full_name}])"
MIGRATIONS = {
    "migrationRules": [
        {"name": "up", "kind": "TRANSFORM", "mode": "UPGRADE", "type": "JSONATA", "expr": UP},
        {"name": "down", "kind": "TRANSFORM", "mode": "DOWNGRADE", "type": "JSONATA", "expr": DOWN},
    ]
}


def avro_person(name: str, field: str) -> str:
    fields = [{"name": "id", "type": "int"}, {"name": field, "type": "string"}]
    return json.dumps({"type": "record", "name": name, "fields": fields})


def json_person(name: str, field: str) -> str:
    return json.dumps(
        {
            "title": name,
            "type": "object",
            "properties": {"id": {"type": "integer"}, field: {"type": "string"}},
            "required": ["id", field],
        }
    )


MIGRATING: dict[str, tuple[str, Callable[[str, str], str], Make, Make, Make, Make]] = {
    "avro": (
        "AVRO",
        avro_person,
        lambda c, m: CkAvroSerializer(c, None, conf={**CK, "auto.register.schemas": False, **m}),
        lambda c, m: CkAvroDeserializer(c, conf={**CK, **m}),
        lambda c, m: AvroSerializer(c, None, conf=m),
        lambda c, m: AvroDeserializer(c, conf=m),
    ),
    "json": (
        "JSON",
        json_person,
        lambda c, m: CkJSONSerializer(None, c, conf={**CK, "auto.register.schemas": False, **m}),
        lambda c, m: CkJSONDeserializer(None, schema_registry_client=c, conf={**CK, **m}),
        lambda c, m: JSONSerializer(None, c, conf=m),
        lambda c, m: JSONDeserializer(None, None, c, conf=m),
    ),
}


def major(n: int) -> dict[str, Any]:
    return {"use.latest.with.metadata": {"major_version": str(n)}}


@pytest.mark.parametrize("fmt", MIGRATING)
def test_jsonata_migrations_across_major_versions_both_ways(
    fmt: str, registry_url: str, ck_client: SchemaRegistryClient, topic: str
) -> None:
    kind, person, ck_ser, ck_de, our_ser, our_de = MIGRATING[fmt]
    subject = f"{topic}-value"
    name = f"Person{next(_names)}"
    # The renamed field breaks compatibility: only versions of one major version are compared.
    ck_client.set_config(subject, ServerConfig(compatibility_group="major_version"))
    v1 = {"schema": person(name, "name"), "schemaType": kind}
    ck_client.register_schema(
        subject, CkSchema.from_dict({**v1, "metadata": {"properties": {"major_version": "1"}}})
    )
    v2 = {
        "schema": person(name, "full_name"),
        "schemaType": kind,
        "metadata": {"properties": {"major_version": "2"}},
        "ruleSet": RuleSet.from_dict(MIGRATIONS).to_dict(),
    }
    ck_client.register_schema(subject, CkSchema.from_dict(v2))
    ours = registry_client({"url": registry_url})

    old_by_them = ck_ser(ck_client, major(1))({"id": 1, "name": "Ada"}, ctx(topic))
    assert our_de(ours, major(2))(old_by_them, ctx(topic)) == {"id": 1, "full_name": "Ada"}
    new_by_us = our_ser(ours, major(2))({"id": 2, "full_name": "Grace"}, ctx(topic))
    assert ck_de(ck_client, major(1))(new_by_us, ctx(topic)) == {"id": 2, "name": "Grace"}
    old_by_us = our_ser(ours, major(1))({"id": 3, "name": "Alan"}, ctx(topic))
    assert ck_de(ck_client, major(2))(old_by_us, ctx(topic)) == {"id": 3, "full_name": "Alan"}
    new_by_them = ck_ser(ck_client, major(2))({"id": 4, "full_name": "Edsger"}, ctx(topic))
    assert our_de(ours, major(1))(new_by_them, ctx(topic)) == {"id": 4, "name": "Edsger"}


# -- End to end through a real Kafka topic ------------------------------------------------


def _consume(bootstrap: str, topic: str, count: int) -> list[Any]:
    """The first `count` records of `topic` (polled with a deadline)."""
    consumer = Consumer(
        {"bootstrap.servers": bootstrap, "group.id": f"g-{topic}", "auto.offset.reset": "earliest"}
    )
    received: list[Any] = []
    try:
        consumer.subscribe([topic])
        deadline = time.monotonic() + 60
        while len(received) < count and time.monotonic() < deadline:
            message = consumer.poll(1.0)
            if message is not None and message.error() is None:
                received.append(message)
    finally:
        consumer.close()
    return received


@pytest.mark.kafka
def test_bad_records_are_kept_out_of_a_real_topic(
    registry_url: str, ck_client: SchemaRegistryClient, kafka_bootstrap: str
) -> None:
    topic = f"rules-e2e-{uuid.uuid4().hex[:10]}"
    dlq_topic, read_dlq = f"{topic}-dlq", f"{topic}.dlq"
    admin = AdminClient({"bootstrap.servers": kafka_bootstrap})
    for future in admin.create_topics(
        [NewTopic(t, 1, 1) for t in (topic, dlq_topic, read_dlq)]
    ).values():
        future.result(30)
    text = avro_order(f"E2e{next(_names)}")
    write_check = {
        **POSITIVE,
        "mode": "WRITE",
        "onFailure": "DLQ",
        "params": {"dlq.topic": dlq_topic},
    }
    read_check = {
        "name": "small",
        "kind": "CONDITION",
        "mode": "READ",
        "type": "CEL",
        "expr": "message.qty < 10",
    }
    register(ck_client, f"{topic}-value", text, "AVRO", {"domainRules": [write_check, read_check]})
    client = registry_client({"url": registry_url})
    producer = Producer({"bootstrap.servers": kafka_bootstrap})
    serialize = AvroSerializer(
        client, None, conf=LATEST, rule_registry=RuleRegistry.default([DlqAction(producer)])
    )

    accepted = 0
    for qty in (1, -5, 50, 2):
        try:
            data = serialize({**ORDER, "qty": qty}, ctx(topic))
        except RuleConditionError:
            continue
        producer.produce(topic, data)
        accepted += 1
    assert producer.flush(30) == 0
    assert accepted == 3

    # The write-side dead letter: the rejected value as JSON, with the rule's headers.
    [dead] = _consume(kafka_bootstrap, dlq_topic, 1)
    assert json.loads(dead.value())["qty"] == -5
    assert dict(dead.headers())["__rule.name"] == b"positive"

    # The read side: the record with qty 50 fails the READ condition and is dead-lettered.
    consumer = Consumer(
        {
            "bootstrap.servers": kafka_bootstrap,
            "group.id": f"reader-{topic}",
            "auto.offset.reset": "earliest",
            "enable.auto.commit": False,
        }
    )
    helper = DeadLetters(consumer, producer, value_deserializer=AvroDeserializer(client))
    values: list[Any] = []
    try:
        consumer.subscribe([topic])
        deadline = time.monotonic() + 60
        seen = 0
        while seen < accepted and time.monotonic() < deadline:
            message = consumer.poll(1.0)
            if message is None or message.error() is not None:
                continue
            seen += 1
            record = helper.deserialize(message)
            if record is not None:
                values.append(record.value["qty"])
    finally:
        consumer.close()
    assert values == [1, 2]
    [rejected] = _consume(kafka_bootstrap, read_dlq, 1)
    assert dict(rejected.headers())["dlq.error.type"] == b"RuleConditionError"
    # No client outlives the test (and the broker, stopped at the end of the session).
    del helper, serialize, producer
