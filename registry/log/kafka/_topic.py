"""The registry topic: created when missing, checked when present.

The registry's log needs one total order, so the topic must have exactly one partition, and
it keeps the latest record of every key forever, so it must be compacted and never deleted
by age or size (`cleanup.policy=compact`, as Confluent and Karapace require as well).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass

from confluent_kafka import KafkaError, KafkaException

# The package's stubs do not re-export these two public names.
from confluent_kafka.admin import (  # type: ignore[attr-defined]
    AdminClient,
    ConfigResource,
    NewTopic,
)

from registry.log.errors import LogError

logger = logging.getLogger(__name__)

#: Replicas a created topic gets at most when no replication factor is given.
DEFAULT_MAX_REPLICATION = 3


class KafkaTopicError(LogError):
    """The topic is unusable as a registry log (partitions, cleanup policy) or unreachable."""


@dataclass(frozen=True, slots=True)
class TopicSpec:
    """What the registry topic must be, and how to create it if it is missing."""

    name: str
    replication_factor: int | None = None
    #: Extra topic settings used only when the topic is created (e.g. max.message.bytes).
    create_config: Mapping[str, str] | None = None


def ensure_topic(admin: AdminClient, spec: TopicSpec, *, timeout_s: float) -> None:
    """Create the topic if it does not exist, then check it can serve as the log."""
    partitions = _partition_count(admin, spec.name, timeout_s)
    if partitions is None:
        _create(admin, spec, timeout_s)
        partitions = _wait_visible(admin, spec.name, timeout_s)
    if partitions != 1:
        raise KafkaTopicError(
            f"topic {spec.name!r} has {partitions} partitions; the registry log needs exactly "
            "one (a total order of records). Use another topic or recreate it with one."
        )
    policy = _cleanup_policy(admin, spec.name, timeout_s)
    if policy != "compact":
        raise KafkaTopicError(
            f"topic {spec.name!r} has cleanup.policy={policy}; the registry log needs "
            "cleanup.policy=compact, or old schemas would be deleted. Change it with "
            f"kafka-configs --alter --entity-type topics --entity-name {spec.name} "
            "--add-config cleanup.policy=compact"
        )


def _partition_count(admin: AdminClient, topic: str, timeout_s: float) -> int | None:
    """The topic's partition count, or None if the cluster does not know the topic."""
    try:
        metadata = admin.list_topics(topic=topic, timeout=timeout_s)
    except KafkaException as exc:
        raise KafkaTopicError(f"cannot reach Kafka to look up topic {topic!r}: {exc}") from exc
    found = metadata.topics.get(topic)
    if found is None:
        return None
    if found.error is not None:
        if found.error.code() == KafkaError.UNKNOWN_TOPIC_OR_PART:
            return None
        raise KafkaTopicError(f"cannot describe topic {topic!r}: {found.error}")
    return len(found.partitions)


def _wait_visible(admin: AdminClient, topic: str, timeout_s: float) -> int:
    """The partition count of a just-created topic, once the metadata shows it."""
    # The broker answering the metadata request may learn of the topic a moment later.
    deadline = time.monotonic() + timeout_s
    while (partitions := _partition_count(admin, topic, timeout_s)) is None:
        if time.monotonic() > deadline:
            raise KafkaTopicError(f"topic {topic!r} was created but did not become visible")
        time.sleep(0.05)
    return partitions


def _broker_count(admin: AdminClient, timeout_s: float) -> int:
    try:
        return len(admin.list_topics(timeout=timeout_s).brokers)
    except KafkaException as exc:
        raise KafkaTopicError(f"cannot reach Kafka: {exc}") from exc


def _create(admin: AdminClient, spec: TopicSpec, timeout_s: float) -> None:
    replicas = spec.replication_factor
    if replicas is None:
        replicas = max(1, min(DEFAULT_MAX_REPLICATION, _broker_count(admin, timeout_s)))
    config = {**(spec.create_config or {}), "cleanup.policy": "compact"}
    topic = NewTopic(spec.name, num_partitions=1, replication_factor=replicas, config=config)
    futures = admin.create_topics([topic], operation_timeout=timeout_s, request_timeout=timeout_s)
    try:
        futures[spec.name].result(timeout=timeout_s + 5)
    except KafkaException as exc:
        error = exc.args[0] if exc.args else None
        if isinstance(error, KafkaError) and error.code() == KafkaError.TOPIC_ALREADY_EXISTS:
            return  # another node created it first; it is checked like any existing topic
        raise KafkaTopicError(f"cannot create topic {spec.name!r}: {exc}") from exc
    logger.info("created topic %s (1 partition, %d replicas, compacted)", spec.name, replicas)


def _cleanup_policy(admin: AdminClient, topic: str, timeout_s: float) -> str:
    resource = ConfigResource(ConfigResource.Type.TOPIC, topic)
    try:
        configs = admin.describe_configs([resource], request_timeout=timeout_s)[resource].result(
            timeout=timeout_s + 5
        )
    except KafkaException as exc:
        raise KafkaTopicError(f"cannot read the configuration of topic {topic!r}: {exc}") from exc
    entry = configs.get("cleanup.policy")
    value = None if entry is None else entry.value
    return str(value) if value is not None else "delete"
