"""Reading a sample of a topic: the one place the command line talks to Kafka.

A check must not disturb the topic's consumers, so it joins no consumer group: the consumer is
assigned each partition directly, at an offset computed from the partition's watermarks, and
never commits (librdkafka wants a group id all the same, so it gets a throwaway one). The
read stops at the high watermark seen at the start, so records produced meanwhile do not
stretch it, and the whole of it is bounded by a timeout.

Failures map to the CLI's exit codes: unusable `--kafka-config` settings and a topic the
cluster does not know are the user's to fix (`InputError`, exit 2); unreachable brokers,
refused access and a read that does not finish in time are `KafkaFailedError` (exit 3).
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import MutableMapping
from dataclasses import dataclass
from typing import Any

from confluent_kafka import Consumer, KafkaError, KafkaException, Message, TopicPartition

from cli.errors import InputError, KafkaFailedError
from cli.topic_records import CapturedRecord, Sample, Start

logger = logging.getLogger(__name__)

#: Settings a check always uses, whatever `--kafka-config` says: it must never commit offsets
#: (they would belong to a group nobody owns), and it needs end-of-partition events to know
#: when a partition is read.
_FORCED = {
    "enable.auto.commit": False,
    "enable.auto.offset.store": False,
    "enable.partition.eof": True,
}
#: Records fetched per poll; large enough that a sample takes few round trips.
_BATCH = 500


@dataclass(frozen=True, slots=True)
class KafkaSource:
    """Where the topic is, the extra librdkafka settings, and the time the read may take."""

    bootstrap_servers: str
    topic: str
    config: tuple[tuple[str, str], ...] = ()
    timeout_s: float = 30.0


@dataclass(frozen=True, slots=True)
class _Range:
    """The offsets to read in one partition: from `begin` up to, not including, `end`."""

    partition: int
    begin: int
    end: int


class _QuietLogs(logging.LoggerAdapter[logging.Logger]):
    """librdkafka's log lines at DEBUG: its connection retries would otherwise flood the
    terminal, and every failure that matters reaches the user as an error message."""

    def log(self, level: int, msg: object, *args: object, **kwargs: Any) -> None:
        self.logger.debug(msg, *args, **kwargs)

    def process(self, msg: Any, kwargs: MutableMapping[str, Any]) -> tuple[Any, Any]:
        return msg, kwargs


def _consumer(source: KafkaSource) -> Consumer:
    conf: dict[str, object] = {
        "bootstrap.servers": source.bootstrap_servers,
        "group.id": f"cairn-check-{uuid.uuid4().hex}",
        "logger": _QuietLogs(logger, {}),
    }
    conf.update(dict(source.config))
    conf.update(_FORCED)
    try:
        return Consumer(conf)
    except (KafkaException, ValueError, TypeError) as exc:
        raise InputError(f"Cannot create a Kafka consumer with these settings: {exc}") from exc


class _Deadline:
    """The time left of the read's budget; running out is a `KafkaFailedError`."""

    def __init__(self, timeout_s: float) -> None:
        self.timeout_s = timeout_s
        self._end = time.monotonic() + timeout_s

    def left(self) -> float:
        return max(self._end - time.monotonic(), 0.0)

    def passed(self) -> bool:
        return time.monotonic() >= self._end


def _partitions(consumer: Consumer, source: KafkaSource, deadline: _Deadline) -> list[int]:
    topic = source.topic
    try:
        metadata = consumer.list_topics(topic=topic, timeout=max(deadline.left(), 0.1))
    except KafkaException as exc:
        raise KafkaFailedError(
            f"Cannot reach Kafka at {source.bootstrap_servers}: {exc.args[0] if exc.args else exc}"
            ". Check --bootstrap-servers and --kafka-config (security settings)."
        ) from exc
    found = metadata.topics.get(topic)
    error = found.error if found is not None else None
    if found is None or (error is not None and error.code() == KafkaError.UNKNOWN_TOPIC_OR_PART):
        raise InputError(
            f"Topic {topic!r} does not exist on {source.bootstrap_servers}. Check the name "
            "(kafka-topics --list shows the topics)."
        )
    if error is not None:
        raise KafkaFailedError(f"Cannot read topic {topic!r}: {error.str()}")
    return sorted(found.partitions)


