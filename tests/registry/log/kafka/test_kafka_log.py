"""What the Kafka log adds to the contract: the topic it creates or refuses, batch limits,
write claims, and reading one's own appends back."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Iterator

import pytest
from confluent_kafka import Producer

# The package's stubs do not re-export these public names.
from confluent_kafka.admin import (  # type: ignore[attr-defined]
    AdminClient,
    ConfigResource,
    NewTopic,
)

from registry.log.errors import LogClosedError, LogError, LogWriteError
from registry.log.kafka import MAX_APPEND_RECORDS, KafkaLog, KafkaLogSettings, KafkaTopicError
from registry.records import NoopKey, encode_key
from registry.store import Store

pytestmark = pytest.mark.kafka


def unique_topic(prefix: str) -> str:
    return f"cairn-{prefix}-{uuid.uuid4().hex}"


@pytest.fixture
def admin(kafka_bootstrap: str) -> AdminClient:
    return AdminClient({"bootstrap.servers": kafka_bootstrap})


def create_topic(admin: AdminClient, topic: str, partitions: int, config: dict[str, str]) -> None:
    futures = admin.create_topics(
        [NewTopic(topic, num_partitions=partitions, replication_factor=1, config=config)]
    )
    futures[topic].result(timeout=30)


def topic_config(admin: AdminClient, topic: str) -> dict[str, str | None]:
    resource = ConfigResource(ConfigResource.Type.TOPIC, topic)
    configs = admin.describe_configs([resource])[resource].result(timeout=30)
    return {name: entry.value for name, entry in configs.items()}


@pytest.fixture
def opened(kafka_bootstrap: str) -> Iterator[list[KafkaLog]]:
    """Logs opened by a test, closed at teardown."""
    logs: list[KafkaLog] = []
    yield logs
    for log in logs:
        log.close()


def open_log(opened: list[KafkaLog], settings: KafkaLogSettings) -> KafkaLog:
    log = KafkaLog.open(settings)
    opened.append(log)
    return log


def test_a_missing_topic_is_created_compacted_with_one_partition(
    kafka_bootstrap: str, admin: AdminClient, opened: list[KafkaLog]
) -> None:
    topic = unique_topic("created")
    log = open_log(opened, KafkaLogSettings(kafka_bootstrap, topic=topic, timeout_s=15.0))
    metadata = admin.list_topics(topic=topic, timeout=10)
    assert len(metadata.topics[topic].partitions) == 1
    assert topic_config(admin, topic)["cleanup.policy"] == "compact"
    assert log.append([(b"k", b"v")]) == [0]


def test_an_existing_compacted_topic_is_used_as_it_is(
    kafka_bootstrap: str, admin: AdminClient, opened: list[KafkaLog]
) -> None:
    topic = unique_topic("existing")
    create_topic(admin, topic, 1, {"cleanup.policy": "compact"})
    producer = Producer({"bootstrap.servers": kafka_bootstrap})
    producer.produce(topic, key=b"written-before", value=b"by another client", partition=0)
    assert producer.flush(30) == 0
    log = open_log(opened, KafkaLogSettings(kafka_bootstrap, topic=topic, timeout_s=15.0))
    assert [(r.offset, r.key, r.value) for r in log.read(0)] == [
        (0, b"written-before", b"by another client")
    ]
    assert log.append([(b"next", None)]) == [1]


def test_a_topic_with_several_partitions_is_refused(
    kafka_bootstrap: str, admin: AdminClient
) -> None:
    topic = unique_topic("partitioned")
    create_topic(admin, topic, 3, {"cleanup.policy": "compact"})
    with pytest.raises(
        KafkaTopicError, match="has 3 partitions; the registry log needs exactly one"
    ):
        KafkaLog.open(KafkaLogSettings(kafka_bootstrap, topic=topic, timeout_s=15.0))


@pytest.mark.parametrize("policy", ["delete", "compact,delete"])
def test_a_topic_that_is_not_only_compacted_is_refused(
    kafka_bootstrap: str, admin: AdminClient, policy: str
) -> None:
    topic = unique_topic("deleting")
    create_topic(admin, topic, 1, {"cleanup.policy": policy})
    with pytest.raises(KafkaTopicError, match=r"needs cleanup\.policy=compact"):
        KafkaLog.open(KafkaLogSettings(kafka_bootstrap, topic=topic, timeout_s=15.0))


def test_an_append_larger_than_one_batch_is_refused_before_sending(
    kafka_bootstrap: str, opened: list[KafkaLog]
) -> None:
    topic = unique_topic("limits")
    log = open_log(opened, KafkaLogSettings(kafka_bootstrap, topic=topic, timeout_s=15.0))
    too_many = [(f"k{i}".encode(), b"v") for i in range(MAX_APPEND_RECORDS + 1)]
    with pytest.raises(LogWriteError, match="one Kafka record batch"):
        log.append(too_many)
    assert log.end_offset() == 0


def test_a_batch_lands_as_one_kafka_record_batch(
    kafka_bootstrap: str, opened: list[KafkaLog]
) -> None:
    """All records of an append share the batch's timestamp and sit at consecutive offsets,
    even when they are many; concurrent appends never end up interleaved."""
    topic = unique_topic("batch")
    log = open_log(opened, KafkaLogSettings(kafka_bootstrap, topic=topic, timeout_s=15.0))
    batch = [(f"k{i}".encode(), f"v{i}".encode()) for i in range(2000)]
    offsets = log.append(batch)
    assert offsets == list(range(2000))
    records = list(log.read(0))
    assert [(r.key, r.value) for r in records] == batch
    assert len({r.timestamp_ms for r in records}) == 1


def test_unreachable_kafka_fails_with_a_topic_error() -> None:
    with pytest.raises(KafkaTopicError, match="cannot reach Kafka"):
        KafkaLog.open(
            KafkaLogSettings(
                "127.0.0.1:1",
                topic="unreachable",
                timeout_s=3.0,
                client_config={"log_level": "0"},  # keep librdkafka's retry chatter quiet
            )
        )


def test_an_unknown_client_setting_is_a_log_error(kafka_bootstrap: str) -> None:
    settings = KafkaLogSettings(
        kafka_bootstrap,
        topic=unique_topic("bad-config"),
        client_config={"no.such.setting": "1"},
        timeout_s=15.0,
    )
    with pytest.raises(LogError) as caught:
        KafkaLog.open(settings)
    assert "no.such.setting" in str(caught.value)


def test_a_later_write_claim_fences_the_earlier_one(
    kafka_bootstrap: str, opened: list[KafkaLog]
) -> None:
    """Two nodes with the cluster's transactional id: once the second claims, the first can
    no longer write, and nothing it tries lands in the topic."""
    topic = unique_topic("fencing")
    settings = KafkaLogSettings(
        kafka_bootstrap, topic=topic, timeout_s=15.0, transactional_id=f"{topic}-writer"
    )
    old, new = open_log(opened, settings), open_log(opened, settings)
    with pytest.raises(LogWriteError, match="does not hold the write claim"):
        old.append([(b"unclaimed", b"x")])
    old.claim_writes()
    (first,) = old.append([(b"old", b"1")])
    new.claim_writes()
    with pytest.raises(LogWriteError):
        old.append([(b"old", b"2")])
    assert not old.holds_write_claim
    second, third = new.append([(b"new", b"1"), (b"new", b"2")])
    assert first < second < third

    def committed() -> list[tuple[bytes, bytes | None]]:
        return [(r.key, r.value) for r in new.read(0)]

    # A committed transaction becomes readable once its marker is written.
    deadline = time.monotonic() + 15
    while len(committed()) < 3:
        assert time.monotonic() < deadline, committed()
    assert committed() == [(b"old", b"1"), (b"new", b"1"), (b"new", b"2")]


def transactional_log(opened: list[KafkaLog], kafka_bootstrap: str, prefix: str) -> KafkaLog:
    topic = unique_topic(prefix)
    settings = KafkaLogSettings(
        kafka_bootstrap, topic=topic, timeout_s=15.0, transactional_id=f"{topic}-writer"
    )
    log = open_log(opened, settings)
    log.claim_writes()
    return log


def test_read_through_returns_committed_appends_as_they_show(
    kafka_bootstrap: str, opened: list[KafkaLog]
) -> None:
    """Each read-back continues where the last stopped and skips the commit markers."""
    log = transactional_log(opened, kafka_bootstrap, "tail")
    (a,) = log.append([(b"a", b"1")])
    assert [(r.offset, r.key) for r in log.read_through(0, a, 15.0)] == [(a, b"a")]
    b, c = log.append([(b"b", b"2"), (b"c", None)])
    assert b > a + 1, "a commit marker takes an offset of its own"
    got = log.read_through(a + 1, c, 15.0)
    assert [(r.offset, r.key, r.value) for r in got] == [(b, b"b", b"2"), (c, b"c", None)]
    # Starting before the tail's position re-reads from there; starting past it skips.
    assert [r.key for r in log.read_through(0, c, 15.0)] == [b"a", b"b", b"c"]
    (d,) = log.append([(b"d", b"4")])
    assert [r.key for r in log.read_through(d, d, 15.0)] == [b"d"]
    assert log.read_through(d + 1, d, 15.0) == []


def test_read_through_an_offset_that_never_shows_fails_in_time(
    kafka_bootstrap: str, opened: list[KafkaLog]
) -> None:
    log = transactional_log(opened, kafka_bootstrap, "tail-missing")
    (a,) = log.append([(b"a", b"1")])
    with pytest.raises(LogError, match="did not show"):
        log.read_through(0, a + 100, 0.5)
    # The failed read leaves the reader usable.
    assert [r.key for r in log.read_through(0, a, 15.0)] == [b"a"]
    log.close()
    with pytest.raises(LogClosedError):
        log.read_through(0, a, 15.0)


def test_a_store_write_applies_what_the_log_returns(
    kafka_bootstrap: str, opened: list[KafkaLog]
) -> None:
    """The write path reads back through the log: records another client appended in between
    are applied too, in log order, before the write returns."""
    log = transactional_log(opened, kafka_bootstrap, "tail-store")
    store = Store(log)
    store.catch_up()
    other = Producer({"bootstrap.servers": kafka_bootstrap})
    other.produce(log.topic, key=b"not a registry key", value=b"x", partition=0)
    assert other.flush(30) == 0
    raw = encode_key(NoopKey())

    async def write() -> None:
        await store.write_raw([(raw, None)])

    asyncio.run(write())
    # The other client's record (skipped as unusable) and the write itself were applied.
    assert store.state.skipped_records == 1
    assert store.state.next_offset == log.end_offset() - 1  # the last commit marker
