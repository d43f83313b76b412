"""Reading one's own writes back: a consumer that stays assigned and waits for an offset.

After an append the store must apply the appended records from the log itself (a write is
acknowledged only once the node's reader applied it). `KafkaLog.read` would pay for that on
every write: a watermark request, assigning a pooled consumer (the fetcher starts cold), and a
wait for end-of-partition. The tail instead keeps one consumer assigned at the offset after
the last record it delivered, so its fetcher is already waiting at the end of the partition
when the records arrive, and a read-back returns as soon as the wanted offset is delivered,
with no end offset to look up and no end-of-partition to wait for. Under `read_committed` the
records of a transaction show once its commit marker is written, which the fetch picks up on
its own: no polling with pauses above it.

One thread reads at a time (a consumer is not shared between concurrent polls). A read that
starts where the last one stopped continues the fetch; one that starts elsewhere (the state
was advanced by another reader, or a read failed half-way) re-assigns the partition there.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from typing import Any

from confluent_kafka import Consumer, KafkaError, KafkaException, TopicPartition

from registry.log.base import LogRecord
from registry.log.errors import LogClosedError, LogError
from registry.log.kafka._reading import consumer_config, to_record

#: The longest single poll; bounds how long `close` waits for a read in progress.
POLL_S = 0.05
#: A read starting at most this many offsets past the tail's position skips the records in
#: between (likely fetched already) instead of re-assigning the partition.
SKIP_LIMIT = 256
#: How long the broker may hold a fetch of the tail that finds nothing new. It answers as
#: soon as records show, so this only bounds the idle fetch rate of a waiting tail.
TAIL_FETCH_WAIT_MS = 100


def tail_config(client_config: Mapping[str, Any]) -> dict[str, Any]:
    """Settings of the tail's consumer: a reading consumer whose idle fetches wait longer."""
    return {**consumer_config(client_config), "fetch.wait.max.ms": TAIL_FETCH_WAIT_MS}


class TailReader:
    """One long-lived consumer of partition 0 for read-backs (see the module doc)."""

    def __init__(self, factory: Callable[[], Consumer], topic: str) -> None:
        self._factory = factory
        self._topic = topic
        self._lock = threading.Lock()
        self._consumer: Consumer | None = None
        #: The offset after the last record delivered; None: the position is unknown.
        self._next: int | None = None
        self._closed = False

    def read_through(self, from_offset: int, through: int, timeout_s: float) -> list[LogRecord]:
        """The records with offsets in [from_offset, x], where x >= `through` is the first
        record delivered at or past `through`.

        `through` must be the offset of a record known to be in the log (one just appended),
        so that it will show. Raises `LogError` if it does not within `timeout_s`.
        """
        if from_offset > through:
            return []
        with self._lock:
            if self._closed:
                raise LogClosedError(f"the Kafka log on {self._topic!r} is closed")
            try:
                return self._read(from_offset, through, time.monotonic() + timeout_s)
            except BaseException:
                # Where the consumer stands is unknown now: position it anew next time.
                self._next = None
                raise

    def _read(self, from_offset: int, through: int, deadline: float) -> list[LogRecord]:
        consumer = self._position(from_offset)
        records: list[LogRecord] = []
        while True:
            if self._closed:
                raise LogClosedError(f"the Kafka log on {self._topic!r} was closed")
            message = consumer.poll(POLL_S)
            if message is None:
                if time.monotonic() > deadline:
                    raise LogError(
                        f"offset {through} of topic {self._topic!r} did not show within "
                        "the read-back timeout"
                    )
                continue
            error = message.error()
            if error is not None:
                if error.code() == KafkaError._PARTITION_EOF:
                    continue
                if error.fatal() or not error.retriable():
                    raise LogError(f"reading topic {self._topic!r} failed: {error}")
                continue
            offset = message.offset()
            if offset is None:
                continue
            self._next = offset + 1
            if offset < from_offset:
                continue
            records.append(to_record(offset, message.key(), message.value(), message.timestamp()))
            if offset >= through:
                return records

    def _position(self, from_offset: int) -> Consumer:
        """The consumer, set to deliver `from_offset` next (or a few records before it)."""
        consumer = self._consumer
        if consumer is None:
            try:
                consumer = self._factory()
            except (KafkaException, ValueError) as exc:
                raise LogError(f"cannot create a Kafka consumer: {exc}") from exc
            self._consumer = consumer
        position = self._next
        if position is None or not position <= from_offset <= position + SKIP_LIMIT:
            try:
                consumer.assign([TopicPartition(self._topic, 0, from_offset)])
            except KafkaException as exc:
                raise LogError(f"cannot assign topic {self._topic!r}: {exc}") from exc
            self._next = from_offset
        return consumer

    def close(self) -> None:
        """Stop reading (a read in progress fails within `POLL_S`) and close the consumer."""
        self._closed = True
        with self._lock:
            consumer, self._consumer = self._consumer, None
        if consumer is not None:
            consumer.close()
