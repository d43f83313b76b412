"""Routing records the deserializers reject to a dead-letter topic, then committing past them.

A consumer loop calls `DeadLetters.deserialize(message)` for each record. A record that will
never deserialize (bad framing, unknown schema id, payload not matching its schema) is copied
to the dead-letter topic with its original key, value and headers, plus headers saying what
went wrong and where it came from; only after the broker has confirmed that write is the
record's offset committed, so a crash in between re-delivers it rather than losing it.
Retryable errors (registry unavailable) are raised instead: the same record will succeed
later, and dead-lettering it would lose a good record.

Kafka clients are passed in and used only through the small protocols below, which
confluent-kafka's `Producer`, `Consumer` and `Message` satisfy.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal, Protocol

from serdes.context import MessageField, SerializationContext
from serdes.errors import DeadLetterError, SerdesError
from serdes.framing import Headers

ERROR_TYPE_HEADER = "dlq.error.type"
ERROR_MESSAGE_HEADER = "dlq.error.message"
ORIGINAL_TOPIC_HEADER = "dlq.original.topic"
ORIGINAL_PARTITION_HEADER = "dlq.original.partition"
ORIGINAL_OFFSET_HEADER = "dlq.original.offset"
ERROR_FIELD_HEADER = "dlq.error.field"

Deserialize = Callable[[bytes | None, SerializationContext], Any]
HeaderList = list[tuple[str, str | bytes | None]]


class MessageLike(Protocol):
    """The parts of a consumed Kafka message the helper reads (confluent-kafka's `Message`)."""

    def topic(self) -> str | None: ...
    def partition(self) -> int | None: ...
    def offset(self) -> int | None: ...
    def key(self) -> bytes | None: ...
    def value(self) -> bytes | None: ...
    def headers(self) -> Headers | None: ...


class ProducerLike(Protocol):
    """What the helper asks of a producer (confluent-kafka's `Producer`)."""

    def produce(
        self,
        topic: str,
        value: bytes | None = ...,
        key: bytes | None = ...,
        *,
        headers: HeaderList | None = ...,
        on_delivery: Callable[[Any, Any], None] | None = ...,
    ) -> None: ...

    def flush(self, timeout: float = ...) -> int: ...


class ConsumerLike(Protocol):
    """What the helper asks of a consumer (confluent-kafka's `Consumer`)."""

    def commit(self, *, message: Any, asynchronous: Literal[False]) -> object: ...


@dataclass(frozen=True, slots=True)
class Record:
    """A deserialized record and where it came from."""

    topic: str
    partition: int
    offset: int
    key: Any
    value: Any
    headers: HeaderList


def header_list(headers: Headers | None) -> HeaderList:
    """The headers as a new list of pairs, whichever shape they came in."""
    if headers is None:
        return []
    if isinstance(headers, Mapping):
        return list(headers.items())
    return list(headers)


def write_confirmed(
    producer: ProducerLike,
    topic: str,
    key: bytes | None,
    value: bytes | None,
    headers: HeaderList,
    *,
    timeout_s: float,
    cause: Exception,
    origin: tuple[str | None, int | None, int | None] = (None, None, None),
) -> None:
    """Produce one dead letter and wait for the broker's ack; `DeadLetterError` otherwise.

    Shared by the consumer-side helper and the rules' DLQ action, so both only go on once
    the dead letter is known to be written.
    """
    outcome: list[Any] = []
    producer.produce(
        topic,
        value,
        key,
        headers=headers,
        on_delivery=lambda err, _msg: outcome.append(err),
    )
    deadline = time.monotonic() + timeout_s
    # flush() serves the delivery callback; loop in case it returns early.
    while not outcome and time.monotonic() < deadline:
        producer.flush(max(0.0, deadline - time.monotonic()))
    if not outcome or outcome[0] is not None:
        problem = "no delivery report in time" if not outcome else str(outcome[0])
        raise DeadLetterError(
            f"dead letter to {topic} not confirmed: {problem}",
            topic=origin[0],
            partition=origin[1],
            offset=origin[2],
        ) from cause


def default_topic(topic: str) -> str:
    """`<topic>.dlq`: the dead-letter topic for records rejected from `topic`."""
    return f"{topic}.dlq"


class DeadLetters:
    """Deserializes consumed records; routes the ones that cannot be to a dead-letter topic."""

    def __init__(
        self,
        consumer: ConsumerLike,
        producer: ProducerLike,
        *,
        value_deserializer: Deserialize | None = None,
        key_deserializer: Deserialize | None = None,
        topic: Callable[[str], str] = default_topic,
        delivery_timeout_s: float = 30.0,
        commit: bool = True,
    ) -> None:
        self._consumer = consumer
        self._producer = producer
        self._value = value_deserializer
        self._key = key_deserializer
        self._topic = topic
        self._timeout_s = delivery_timeout_s
        self._commit = commit

    def deserialize(self, message: MessageLike) -> Record | None:
        """The record deserialized, or None when it was dead-lettered (and committed).

        Raises retryable errors (`RegistryUnavailableError`) unchanged, and `DeadLetterError`
        when the dead letter was not confirmed written; nothing is committed in either case.
        """
        topic = message.topic() or ""
        partition = message.partition()
        offset = message.offset()
        headers = header_list(message.headers())
        field = MessageField.KEY
        try:
            key = self._run(self._key, message.key(), topic, MessageField.KEY, message)
            field = MessageField.VALUE
            value = self._run(self._value, message.value(), topic, MessageField.VALUE, message)
        except SerdesError as error:
            if error.retryable:
                raise
            self.dead_letter(message, error, field=field)
            return None
        return Record(topic, partition or 0, offset or 0, key, value, headers)

    @staticmethod
    def _run(
        deserialize: Deserialize | None,
        data: bytes | None,
        topic: str,
        field: MessageField,
        message: MessageLike,
    ) -> Any:
        if deserialize is None:
            return data
        ctx = SerializationContext(
            topic, field, message.headers(), message.partition(), message.offset()
        )
        return deserialize(data, ctx)

    def dead_letter(
        self, message: MessageLike, error: Exception, *, field: MessageField = MessageField.VALUE
    ) -> None:
        """Write `message` to the dead-letter topic, wait for the broker's ack, then commit it."""
        topic = message.topic() or ""
        headers = header_list(message.headers())
        headers.extend(
            [
                (ERROR_TYPE_HEADER, type(error).__name__.encode()),
                (ERROR_MESSAGE_HEADER, str(error).encode("utf-8", "replace")),
                (ERROR_FIELD_HEADER, field.value.encode()),
                (ORIGINAL_TOPIC_HEADER, topic.encode()),
                (ORIGINAL_PARTITION_HEADER, str(message.partition()).encode()),
                (ORIGINAL_OFFSET_HEADER, str(message.offset()).encode()),
            ]
        )
        write_confirmed(
            self._producer,
            self._topic(topic),
            message.key(),
            message.value(),
            headers,
            timeout_s=self._timeout_s,
            cause=error,
            origin=(topic, message.partition(), message.offset()),
        )
        if self._commit:
            self._consumer.commit(message=message, asynchronous=False)
