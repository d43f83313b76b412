"""The dead-letter helper: routing, headers, commit-after-ack, and a real broker round trip."""

from __future__ import annotations

import itertools
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from confluent_kafka import Consumer, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic  # type: ignore[attr-defined]

from serdes.avro import AvroDeserializer, AvroSerializer
from serdes.client import InMemoryRegistryClient
from serdes.context import SerializationContext
from serdes.deadletter import (
    ERROR_FIELD_HEADER,
    ERROR_MESSAGE_HEADER,
    ERROR_TYPE_HEADER,
    ORIGINAL_OFFSET_HEADER,
    ORIGINAL_PARTITION_HEADER,
    ORIGINAL_TOPIC_HEADER,
    DeadLetters,
)
from serdes.errors import DeadLetterError, RegistryUnavailableError
from tests.serdes.support import Switchable, framed

SCHEMA = '{"type":"record","name":"E","fields":[{"name":"n","type":"int"}]}'
_names = itertools.count()


@dataclass
class FakeMessage:
    """A consumed record, shaped like confluent-kafka's `Message`."""

    _value: bytes | None
    _key: bytes | None = b"k"
    _headers: list[tuple[str, bytes | None]] | None = None
    _topic: str = "events"
    _partition: int = 2
    _offset: int = 41

    def topic(self) -> str:
        return self._topic

    def partition(self) -> int:
        return self._partition

    def offset(self) -> int:
        return self._offset

    def key(self) -> bytes | None:
        return self._key

    def value(self) -> bytes | None:
        return self._value

    def headers(self) -> list[tuple[str, bytes | None]] | None:
        return self._headers


@dataclass
class FakeProducer:
    """Records produced messages; `flush` runs the delivery callbacks with `error`."""

    error: object = None
    deliver: bool = True
    produced: list[dict[str, Any]] = field(default_factory=list)
    pending: list[Callable[[Any, Any], None]] = field(default_factory=list)
    log: list[str] = field(default_factory=list)

    def produce(
        self,
        topic: str,
        value: bytes | None = None,
        key: bytes | None = None,
        *,
        headers: list[tuple[str, str | bytes | None]] | None = None,
        on_delivery: Callable[[Any, Any], None] | None = None,
    ) -> None:
        self.produced.append({"topic": topic, "value": value, "key": key, "headers": headers})
        self.log.append("produce")
        if on_delivery is not None:
            self.pending.append(on_delivery)

    def flush(self, timeout: float = -1) -> int:
        if self.deliver:
            while self.pending:
                self.pending.pop(0)(self.error, None)
                self.log.append("delivered")
        return len(self.pending)


@dataclass
class FakeConsumer:
    """Records commits, sharing the producer's log to check ordering."""

    log: list[str]
    commits: list[Any] = field(default_factory=list)

    def commit(self, *, message: Any, asynchronous: bool) -> None:
        assert asynchronous is False
        self.commits.append(message)
        self.log.append("commit")


def _setup(**producer: Any) -> tuple[DeadLetters, FakeProducer, FakeConsumer, bytes]:
    client = InMemoryRegistryClient()
    good = framed(AvroSerializer(client, SCHEMA)({"n": 5}, SerializationContext("events")))
    fake_producer = FakeProducer(**producer)
    consumer = FakeConsumer(fake_producer.log)
    letters = DeadLetters(
        consumer,
        fake_producer,
        value_deserializer=AvroDeserializer(client),
        delivery_timeout_s=0.05,
    )
    return letters, fake_producer, consumer, good


def test_good_records_are_deserialized_and_not_committed_by_the_helper() -> None:
    letters, producer, consumer, good = _setup()
    record = letters.deserialize(FakeMessage(good, _headers=[("h", b"1")]))
    assert record is not None
    assert (record.value, record.key, record.partition, record.offset) == ({"n": 5}, b"k", 2, 41)
    assert producer.produced == []
    assert consumer.commits == []


def test_rejected_records_go_to_the_dead_letter_topic_then_are_committed() -> None:
    letters, producer, consumer, _good = _setup()
    message = FakeMessage(b"\x09garbage", _headers=[("trace", b"abc")])
    assert letters.deserialize(message) is None
    [sent] = producer.produced
    assert (sent["topic"], sent["key"], sent["value"]) == ("events.dlq", b"k", b"\x09garbage")
    headers = dict(sent["headers"])
    assert sent["headers"][0] == ("trace", b"abc")
    assert headers[ERROR_TYPE_HEADER] == b"FramingError"
    assert b"unknown magic byte" in headers[ERROR_MESSAGE_HEADER]
    assert headers[ERROR_FIELD_HEADER] == b"value"
    assert (headers[ORIGINAL_TOPIC_HEADER], headers[ORIGINAL_PARTITION_HEADER]) == (b"events", b"2")
    assert headers[ORIGINAL_OFFSET_HEADER] == b"41"
    assert consumer.commits == [message]
    assert producer.log == ["produce", "delivered", "commit"]


