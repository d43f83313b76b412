"""Cairn's serdes against confluent-kafka's, through a real `cairn serve` process.

For Avro, JSON Schema and Protobuf: what Cairn's serializer writes, confluent-kafka's deserializer
reads, and the other way round; with the same schema and value both write the same bytes.
Also the 8.x header (GUID) framing written by confluent-kafka, and a registry outage.
"""

from __future__ import annotations

import itertools
import json
import time
import uuid
from typing import Any

import pytest
from confluent_kafka import DeserializingConsumer, SerializingProducer
from confluent_kafka.admin import AdminClient, NewTopic  # type: ignore[attr-defined]
from confluent_kafka.schema_registry import SchemaRegistryClient, header_schema_id_serializer
from confluent_kafka.schema_registry.avro import AvroDeserializer as CkAvroDeserializer
from confluent_kafka.schema_registry.avro import AvroSerializer as CkAvroSerializer
from confluent_kafka.schema_registry.json_schema import JSONDeserializer as CkJSONDeserializer
from confluent_kafka.schema_registry.json_schema import JSONSerializer as CkJSONSerializer
from confluent_kafka.schema_registry.protobuf import ProtobufDeserializer as CkProtobufDeserializer
from confluent_kafka.schema_registry.protobuf import ProtobufSerializer as CkProtobufSerializer
from confluent_kafka.serialization import MessageField, SerializationContext
from google.protobuf.message import Message

from compat.formats import ResolvedReference
from compat.protobuf import ProtobufFormat
from serdes.avro import AvroDeserializer, AvroSerializer
from serdes.client import CachedRegistryClient, HttpRegistryClient, HttpSettings, registry_client
from serdes.errors import RegistryUnavailableError
from serdes.json_schema import JSONDeserializer, JSONSerializer
from serdes.protobuf import ProtobufDeserializer, ProtobufSerializer, message_class
from tests.integration.conftest import ServerFactory

pytestmark = pytest.mark.integration

_names = itertools.count()

#: confluent-kafka >= 2.14 asks for topic associations unless a strategy is named.
CK_CONF = {"subject.name.strategy.type": "TOPIC"}


def _avro(name: str) -> str:
    return json.dumps(
        {
            "type": "record",
            "name": name,
            "namespace": "com.example",
            "fields": [
                {"name": "id", "type": "string"},
                {"name": "qty", "type": "int"},
                {"name": "tags", "type": {"type": "array", "items": "string"}},
                {"name": "price", "type": ["null", "double"], "default": None},
            ],
        }
    )


def _json_schema(title: str) -> str:
    return json.dumps(
        {
            "$schema": "http://json-schema.org/draft-07/schema#",
            "title": title,
            "type": "object",
            "properties": {"id": {"type": "string"}, "qty": {"type": "integer"}},
            "required": ["id"],
        }
    )


VALUES: list[dict[str, Any]] = [
    {"id": "a", "qty": 1, "tags": [], "price": None},
    {"id": "Zoë", "qty": -7, "tags": ["x", "y"], "price": 2.5},
]


@pytest.fixture
def topic() -> str:
    return f"interop{next(_names)}-{int(time.time() * 1000) % 1_000_000}"


def _ctx(topic: str) -> SerializationContext:
    return SerializationContext(topic, MessageField.VALUE)


def _ck_avro_conf() -> dict[str, Any]:
    return dict(CK_CONF)


def test_avro_ours_to_confluent_and_back_byte_for_byte(
    registry_url: str, ck_client: SchemaRegistryClient, topic: str
) -> None:
    schema = _avro(f"Order{next(_names)}")
    ours = AvroSerializer(registry_client({"url": registry_url}), schema)
    theirs = CkAvroSerializer(ck_client, schema, conf=_ck_avro_conf())
    their_reader = CkAvroDeserializer(ck_client, conf=CK_CONF)
    our_reader = AvroDeserializer(registry_client({"url": registry_url}))
    for value in VALUES:
        mine = ours(value, _ctx(topic))
        assert mine is not None
        assert mine == theirs(value, _ctx(topic))
        assert their_reader(mine, _ctx(topic)) == value
        assert our_reader(theirs(value, _ctx(topic)), _ctx(topic)) == value


