"""`cairn check --against-topic`: a new schema against the records in a real Kafka topic.

Records are produced by confluent-kafka's producer and serializers into fresh topics, under
several versions registered at NONE in an in-process registry; the check reads them back
with its own consumer (assigned partitions, no group commits).
"""

from __future__ import annotations

import json
import socket
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from confluent_kafka import Producer

# The package's stubs do not re-export these public names.
from confluent_kafka.admin import AdminClient, NewTopic  # type: ignore[attr-defined]

from cli.main import main
from registry.testing import LocalRegistry
from tests.support.records import (
    AVRO_NEW,
    AVRO_V1,
    AVRO_V2,
    AVRO_V3,
    avro_serializer,
    message_classes,
    protobuf_serializer,
    value_ctx,
)

pytestmark = pytest.mark.kafka


@pytest.fixture
def registry(schema_registry: LocalRegistry) -> LocalRegistry:
    schema_registry.set_compatibility("NONE")
    return schema_registry


@pytest.fixture
def topic(kafka_bootstrap: str) -> str:
    """A fresh topic with two partitions."""
    name = f"cairn-check-{uuid.uuid4().hex}"
    admin = AdminClient({"bootstrap.servers": kafka_bootstrap})
    admin.create_topics([NewTopic(name, num_partitions=2, replication_factor=1)])[name].result(
        timeout=30
    )
    return name


@pytest.fixture
def producer(kafka_bootstrap: str) -> Iterator[Producer]:
    producer = Producer({"bootstrap.servers": kafka_bootstrap})
    yield producer
    assert producer.flush(30) == 0


def send(producer: Producer, topic: str, partition: int, value: bytes | None) -> None:
    """Produce one record and wait until the broker has it."""
    producer.produce(topic, value=value, partition=partition)
    assert producer.flush(30) == 0


@pytest.fixture
def new_avsc(tmp_path: Path) -> Path:
    path = tmp_path / "order.avsc"
    path.write_text(AVRO_NEW, encoding="utf-8")
    return path


def check(registry: LocalRegistry, kafka: str, topic: str, new: Path, *extra: str) -> Result:
    return CliRunner().invoke(
        main,
        [
            "check",
            "--url",
            registry.url,
            "--subject",
            f"{topic}-value",
            str(new),
            "--against-topic",
            topic,
            "--bootstrap-servers",
            kafka,
            "--kafka-timeout",
            "60",
            *extra,
        ],
    )


def report(result: Result) -> Any:
    assert result.exit_code in (0, 1), result.output
    return json.loads(result.output)


def fill_avro(registry: LocalRegistry, producer: Producer, topic: str) -> None:
    """Partition 0: v1 NEW, v1 PAID, v3, a record without framing, a tombstone.
    Partition 1: v2 NEW, v2 SHIPPED, v2 PAID."""
    client = registry.client()
    ctx = value_ctx(topic)
    v1, v2, v3 = (avro_serializer(client, s) for s in (AVRO_V1, AVRO_V2, AVRO_V3))
    for partition, value in [
        # In this order, so that the serializers register v1, v2, v3 as ids 1, 2, 3.
        (0, v1({"id": 1, "status": "NEW"}, ctx)),
        (0, v1({"id": 2, "status": "PAID"}, ctx)),
        (1, v2({"id": 5, "status": "NEW"}, ctx)),
        (1, v2({"id": 6, "status": "SHIPPED"}, ctx)),
        (1, v2({"id": 7, "status": "PAID"}, ctx)),
        (0, v3({"id": "three", "status": "NEW"}, ctx)),
        (0, b'{"id": 4}'),
        (0, None),
    ]:
        send(producer, topic, partition, value)


def failures(document: Any) -> dict[Any, list[tuple[int, int]]]:
    return {
        w["schema_id"]: [(f["partition"], f["offset"]) for f in w["failures"]]
        for w in document["writers"]
    }


def test_counts_per_writer_schema_what_the_new_schema_cannot_read(
    registry: LocalRegistry,
    kafka_bootstrap: str,
    topic: str,
    producer: Producer,
    new_avsc: Path,
) -> None:
    fill_avro(registry, producer, topic)
    result = check(registry, kafka_bootstrap, topic, new_avsc, "--format", "json")
    document = report(result)
    assert result.exit_code == 1
    assert (document["records"], document["unreadable"], document["skipped"]) == (7, 3, 1)
    assert document["partitions"] == 2
    counts = {w["schema_id"]: (w["records"], w["unreadable"]) for w in document["writers"]}
    assert counts == {1: (2, 0), 2: (3, 1), 3: (1, 1), None: (1, 1)}
    assert failures(document) == {1: [], 2: [(1, 1)], 3: [(0, 2)], None: [(0, 3)]}
    unframed = document["writers"][-1]["failures"][0]["reason"]
    assert "not a schema-registry framed record" in unframed


