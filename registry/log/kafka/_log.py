"""The Kafka log: the registry's records in one compacted, single-partition topic.

Records are keyed and valued with exactly the bytes the registry hands over, which are
Confluent's `_schemas` formats, so Confluent, Karapace and Cairn can read each other's topic.

Durability. The producer uses `acks=all` and idempotence (no duplicates or reordering on
retries). `append` returns only after the broker confirmed every record, with the offsets
it gave them.

All-or-nothing appends. The records of one `append` are sent as one Kafka record batch, which
a broker writes, replicates and (with idempotence) retries as one unit: all of it is in the
log or none of it is. A Kafka transaction would give the same, but every commit writes a
control record that takes an offset of its own, so offsets would no longer be dense, each
append would cost two more round trips, and readers in other products would have to read
committed; and `commit_transaction` returns before the commit marker is written, so reading
one's own write back would have to wait for the last stable offset to move. One batch per
append is guaranteed here because (a) only one thread produces at a
time and it waits for its records to be confirmed before the next round starts, so the
partition's queue holds nothing else; (b) `linger.ms` is far longer than producing takes and
`flush()` sends at once, so librdkafka never cuts a batch while records are still being
queued; and (c) an append larger than one batch may be (`MAX_APPEND_BYTES`,
`MAX_APPEND_RECORDS`) is refused before anything is sent. A retried batch keeps its
boundaries: the idempotent producer must resend the same sequence range.

Group commit (`registry.log._group_commit`, shared with `registry.log.file`). Appending
threads queue their batches; the first to find no writer active produces the queued appends
(up to `GROUP_BYTES`) as one batch and flushes once, so concurrent appends share the round
trip. An append is never split across batches; appends sharing a batch also share its fate.

Reading. `read` captures the partition's high watermark, then a pooled consumer fetches from
the wanted offset up to it (`registry.log.kafka._reading`). Offsets removed by compaction
are skipped: offsets stay what Kafka assigned. Reading an append back right after it
(`read_through`) skips the watermark request and the cold fetch: one consumer stays assigned
at the end of the partition and returns as soon as the appended offsets show
(`registry.log.kafka._tail`).

Several nodes. Nodes of a cluster share the topic, each following it
(`registry.store.Store.follow`), and only the elected leader writes
(`registry.cluster`). For them the log is opened with the cluster's
`transactional_id`: appends then run in Kafka transactions, only after `claim_writes()`,
and a node that claims later fences every earlier claimant, so a deposed leader that has
not noticed yet cannot write any more. That costs the offset of a commit marker per append
(offsets are then no longer dense) and a short wait in the reader for the marker (the
store reads its writes back until they show). A single node (tests, the contract suite)
needs none of it and appends without transactions.

A record that a failed append may still have delivered (a timeout is not a "no") shows up on
the next read, like in any replicated log; the caller was told the append failed.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field

from confluent_kafka import Consumer, KafkaError, KafkaException, Message, Producer, TopicPartition
from confluent_kafka.admin import AdminClient

from registry.log._checks import checked_offset, checked_records
from registry.log._group_commit import Batch, GroupCommitter, GroupLimits, Outcome
from registry.log.base import LogRecord
from registry.log.errors import LogClosedError, LogError, LogWriteError
from registry.log.kafka._clients import LibrdkafkaLog, client_config
from registry.log.kafka._reading import ConsumerPool, consumer_config, read_range
from registry.log.kafka._tail import TailReader, tail_config
from registry.log.kafka._topic import KafkaTopicError, TopicSpec, ensure_topic

__all__ = ["DEFAULT_TOPIC", "KafkaLog", "KafkaLogSettings", "KafkaTopicError"]

logger = logging.getLogger(__name__)

DEFAULT_TOPIC = "_schemas"
#: The most key and value bytes one append (and one group commit) may carry: one batch.
MAX_APPEND_BYTES = 8 * 1024 * 1024
#: The most records one append (and one group commit) may carry.
MAX_APPEND_RECORDS = 10_000
#: Appends of several threads share one batch up to this size, so that appends which fit a
#: topic's `max.message.bytes` alone are not failed by riding in a batch that does not.
GROUP_BYTES = 256 * 1024
#: Per-record bytes of a batch beyond key and value (lengths, deltas, headers count).
RECORD_OVERHEAD = 64


@dataclass(frozen=True, slots=True)
class KafkaLogSettings:
    """Where the log lives and how to reach it."""

    bootstrap_servers: str
    topic: str = DEFAULT_TOPIC
    #: Replicas of a topic this log creates; None: min(3, brokers in the cluster).
    replication_factor: int | None = None
    #: librdkafka settings passed to every client (security, timeouts, client.id, ...).
    client_config: Mapping[str, str] = field(default_factory=dict)
    #: Topic settings used only when this log creates the topic.
    topic_create_config: Mapping[str, str] = field(
        default_factory=lambda: {"max.message.bytes": str(MAX_APPEND_BYTES + (1 << 16))}
    )
    #: How long an append, a metadata request or a stalled read may take (at least 3 s).
    timeout_s: float = 30.0
    #: For a node of a cluster: appends run in Kafka transactions under this id, shared by
    #: all nodes, and only after `claim_writes()`; a later claim fences the earlier ones.
    transactional_id: str | None = None

    def __post_init__(self) -> None:
        if self.timeout_s < 3.0:
            raise ValueError(f"timeout_s must be at least 3 s, got {self.timeout_s}")


class KafkaLog:
    """A durable, thread-safe log on a Kafka topic (see the module doc)."""

    def __init__(
        self,
        settings: KafkaLogSettings,
        *,
        on_group_commit: Callable[[int], None] | None = None,
    ) -> None:
        """Connect, create or check the topic; use `KafkaLog.open`."""
        self._settings = settings
        self._tp = TopicPartition(settings.topic, 0)
        common = client_config(settings.bootstrap_servers, settings.client_config, LibrdkafkaLog())
        self._common = common
        try:
            ensure_topic(
                AdminClient(dict(common)),
                TopicSpec(
                    settings.topic,
                    replication_factor=settings.replication_factor,
                    create_config=settings.topic_create_config,
                ),
                timeout_s=settings.timeout_s,
            )
            self._producer: Producer | None = (
                None if settings.transactional_id is not None else self._new_producer()
            )
            self._meta = Consumer(consumer_config(common))
        except (KafkaException, ValueError) as exc:
            raise LogError(f"cannot set up Kafka clients: {exc}") from exc
        self._meta_lock = threading.Lock()
        self._pool = ConsumerPool(lambda: Consumer(consumer_config(common)))
        self._tail = TailReader(lambda: Consumer(tail_config(common)), settings.topic)
        # The producer and `_must_abort` change only under the committer's writer role (in a
        # group's writer, or `claim_writes`).
        self._committer = GroupCommitter(
            self._deliver,
            name=f"Kafka topic {settings.topic!r}",
            limits=GroupLimits(max_size=GROUP_BYTES, max_records=MAX_APPEND_RECORDS),
            on_group=on_group_commit,
        )
        # Makes closing happen once; reading the flag needs no lock.
        self._lock = threading.Lock()
        self._closed = False
        #: A transaction failed and could not be aborted yet; abort before the next one.
        self._must_abort = False

    @classmethod
    def open(
        cls,
        settings: KafkaLogSettings,
        *,
        on_group_commit: Callable[[int], None] | None = None,
    ) -> KafkaLog:
        """A log on `settings.topic`, created (compacted, one partition) if missing;
        `on_group_commit` is told the number of records of each transaction."""
        return cls(settings, on_group_commit=on_group_commit)

    @property
    def topic(self) -> str:
        """The topic the log lives in."""
        return self._settings.topic

    def _new_producer(self) -> Producer:
        transactional = (
            {}
            if self._settings.transactional_id is None
            else {"transactional.id": self._settings.transactional_id}
        )
        return Producer(
            {
                **self._common,
                **transactional,
                "acks": "all",
                "enable.idempotence": True,
                # A batch is cut by flush(), never by the clock (see the module doc).
                # (librdkafka wants it below message.timeout.ms.)
                "linger.ms": max(1000, int(self._settings.timeout_s * 500)),
                "batch.num.messages": MAX_APPEND_RECORDS,
                "batch.size": MAX_APPEND_BYTES + MAX_APPEND_RECORDS * RECORD_OVERHEAD,
                "message.max.bytes": MAX_APPEND_BYTES + MAX_APPEND_RECORDS * RECORD_OVERHEAD,
                "message.timeout.ms": int(self._settings.timeout_s * 1000),
            }
        )

    def claim_writes(self) -> None:
        """Become the only node that writes (transactional logs): fence earlier claimants.

        Kafka bumps the transactional id's epoch: an earlier claimant's open transaction is
        aborted and every later write of it refused. Call it on winning the leadership.
        """
        if self._settings.transactional_id is None:
            raise ValueError("only a log with a transactional_id has write claims")
        producer = self._new_producer()
        try:
            producer.init_transactions(self._settings.timeout_s)
        except KafkaException as exc:
            raise LogWriteError(f"cannot claim writes to {self.topic!r}: {exc}") from exc
        with self._committer.exclusive():
            self._check_open()
            old, self._producer = self._producer, producer
            self._must_abort = False
        if old is not None:
            old.purge()
        logger.info("claimed writes to %s", self.topic)

    @property
    def holds_write_claim(self) -> bool:
        """Whether appends can be made (always, without a transactional id)."""
        return self._producer is not None

    def append(self, records: Sequence[tuple[bytes, bytes | None]]) -> list[int]:
        """Append records as one batch and return their offsets once Kafka confirmed them."""
        batch = checked_records(records)
        size = sum(len(k) + len(v or b"") + RECORD_OVERHEAD for k, v in batch)
        if size > MAX_APPEND_BYTES or len(batch) > MAX_APPEND_RECORDS:
            raise LogWriteError(
                f"an append is limited to {MAX_APPEND_BYTES} bytes and {MAX_APPEND_RECORDS} "
                "records (one Kafka record batch)"
            )
        self._check_open()
        if not batch:
            return []
        # Closing stops the committer: it refuses the append if the log closed meanwhile.
        return self._committer.submit(batch, size=size)

    def _deliver(self, batches: list[Batch]) -> list[Outcome]:
        """Produce `batches` as one Kafka batch and return each append's offsets or error.

        Runs in the writer of a group, so one round at a time; waits for the broker.
        """
        results: dict[int, tuple[KafkaError | None, int]] = {}

        def on_delivery(index: int) -> Callable[[KafkaError | None, Message], None]:
            def report(error: KafkaError | None, message: Message) -> None:
                offset = message.offset() if error is None else None
                results[index] = (error, -1 if offset is None else offset)

            return report

        producer = self._producer
        if producer is None:
            return self._fail(
                len(batches), "this node does not hold the write claim (it is not the leader)"
            )
        transactional = self._settings.transactional_id is not None
        timestamp = time.time_ns() // 1_000_000
        index = 0
        try:
            if transactional:
                if self._must_abort:
                    producer.abort_transaction(self._settings.timeout_s)
                    self._must_abort = False
                producer.begin_transaction()
            for batch in batches:
                for key, value in batch:
                    producer.produce(
                        self.topic,
                        key=key,
                        value=value,
                        partition=0,
                        timestamp=timestamp,
                        on_delivery=on_delivery(index),
                    )
                    index += 1
            left = producer.flush(self._settings.timeout_s + 5.0)
            if transactional and not left:
                producer.commit_transaction(self._settings.timeout_s)
        except (KafkaException, BufferError) as exc:
            self._abandon(producer, exc)
            return self._fail(len(batches), f"could not produce to {self.topic!r}: {exc}")
        if left:
            self._abandon(producer, None)
            return self._fail(
                len(batches),
                f"Kafka did not confirm the records within {self._settings.timeout_s} s",
            )
        outcomes: list[Outcome] = []
        position = 0
        for batch in batches:
            reports = [results.get(position + i, (None, -1)) for i in range(len(batch))]
            position += len(batch)
            errors = [error for error, _ in reports if error is not None]
            offsets = [offset for _, offset in reports]
            if errors or min(offsets) < 0:
                reason = errors[0] if errors else "no delivery report"
                outcomes.append(self._write_error(reason))
            else:
                outcomes.append(offsets)
            if any(error.fatal() for error in errors):
                self._replace_producer(producer)
        return outcomes

    def _abandon(self, producer: Producer, exc: Exception | None) -> None:
        """Clean up after a failed round so the next one starts on a clean producer."""
        # Unsent records must not ride along in the next append's batch; records already in
        # flight stay in their own batch and may still land (the caller is told they did not).
        producer.purge(in_queue=True, in_flight=False)
        if self._settings.transactional_id is None:
            producer.flush(self._settings.timeout_s + 5.0)
            return
        error = exc.args[0] if exc is not None and exc.args else None
        if isinstance(error, KafkaError) and error.fatal():
            # Fenced by a newer claimant (or broken for good): no more writes from this node
            # until it claims again, which it does only when elected again.
            logger.error("lost the write claim to %s: %s", self.topic, error)
            if self._producer is producer:
                self._producer = None
            return
        try:
            producer.abort_transaction(self._settings.timeout_s)
        except KafkaException as abort_exc:
            logger.warning("aborting the failed transaction failed, retrying later: %s", abort_exc)
            self._must_abort = True

    def _write_error(self, reason: KafkaError | str) -> LogWriteError:
        return LogWriteError(f"append to Kafka topic {self.topic!r} failed: {reason}")

    def _fail(self, count: int, reason: str) -> list[Outcome]:
        """The outcomes of `count` appends that all failed for `reason`."""
        logger.error("append to %s failed: %s", self.topic, reason)
        return [self._write_error(reason) for _ in range(count)]

    def _replace_producer(self, broken: Producer) -> None:
        """After a fatal error, start a new producer; a transactional one needs a new claim."""
        replacement = None
        if self._settings.transactional_id is None:
            logger.error("the Kafka producer hit a fatal error; starting a new one")
            replacement = self._new_producer()
        else:
            logger.error("the Kafka producer hit a fatal error; writes wait for a new claim")
        if self._producer is broken:
            self._producer = replacement
        broken.purge()

    def read(self, from_offset: int) -> Iterator[LogRecord]:
        """Yield records with offset >= `from_offset`, up to the end as it is at this call."""
        checked_offset(from_offset)
        end = self.end_offset()
        if from_offset >= end:
            return iter(())
        return read_range(
            self._pool, self.topic, from_offset, end, stall_timeout_s=self._settings.timeout_s
        )

    def read_through(self, from_offset: int, through: int, timeout_s: float) -> list[LogRecord]:
        """Records from `from_offset` up to (at least) `through`, an offset known to exist.

        For reading one's own appends back: a long-lived consumer waits for the offset to show
        (`registry.log.kafka._tail`), instead of a `read` per attempt. Raises `LogError` if it
        does not show within `timeout_s`.
        """
        checked_offset(from_offset)
        self._check_open()
        return self._tail.read_through(from_offset, through, timeout_s)

    def end_offset(self) -> int:
        """The partition's high watermark: the offset the next record will get."""
        with self._meta_lock:
            self._check_open()
            try:
                _low, high = self._meta.get_watermark_offsets(
                    self._tp, timeout=self._settings.timeout_s, cached=False
                )
            except KafkaException as exc:
                raise LogError(f"cannot read the end offset of {self.topic!r}: {exc}") from exc
        return int(high)

    def close(self) -> None:
        """Fail queued appends, wait for the one in flight, and close the clients. Idempotent."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
        self._committer.close(lambda: LogClosedError(f"the Kafka log on {self.topic!r} was closed"))
        with self._meta_lock:
            self._meta.close()
        self._pool.close()
        self._tail.close()
        if self._producer is not None:
            self._producer.flush(self._settings.timeout_s)

    def _check_open(self) -> None:
        if self._closed:
            raise LogClosedError(f"the Kafka log on {self.topic!r} is closed")
