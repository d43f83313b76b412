"""The service's producer/consumer pair, tested against a real (in-process) Cairn registry.

The `schema_registry` fixture comes with Cairn (`pip install cairn-registry[testing]`): each
test gets an empty registry on a loopback port and a confluent-kafka client for it.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from confluent_kafka.schema_registry.avro import AvroSerializer
from confluent_kafka.schema_registry.error import SchemaRegistryError
from confluent_kafka.serialization import MessageField, SerializationContext
from orders.events import TOPIC, Order, OrderPublisher, OrderReader

from registry.testing import LocalRegistry
from serdes import AvroDeserializer as CairnAvroDeserializer
from serdes import SerializationContext as CairnContext
from serdes.client import registry_client

SCHEMAS = Path(__file__).resolve().parents[1] / "schemas"


class CapturingProducer:
    """Stands in for confluent_kafka.Producer: keeps what would have been sent."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, bytes, bytes]] = []

    def produce(self, topic: str, value: bytes, key: bytes) -> None:
        self.sent.append((topic, key, value))


def test_an_order_published_is_read_back(schema_registry: LocalRegistry) -> None:
    producer = CapturingProducer()
    OrderPublisher(producer, schema_registry.client()).publish(Order("o-1", 1250))
    [(topic, key, value)] = producer.sent
    assert (topic, key) == (TOPIC, b"o-1")
    # The serializer registered the schema under the topic's value subject.
    assert schema_registry.client().get_subjects() == ["orders-value"]
    assert OrderReader(schema_registry.client()).read(value) == Order("o-1", 1250)


def test_cairns_deserializer_reads_what_confluents_serializer_wrote(
    schema_registry: LocalRegistry,
) -> None:
    producer = CapturingProducer()
    OrderPublisher(producer, schema_registry.client()).publish(Order("o-2", 99))
    [(_, _, value)] = producer.sent
    reader = CairnAvroDeserializer(registry_client({"url": schema_registry.url}))
    assert reader(value, CairnContext(TOPIC)) == {"id": "o-2", "amount_cents": 99}


def test_the_reader_copes_with_a_newer_writer(schema_registry: LocalRegistry) -> None:
    schema_registry.register("orders-value", SCHEMAS / "order.avsc")
    newer = AvroSerializer(schema_registry.client(), (SCHEMAS / "order-v2.avsc").read_text())
    value = newer(
        {"id": "o-3", "amount_cents": 5, "currency": "USD"},
        SerializationContext(TOPIC, MessageField.VALUE),
    )
    assert value is not None
    assert OrderReader(schema_registry.client()).read(value) == Order("o-3", 5)


def test_a_breaking_schema_change_is_refused(schema_registry: LocalRegistry) -> None:
    schema_registry.register("orders-value", SCHEMAS / "order.avsc")
    with pytest.raises(SchemaRegistryError) as refused:
        AvroSerializer(schema_registry.client(), (SCHEMAS / "order-breaking.avsc").read_text())(
            {"id": "o-4", "amount": 1.0}, SerializationContext(TOPIC, MessageField.VALUE)
        )
    assert refused.value.http_status_code == 409
    assert "amount" in json.dumps(refused.value.error_message)