def test_text_report_from_a_topic(
    registry: LocalRegistry,
    kafka_bootstrap: str,
    topic: str,
    producer: Producer,
    new_avsc: Path,
) -> None:
    fill_avro(registry, producer, topic)
    result = check(registry, kafka_bootstrap, topic, new_avsc)
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[0].startswith(f"FAIL  {topic}-value")
    assert f"3 of 7 records in topic {topic}" in lines[0]
    assert f"  schema id 3 ({topic}-value v3): 1 read, 1 unreadable" in lines


def test_sample_takes_the_last_or_the_first_records_of_each_partition(
    registry: LocalRegistry,
    kafka_bootstrap: str,
    topic: str,
    producer: Producer,
    new_avsc: Path,
) -> None:
    fill_avro(registry, producer, topic)
    # The last two of each partition: the unframed record and the tombstone; v2 SHIPPED, PAID.
    latest = report(
        check(registry, kafka_bootstrap, topic, new_avsc, "--sample", "2", "--format", "json")
    )
    assert (latest["records"], latest["skipped"]) == (3, 1)
    assert failures(latest) == {2: [(1, 1)], None: [(0, 3)]}
    # The first two of each partition: v1 NEW, PAID; v2 NEW, SHIPPED.
    earliest = report(
        check(
            registry,
            kafka_bootstrap,
            topic,
            new_avsc,
            "--sample",
            "2",
            "--from",
            "earliest",
            "--format",
            "json",
        )
    )
    assert (earliest["records"], earliest["skipped"]) == (4, 0)
    assert failures(earliest) == {1: [], 2: [(1, 1)]}
    # Only the first record of each partition: all readable.
    first = check(registry, kafka_bootstrap, topic, new_avsc, "--sample", "1", "--from", "earliest")
    assert first.exit_code == 0, first.output
    assert "all 2 records" in first.output


PROTO_V1 = """syntax = "proto3";
package shop;
message Order { string id = 1; }
message Refund { string id = 1; }
"""
PROTO_NEW = """syntax = "proto3";
package shop;
message Order { string id = 1; }
message Payment { string id = 1; }
"""


def test_protobuf_records_are_read_with_the_new_message_at_their_indexes(
    registry: LocalRegistry,
    kafka_bootstrap: str,
    topic: str,
    producer: Producer,
    tmp_path: Path,
) -> None:
    order_cls, refund_cls = message_classes(PROTO_V1, "shop.Order", "shop.Refund")
    client = registry.client()
    ctx = value_ctx(topic)
    send(producer, topic, 0, protobuf_serializer(client, order_cls)(order_cls(id="1"), ctx))
    send(producer, topic, 0, protobuf_serializer(client, refund_cls)(refund_cls(id="2"), ctx))
    new = tmp_path / "order.proto"
    new.write_text(PROTO_NEW, encoding="utf-8")
    result = check(registry, kafka_bootstrap, topic, new, "--format", "json")
    document = report(result)
    assert result.exit_code == 1
    [writer] = document["writers"]
    assert (writer["records"], writer["unreadable"]) == (2, 1)
    [failure] = writer["failures"]
    assert (failure["partition"], failure["offset"]) == (0, 1)
    assert "select shop.Refund in the writer's schema but shop.Payment" in failure["reason"]


def test_an_empty_topic_passes(
    registry: LocalRegistry, kafka_bootstrap: str, topic: str, new_avsc: Path
) -> None:
    result = check(registry, kafka_bootstrap, topic, new_avsc)
    assert result.exit_code == 0, result.output
    assert f"no records in topic {topic}" in result.output


def test_an_unknown_topic_exits_2(
    registry: LocalRegistry, kafka_bootstrap: str, new_avsc: Path
) -> None:
    missing = f"cairn-missing-{uuid.uuid4().hex}"
    result = check(registry, kafka_bootstrap, missing, new_avsc)
    assert result.exit_code == 2
    assert f"Topic '{missing}' does not exist" in result.output
    # Looking did not create it.
    admin = AdminClient({"bootstrap.servers": kafka_bootstrap})
    assert missing not in admin.list_topics(timeout=30).topics


def test_unreachable_brokers_exit_3(registry: LocalRegistry, new_avsc: Path) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    result = CliRunner().invoke(
        main,
        [
            "check",
            "--url",
            registry.url,
            "--subject",
            "orders-value",
            str(new_avsc),
            "--against-topic",
            "orders",
            "--bootstrap-servers",
            f"127.0.0.1:{port}",
            "--kafka-timeout",
            "2",
        ],
    )
    assert result.exit_code == 3
    assert f"Cannot reach Kafka at 127.0.0.1:{port}" in result.output


def test_an_unknown_kafka_setting_exits_2(
    registry: LocalRegistry, kafka_bootstrap: str, topic: str, new_avsc: Path
) -> None:
    result = check(
        registry, kafka_bootstrap, topic, new_avsc, "--kafka-config", "no.such.setting=1"
    )
    assert result.exit_code == 2
    assert "no.such.setting" in result.output