def test_avro_reader_projection_of_confluent_written_data(
    registry_url: str, ck_client: SchemaRegistryClient, topic: str
) -> None:
    name = f"Proj{next(_names)}"
    old = json.dumps({"type": "record", "name": name, "fields": [{"name": "a", "type": "int"}]})
    new = json.dumps(
        {
            "type": "record",
            "name": name,
            "fields": [
                {"name": "a", "type": "long"},
                {"name": "b", "type": "string", "default": "-"},
            ],
        }
    )
    data = CkAvroSerializer(ck_client, old, conf=_ck_avro_conf())({"a": 3}, _ctx(topic))
    reader = AvroDeserializer(registry_client({"url": registry_url}), new)
    assert reader(data, _ctx(topic)) == {"a": 3, "b": "-"}


def test_json_ours_to_confluent_and_back_byte_for_byte(
    registry_url: str, ck_client: SchemaRegistryClient, topic: str
) -> None:
    schema = _json_schema(f"Person{next(_names)}")
    ours = JSONSerializer(schema, registry_client({"url": registry_url}))
    theirs = CkJSONSerializer(schema, ck_client, conf=CK_CONF)
    their_reader = CkJSONDeserializer(None, schema_registry_client=ck_client, conf=CK_CONF)
    our_reader = JSONDeserializer(
        None, schema_registry_client=registry_client({"url": registry_url})
    )
    for value in ({"id": "a", "qty": 1}, {"id": "Zoë"}):
        mine = ours(value, _ctx(topic))
        assert mine is not None
        assert mine == theirs(value, _ctx(topic))
        assert their_reader(mine, _ctx(topic)) == value
        assert our_reader(theirs(value, _ctx(topic)), _ctx(topic)) == value


def test_confluents_header_guid_framing_is_read(
    registry_url: str, ck_client: SchemaRegistryClient, topic: str
) -> None:
    schema = _avro(f"Guid{next(_names)}")
    conf = {**_ck_avro_conf(), "schema.id.serializer": header_schema_id_serializer}
    headers: list[tuple[str, str | bytes | None]] = []
    ctx = SerializationContext(topic, MessageField.VALUE, headers)
    data = CkAvroSerializer(ck_client, schema, conf=conf)(VALUES[1], ctx)
    assert [name for name, _value in headers] == ["__value_schema_id"]
    assert AvroDeserializer(registry_client({"url": registry_url}))(data, ctx) == VALUES[1]


SHOP_PROTO = """
syntax = "proto3";
package interop;
import "google/protobuf/timestamp.proto";
message Order {
  string id = 1;
  int64 qty = 2;
  google.protobuf.Timestamp at = 3;
  message Line { string sku = 1; }
  repeated Line lines = 4;
}
"""


def _proto_classes(package: str) -> tuple[type[Message], type[Message]]:
    parsed = ProtobufFormat().parse(SHOP_PROTO.replace("package interop;", f"package {package};"))
    return message_class(parsed, f"{package}.Order"), message_class(parsed, f"{package}.Order.Line")


def test_protobuf_ours_to_confluent_and_back_byte_for_byte(
    registry_url: str, ck_client: SchemaRegistryClient, topic: str
) -> None:
    order_cls, line_cls = _proto_classes(f"interop{next(_names)}")
    order: Any = order_cls(id="o1", qty=3)
    order.at.seconds = 1_700_000_000
    order.lines.add(sku="s1")
    line = line_cls(sku="nested")
    ours = ProtobufSerializer(order_cls, registry_client({"url": registry_url}))
    theirs = CkProtobufSerializer(order_cls, ck_client, conf=CK_CONF)
    mine = ours(order, _ctx(topic))
    assert mine is not None
    assert mine == theirs(order, _ctx(topic))
    assert CkProtobufDeserializer(order_cls)(mine, _ctx(topic)) == order

    nested_topic = f"{topic}-lines"
    their_line = CkProtobufSerializer(line_cls, ck_client, conf=CK_CONF)(line, _ctx(nested_topic))
    our_line = ProtobufSerializer(line_cls, registry_client({"url": registry_url}))(
        line, _ctx(nested_topic)
    )
    assert our_line == their_line
    dynamic = ProtobufDeserializer(
        None, schema_registry_client=registry_client({"url": registry_url})
    )
    back = dynamic(their_line, _ctx(nested_topic))
    assert type(back).DESCRIPTOR.full_name.endswith("Order.Line")
    assert back.sku == "nested"
    assert dynamic(theirs(order, _ctx(topic)), _ctx(topic)).lines[0].sku == "s1"


