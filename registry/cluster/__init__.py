"""Running several registry nodes on one Kafka topic: electing the node that writes.

Only the leader appends to the log; the other nodes follow the topic and forward writes to it
(`registry.http.forwarding`, which also defines the `Leadership` interface the election
implements). The election uses Kafka's consumer-group coordinator (`_kafka_election`); what
keeps a deposed leader from writing is the log's write claim (`KafkaLog.claim_writes`), not
the election.
"""

from __future__ import annotations

from registry.cluster._kafka_election import (
    DEFAULT_SESSION_TIMEOUT_MS,
    ElectionSettings,
    KafkaLeaderElection,
)

__all__ = ["DEFAULT_SESSION_TIMEOUT_MS", "ElectionSettings", "KafkaLeaderElection"]