def test_a_failed_delivery_commits_nothing() -> None:
    letters, _producer, consumer, _good = _setup(error="broker said no")
    with pytest.raises(DeadLetterError, match="broker said no") as info:
        letters.deserialize(FakeMessage(b"\x09garbage"))
    assert info.value.retryable
    assert consumer.commits == []


def test_no_delivery_report_in_time_commits_nothing() -> None:
    letters, _producer, consumer, _good = _setup(deliver=False)
    with pytest.raises(DeadLetterError, match="in time"):
        letters.deserialize(FakeMessage(b"\x09garbage"))
    assert consumer.commits == []


def test_retryable_errors_are_raised_not_dead_lettered() -> None:
    registry = Switchable()
    good = AvroSerializer(registry.inner, SCHEMA)({"n": 1}, SerializationContext("events"))
    registry.down = True
    producer = FakeProducer()
    consumer = FakeConsumer(producer.log)
    letters = DeadLetters(consumer, producer, value_deserializer=AvroDeserializer(registry))
    with pytest.raises(RegistryUnavailableError):
        letters.deserialize(FakeMessage(good))
    assert producer.produced == []
    assert consumer.commits == []


@pytest.mark.kafka
def test_dead_letters_through_a_real_broker(kafka_bootstrap: str) -> None:
    topic = f"serdes-dlq-{uuid.uuid4().hex[:8]}-{next(_names)}"
    dead = f"{topic}.dlq"
    admin = AdminClient({"bootstrap.servers": kafka_bootstrap})
    for future in admin.create_topics([NewTopic(t, 1, 1) for t in (topic, dead)]).values():
        future.result(30)

    client = InMemoryRegistryClient()
    serializer = AvroSerializer(client, SCHEMA)
    producer = Producer({"bootstrap.servers": kafka_bootstrap})
    good = serializer({"n": 7}, SerializationContext(topic))
    producer.produce(topic, good, b"k1")
    producer.produce(topic, b"\x00\x00\x00\x00\x63junk", b"k2", headers=[("trace", b"t-1")])
    producer.produce(topic, good, b"k3")
    assert producer.flush(30) == 0

    group = f"g-{topic}"
    consumer = Consumer(
        {
            "bootstrap.servers": kafka_bootstrap,
            "group.id": group,
            "enable.auto.commit": False,
            "auto.offset.reset": "earliest",
        }
    )
    try:
        consumer.subscribe([topic])
        letters = DeadLetters(consumer, producer, value_deserializer=AvroDeserializer(client))
        values: list[Any] = []
        dead_lettered = 0
        deadline = time.monotonic() + 60
        while len(values) + dead_lettered < 3 and time.monotonic() < deadline:
            message = consumer.poll(1.0)
            if message is None or message.error():
                continue
            record = letters.deserialize(message)
            if record is None:
                dead_lettered += 1
                committed = consumer.committed([TopicPartition(topic, 0)], timeout=10)
                offset = message.offset()
                assert offset is not None
                assert committed[0].offset == offset + 1
            else:
                values.append((record.key, record.value))
        assert values == [(b"k1", {"n": 7}), (b"k3", {"n": 7})]
        assert dead_lettered == 1
    finally:
        consumer.close()

    reader = Consumer(
        {
            "bootstrap.servers": kafka_bootstrap,
            "group.id": f"r-{topic}",
            "auto.offset.reset": "earliest",
        }
    )
    try:
        reader.subscribe([dead])
        deadline = time.monotonic() + 60
        found = None
        while found is None and time.monotonic() < deadline:
            message = reader.poll(1.0)
            if message is not None and not message.error():
                found = message
        assert found is not None
        assert (found.key(), found.value()) == (b"k2", b"\x00\x00\x00\x00\x63junk")
        headers = dict(found.headers() or [])
        assert headers["trace"] == b"t-1"
        assert headers[ERROR_TYPE_HEADER] == b"UnknownSchemaIdError"
        assert headers[ORIGINAL_TOPIC_HEADER] == topic.encode()
        assert headers[ORIGINAL_OFFSET_HEADER] == b"1"
    finally:
        reader.close()
