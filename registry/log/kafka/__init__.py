"""The Kafka log: the registry's records in one compacted, single-partition topic.

The backend of a registry kept in Kafka, shared by the nodes of a cluster. `KafkaLog` is the
log (`_log`: durability, all-or-nothing appends, group commit, write claims); the topic is
created and checked in `_topic`, read through pooled consumers in `_reading`, and one's own
appends are read back through a consumer that stays at the end in `_tail`. Electing the node
that writes is not part of the log: see `registry.cluster`.
"""

from __future__ import annotations

from registry.log.kafka._clients import LIBRDKAFKA_LOGGER, LibrdkafkaLog, client_config
from registry.log.kafka._log import (
    DEFAULT_TOPIC,
    MAX_APPEND_BYTES,
    MAX_APPEND_RECORDS,
    KafkaLog,
    KafkaLogSettings,
)
from registry.log.kafka._topic import KafkaTopicError

__all__ = [
    "DEFAULT_TOPIC",
    "KafkaLog",
    "KafkaLogSettings",
    "KafkaTopicError",
    "LIBRDKAFKA_LOGGER",
    "LibrdkafkaLog",
    "MAX_APPEND_BYTES",
    "MAX_APPEND_RECORDS",
    "client_config",
]