def _ranges(
    consumer: Consumer,
    source: KafkaSource,
    partitions: list[int],
    *,
    per_partition: int,
    start: Start,
    deadline: _Deadline,
) -> list[_Range]:
    ranges: list[_Range] = []
    for partition in partitions:
        try:
            low, high = consumer.get_watermark_offsets(
                TopicPartition(source.topic, partition),
                timeout=max(deadline.left(), 0.1),
                cached=False,
            )
        except KafkaException as exc:
            raise KafkaFailedError(
                f"Cannot read the offsets of {source.topic!r} partition {partition}: {exc}"
            ) from exc
        begin = low if start is Start.EARLIEST else max(low, high - per_partition)
        if begin < high:
            ranges.append(_Range(partition, begin, high))
    return ranges


def _record(message: Message) -> CapturedRecord:
    found = message.headers() or []
    pairs = list(found.items()) if isinstance(found, dict) else found
    headers = [(name, value.encode() if isinstance(value, str) else value) for name, value in pairs]
    key, value = message.key(), message.value()
    return CapturedRecord(
        partition=message.partition() or 0,
        offset=message.offset() or 0,
        value=value.encode() if isinstance(value, str) else value,
        key=key.encode() if isinstance(key, str) else key,
        headers=tuple(headers),
    )


def _read(
    consumer: Consumer,
    source: KafkaSource,
    ranges: list[_Range],
    *,
    per_partition: int,
    deadline: _Deadline,
) -> list[CapturedRecord]:
    """The records of every range; a partition ends at its end offset, its end-of-partition
    event (offsets past removed records or transaction markers), or `per_partition` records."""
    pending = {r.partition: r for r in ranges}
    counts = dict.fromkeys(pending, 0)
    records: list[CapturedRecord] = []
    last_error: KafkaError | None = None
    consumer.assign([TopicPartition(source.topic, r.partition, r.begin) for r in ranges])
    while pending:
        if deadline.passed():
            detail = f"; last error: {last_error.str()}" if last_error is not None else ""
            raise KafkaFailedError(
                f"Reading {source.topic!r} did not finish within {deadline.timeout_s:g} s: "
                f"partitions {sorted(pending)} were not read to the end ({len(records)} records "
                f"read){detail}. Raise --kafka-timeout, or check the brokers."
            )
        for message in consumer.consume(_BATCH, timeout=min(deadline.left(), 0.5)):
            partition = message.partition()
            error = message.error()
            if error is not None:
                if error.code() == KafkaError._PARTITION_EOF:
                    pending.pop(partition or 0, None)
                elif error.fatal() or not error.retriable():
                    raise KafkaFailedError(f"Reading {source.topic!r} failed: {error.str()}")
                else:
                    last_error = error
                continue
            wanted = pending.get(partition or 0)
            offset = message.offset() or 0
            if wanted is None:
                continue
            if offset >= wanted.end:
                pending.pop(wanted.partition)
                continue
            records.append(_record(message))
            counts[wanted.partition] += 1
            if counts[wanted.partition] >= per_partition or offset >= wanted.end - 1:
                pending.pop(wanted.partition)
    return records


def sample_topic(source: KafkaSource, *, per_partition: int, start: Start) -> Sample:
    """Up to `per_partition` records of each partition of the topic, the first or the last."""
    deadline = _Deadline(source.timeout_s)
    consumer = _consumer(source)
    try:
        partitions = _partitions(consumer, source, deadline)
        ranges = _ranges(
            consumer,
            source,
            partitions,
            per_partition=per_partition,
            start=start,
            deadline=deadline,
        )
        records = _read(consumer, source, ranges, per_partition=per_partition, deadline=deadline)
    finally:
        consumer.close()
    records.sort(key=lambda r: (r.partition, r.offset))
    logger.debug("read %d records of %s", len(records), source.topic)
    return Sample(
        source=f"topic {source.topic}",
        records=tuple(records),
        partitions=len(partitions),
        per_partition=per_partition,
        start=start,
    )
