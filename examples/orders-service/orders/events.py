"""Order events on Kafka: written with confluent-kafka's Avro serializer, read back with its
deserializer. The producer is passed in, so tests can capture what would be sent."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from confluent_kafka.schema_registry import SchemaRegistryClient
from confluent_kafka.schema_registry.avro import AvroDeserializer, AvroSerializer
from confluent_kafka.serialization import MessageField, SerializationContext

TOPIC = "orders"
SCHEMA = (Path(__file__).resolve().parents[1] / "schemas" / "order.avsc").read_text()


@dataclass(frozen=True)
class Order:
    """What the service knows about an order."""

    id: str
    amount_cents: int


class Producer(Protocol):
    """The part of confluent_kafka.Producer this service uses."""

    def produce(self, topic: str, value: bytes, key: bytes) -> None: ...


class OrderPublisher:
    """Serializes orders with the registered schema and hands them to the producer."""

    def __init__(self, producer: Producer, registry: SchemaRegistryClient) -> None:
        self._producer = producer
        self._serialize = AvroSerializer(
            registry,
            SCHEMA,
            lambda order, ctx: {"id": order.id, "amount_cents": order.amount_cents},
        )

    def publish(self, order: Order) -> None:
        value = self._serialize(order, SerializationContext(TOPIC, MessageField.VALUE))
        assert value is not None
        self._producer.produce(TOPIC, value=value, key=order.id.encode())


class OrderReader:
    """Reads order events written under any registered version of the schema."""

    def __init__(self, registry: SchemaRegistryClient) -> None:
        # Read with the service's own schema: newer writers' extra fields are dropped.
        self._deserialize = AvroDeserializer(registry, SCHEMA)

    def read(self, value: bytes) -> Order:
        fields: dict[str, Any] = self._deserialize(
            value, SerializationContext(TOPIC, MessageField.VALUE)
        )
        return Order(fields["id"], fields["amount_cents"])
