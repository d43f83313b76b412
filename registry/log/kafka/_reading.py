"""Reading the registry topic: a pool of assigned (group-less) consumers and the read loop.

A read assigns partition 0 at the wanted offset and consumes up to the end offset captured
when the read began. Consumers are pooled because the store reads often (it follows the
topic): a new consumer would pay a connection and metadata round trip each time, while
re-assigning an idle one only costs the fetch. Reading one's own appends back after a write
goes through a consumer that stays assigned instead (`registry.log.kafka._tail`).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from confluent_kafka import Consumer, KafkaError, KafkaException, TopicPartition

from registry.log.base import LogRecord
from registry.log.errors import LogError

#: Idle consumers kept for later reads; more concurrent reads open and close their own.
POOL_SIZE = 4


def consumer_config(client_config: Mapping[str, Any]) -> dict[str, Any]:
    """Settings of a reading consumer: no group, no commits, EOF reported, quick fetches."""
    return {
        **client_config,
        # librdkafka insists on a group id; reads assign the partition and never join it.
        "group.id": "cairn-log-reader",
        "enable.auto.commit": False,
        "enable.auto.offset.store": False,
        "enable.partition.eof": True,
        # Should a read start below the log start, begin at the first record there is rather
        # than jump to the end and silently miss records.
        "auto.offset.reset": "earliest",
        # Records of transactional writers count only once committed; aborted ones never.
        "isolation.level": "read_committed",
        # A read ends at end-of-partition, which a fetch at the end reports only after this
        # wait; records written in transactions end with a commit marker the consumer never
        # sees, so every read of them ends that way. Reads are short-lived: keep it tiny.
        "fetch.wait.max.ms": 2,
        "queued.max.messages.kbytes": 16384,
    }


class ConsumerPool:
    """Hands out consumers for one read at a time and keeps a few idle ones."""

    def __init__(self, factory: Callable[[], Consumer], *, size: int = POOL_SIZE) -> None:
        self._factory = factory
        self._size = size
        self._idle: list[Consumer] = []
        self._lock = threading.Lock()
        self._closed = False

    def take(self) -> Consumer:
        """An idle consumer, or a new one."""
        with self._lock:
            if self._idle:
                return self._idle.pop()
        try:
            return self._factory()
        except (KafkaException, ValueError) as exc:
            raise LogError(f"cannot create a Kafka consumer: {exc}") from exc

    def give_back(self, consumer: Consumer) -> None:
        """Keep `consumer` for a later read, or close it if the pool is full or closed."""
        with self._lock:
            if not self._closed and len(self._idle) < self._size:
                self._idle.append(consumer)
                return
        consumer.close()

    def close(self) -> None:
        """Close the idle consumers; ones still reading are closed when given back."""
        with self._lock:
            self._closed = True
            idle, self._idle = self._idle, []
        for consumer in idle:
            consumer.close()


def read_range(
    pool: ConsumerPool, topic: str, start: int, end: int, *, stall_timeout_s: float
) -> Iterator[LogRecord]:
    """Yield the records in [start, end) of partition 0, skipping offsets compaction removed.

    Fails with `LogError` when no record or end-of-partition arrives for `stall_timeout_s`.
    """
    consumer = pool.take()
    try:
        consumer.assign([TopicPartition(topic, 0, start)])
        deadline = time.monotonic() + stall_timeout_s
        while True:
            message = consumer.poll(0.2)
            if message is None:
                if time.monotonic() > deadline:
                    raise LogError(
                        f"no records from topic {topic!r} for {stall_timeout_s} s "
                        f"while reading offsets [{start}, {end})"
                    )
                continue
            error = message.error()
            if error is not None:
                if error.code() == KafkaError._PARTITION_EOF:
                    return  # the end may lie past removed records or an aborted transaction
                if error.fatal() or not error.retriable():
                    raise LogError(f"reading topic {topic!r} failed: {error}")
                continue
            offset = message.offset()
            if offset is None or offset >= end:
                return
            deadline = time.monotonic() + stall_timeout_s
            yield to_record(offset, message.key(), message.value(), message.timestamp())
            if offset >= end - 1:
                return
    finally:
        consumer.unassign()
        pool.give_back(consumer)


def to_record(
    offset: int, key: bytes | None, value: bytes | None, timestamp: tuple[int, int]
) -> LogRecord:
    """A log record from a consumed message; a null key (no registry writes one) reads as b""."""
    _kind, millis = timestamp
    return LogRecord(offset, key or b"", value, millis)