def test_protobuf_imports_travel_as_references(
    registry_url: str, ck_client: SchemaRegistryClient, topic: str
) -> None:
    package = f"imp{next(_names)}"
    common = ProtobufFormat().parse(
        f'syntax = "proto3"; package {package}.common; message Money {{ int64 cents = 1; }}'
    )
    import_path = f"{package}/money.proto"
    priced = ProtobufFormat().parse(
        f'syntax = "proto3"; package {package}; import "{import_path}"; '
        f"message Priced {{ {package}.common.Money price = 1; }}",
        [ResolvedReference(import_path, import_path, 1, common)],
    )
    priced_cls = message_class(priced, f"{package}.Priced")
    message: Any = priced_cls()
    message.price.cents = 250
    ours = ProtobufSerializer(priced_cls, registry_client({"url": registry_url}))
    data = ours(message, _ctx(topic))
    assert data is not None
    assert CkProtobufDeserializer(priced_cls)(data, _ctx(topic)) == message
    latest = ck_client.get_latest_version(f"{topic}-value")
    assert [(r.name, r.subject) for r in latest.schema.references or []] == [
        (import_path, import_path)
    ]
    theirs = CkProtobufSerializer(priced_cls, ck_client, conf=CK_CONF)(message, _ctx(topic))
    assert theirs == data
    dynamic = ProtobufDeserializer(
        None, schema_registry_client=registry_client({"url": registry_url})
    )
    assert dynamic(theirs, _ctx(topic)).price.cents == 250


def test_registry_outage_cached_flows_uncached_fails_fast(server_factory: ServerFactory) -> None:
    server = server_factory.start()
    settings = HttpSettings((server.url,), timeout_s=2.0, max_retries=2, backoff_initial_s=0.01)
    client = CachedRegistryClient(HttpRegistryClient(settings))
    topic = f"outage{next(_names)}"
    warm = AvroSerializer(client, _avro(f"Warm{next(_names)}"))
    reader = AvroDeserializer(client)
    first = warm(VALUES[0], _ctx(topic))
    other = AvroSerializer(registry_client({"url": server.url}), _avro(f"Cold{next(_names)}"))(
        VALUES[0], _ctx(f"{topic}-other")
    )
    server.stop()
    for value in VALUES:
        assert reader(warm(value, _ctx(topic)), _ctx(topic)) == value
    assert reader(first, _ctx(topic)) == VALUES[0]
    started = time.monotonic()
    with pytest.raises(RegistryUnavailableError) as info:
        reader(other, _ctx(topic))
    assert info.value.retryable
    assert time.monotonic() - started < 10


@pytest.mark.kafka
def test_plugs_into_serializing_producer_and_deserializing_consumer(
    registry_url: str, ck_client: SchemaRegistryClient, kafka_bootstrap: str
) -> None:
    """End to end: our serializers in confluent-kafka's clients, through a real broker."""
    topic = f"serdes-e2e-{uuid.uuid4().hex[:10]}"
    admin = AdminClient({"bootstrap.servers": kafka_bootstrap})
    for future in admin.create_topics([NewTopic(topic, 1, 1)]).values():
        future.result(30)
    client = registry_client({"url": registry_url})
    producer = SerializingProducer(
        {
            "bootstrap.servers": kafka_bootstrap,
            "key.serializer": AvroSerializer(client, '"string"'),
            "value.serializer": AvroSerializer(client, _avro(f"E2e{next(_names)}")),
        }
    )
    for i, value in enumerate(VALUES):
        producer.produce(topic, key=f"k{i}", value=value)
    assert producer.flush(30) == 0

    consumer = DeserializingConsumer(
        {
            "bootstrap.servers": kafka_bootstrap,
            "group.id": f"g-{topic}",
            "auto.offset.reset": "earliest",
            "key.deserializer": AvroDeserializer(client),
            # confluent-kafka's own deserializer reads what ours wrote.
            "value.deserializer": CkAvroDeserializer(ck_client, conf=CK_CONF),
        }
    )
    received: list[tuple[Any, Any]] = []
    try:
        consumer.subscribe([topic])
        deadline = time.monotonic() + 60
        while len(received) < len(VALUES) and time.monotonic() < deadline:
            message = consumer.poll(1.0)
            if message is not None and message.error() is None:
                received.append((message.key(), message.value()))
    finally:
        consumer.close()
    assert received == [(f"k{i}", value) for i, value in enumerate(VALUES)]
