"""Leader election through Kafka itself: the group member holding the topic's partition leads.

Every eligible node joins one consumer group subscribed to the registry topic. The topic has
a single partition, so Kafka's group coordinator assigns it to exactly one live member, and
moves it to another member when the leader leaves (at once, on a clean stop) or stops
heartbeating (after `session.timeout.ms`, on a crash). The group's consumer reads nothing of
use: it starts at the end of the partition and drops what it fetches.

Finding the leader. Each member's `client.id` carries its advertised URL (hex-encoded, since
client ids end up in broker metric names), so any node, eligible or not, learns the leader's
URL by describing the group and picking the member that holds the partition.

Fencing. A leader that stalls past the session timeout (a long pause, a network partition)
believes it leads until its consumer notices the rebalance. What stops it from writing is
the log, not the election: before a new leader counts as leader it runs `on_elected`, which
claims the topic's transactional id (`KafkaLog.claim_writes`); Kafka then refuses every
write of the previous holder, and aborts its open transaction.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any

from confluent_kafka import (
    Consumer,
    ConsumerGroupState,
    KafkaException,
    TopicPartition,
)
from confluent_kafka.admin import AdminClient

from registry.log.errors import LogError
from registry.log.kafka import LibrdkafkaLog, client_config

logger = logging.getLogger(__name__)

CLIENT_ID_PREFIX = "cairn-node-"
#: How often a node that does not lead looks up who does.
LOOKUP_EVERY_S = 0.25
#: How long librdkafka keeps one group description request alive. Long on purpose: a
#: description that times out inside librdkafka while its coordinator lookup is still in
#: flight (the broker down or restarting) can abort the whole process in librdkafka 2.x
#: (`rd_kafka_enq_once_del_source_return: Assertion 'eonce->refcnt > 0'`), so a lookup
#: waits for its answer for only `lookup_timeout_s` and leaves the request running; no
#: second one is sent until it has ended.
DESCRIBE_REQUEST_TIMEOUT_S = 3600.0
#: Kafka's own default, and the least session timeout its brokers accept unless configured
#: (`group.min.session.timeout.ms`).
DEFAULT_SESSION_TIMEOUT_MS = 6000


@dataclass(frozen=True, slots=True)
class ElectionSettings:
    """Who takes part in the election, and how quickly a dead leader is replaced."""

    bootstrap_servers: str
    topic: str
    group_id: str
    advertised_url: str
    eligible: bool = True
    client_config: Mapping[str, str] = field(default_factory=dict)
    #: How long a silent leader keeps the role: the failover time after a crash.
    session_timeout_ms: int = DEFAULT_SESSION_TIMEOUT_MS
    #: How long a leader lookup (one describe-group request) may take.
    lookup_timeout_s: float = 2.0


def encode_client_id(url: str) -> str:
    """The client id that names a member's advertised URL."""
    return CLIENT_ID_PREFIX + url.encode().hex()


def decode_client_id(client_id: str) -> str | None:
    """The advertised URL in a member's client id, or None for a client that is not ours."""
    if not client_id.startswith(CLIENT_ID_PREFIX):
        return None
    try:
        return bytes.fromhex(client_id[len(CLIENT_ID_PREFIX) :]).decode()
    except ValueError:
        return None


class KafkaLeaderElection:
    """Takes part in the election in a background thread and answers who the leader is."""

    def __init__(
        self, settings: ElectionSettings, *, on_elected: Callable[[], None] | None = None
    ) -> None:
        """`on_elected` runs (in the election thread) each time this node wins, before it
        counts as leader: the place to fence the previous leader (`KafkaLog.claim_writes`).
        If it raises `LogError` it is retried while this node holds the partition."""
        self._settings = settings
        self._on_elected = on_elected
        common = client_config(settings.bootstrap_servers, settings.client_config, LibrdkafkaLog())
        try:
            self._admin = AdminClient(dict(common))
        except (KafkaException, ValueError) as exc:
            raise LogError(f"cannot create a Kafka admin client: {exc}") from exc
        self._consumer_config: dict[str, Any] = {
            **common,
            "group.id": settings.group_id,
            "client.id": encode_client_id(settings.advertised_url),
            "session.timeout.ms": settings.session_timeout_ms,
            "heartbeat.interval.ms": max(100, settings.session_timeout_ms // 6),
            "enable.auto.commit": False,
            "auto.offset.reset": "latest",
            # Sticky: the partition stays with its holder when nodes join, so leadership moves
            # only when the leader leaves or dies.
            "partition.assignment.strategy": "cooperative-sticky",
            "fetch.max.bytes": 1024 * 1024,
        }
        self._leader = threading.Event()
        self._elected = threading.Event()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()
        #: The group description in flight, shared by every lookup until it ends.
        self._describing: Future[Any] | None = None
        self._describe_lock = threading.Lock()
        self._known_leader: str | None = None
        self._term = 0

    @property
    def advertised_url(self) -> str:
        """This node's URL, as other nodes forward to it."""
        return self._settings.advertised_url

    @property
    def term(self) -> int:
        """How many times this node took office; changes each time it wins again."""
        return self._term

    @property
    def is_leader(self) -> bool:
        """Whether this node holds the partition, as far as its consumer knows."""
        return self._leader.is_set()

    def start(self) -> None:
        """Join the group (eligible nodes) and keep looking up the leader, in the background."""
        if self._threads:
            return
        if self._settings.eligible:
            try:
                consumer = Consumer(self._consumer_config)
            except (KafkaException, ValueError) as exc:
                raise LogError(f"cannot create the election consumer: {exc}") from exc
            self._threads.append(
                threading.Thread(
                    target=self._run, args=(consumer,), name="kafka-leader-election", daemon=True
                )
            )
        self._threads.append(
            threading.Thread(target=self._watch, name="kafka-leader-lookup", daemon=True)
        )
        for thread in self._threads:
            thread.start()

    def stop(self) -> None:
        """Leave the group, so another node takes over at once."""
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=30)
        self._threads = []

    def leader_url(self) -> str | None:
        """The leader's advertised URL, or None while there is none (or it is unknown).

        Never blocks: it answers from the last lookup, which a background thread repeats
        every `LOOKUP_EVERY_S` (so it may name a leader that died since, for that long).
        """
        if self.is_leader:
            return self._settings.advertised_url
        with self._lock:
            url = self._known_leader
        # This node holding the partition but not yet in office: there is no leader yet.
        return None if url == self._settings.advertised_url else url

    def _watch(self) -> None:
        """Look the leader up over and over, so requests never wait for a lookup."""
        while not self._stop.is_set():
            if not self.is_leader:
                url = self._look_up()
                with self._lock:
                    self._known_leader = url
            self._stop.wait(LOOKUP_EVERY_S)

    def wait_for_leader(self, timeout_s: float) -> str | None:
        """Wait until the group is settled with a leader, or `timeout_s` passed.

        Settled means the group is stable and, for an eligible node, counts this node as a
        member: a node restarted after a crash thus waits until its dead predecessor, which
        may still hold the partition, has been dropped, instead of forwarding writes to it.
        Returns the leader's URL, or None on time-out.
        """
        own_id = encode_client_id(self._settings.advertised_url)
        deadline = time.monotonic() + timeout_s
        while True:
            view = self._describe()
            if view is not None:
                url, stable, client_ids = view
                settled = stable and (not self._settings.eligible or own_id in client_ids)
                in_office = url != self._settings.advertised_url or self.is_leader
                if url is not None and settled and in_office:
                    return url
            if time.monotonic() > deadline:
                return None
            self._stop.wait(0.1)

    def _look_up(self) -> str | None:
        view = self._describe()
        return None if view is None else view[0]

    def _describe(self) -> tuple[str | None, bool, set[str]] | None:
        """The leader's URL (if any), whether the group is stable, and its members' ids."""
        settings = self._settings
        with self._describe_lock:
            if self._describing is None:
                try:
                    futures = self._admin.describe_consumer_groups(
                        [settings.group_id], request_timeout=DESCRIBE_REQUEST_TIMEOUT_S
                    )
                except KafkaException as exc:
                    logger.debug("looking up the leader failed: %s", exc)
                    return None
                self._describing = futures[settings.group_id]
            describing = self._describing
        try:
            group = describing.result(timeout=settings.lookup_timeout_s)
        except TimeoutError:
            logger.debug("looking up the leader: no answer yet")
            return None  # the request stays in flight; a later lookup takes its answer
        except KafkaException as exc:
            logger.debug("looking up the leader failed: %s", exc)
            self._forget(describing)
            return None
        self._forget(describing)
        leader = None
        for member in group.members:
            assignment = member.assignment
            partitions = assignment.topic_partitions if assignment is not None else []
            if any(tp.topic == settings.topic and tp.partition == 0 for tp in partitions):
                leader = decode_client_id(member.client_id)
        stable = group.state == ConsumerGroupState.STABLE
        return leader, stable, {member.client_id for member in group.members}

    def _forget(self, done: Future[Any]) -> None:
        """Let the next lookup send a new request, now that `done` has ended."""
        with self._describe_lock:
            if self._describing is done:
                self._describing = None

    def _take_office(self) -> None:
        """Run `on_elected`, then count as leader; on failure, try again at the next poll."""
        try:
            if self._on_elected is not None:
                self._on_elected()
        except LogError as exc:
            logger.error("won the election but could not take over writes: %s", exc)
            self._stop.wait(1.0)
            return
        logger.info("this node is now the leader (%s)", self._settings.advertised_url)
        self._term += 1
        self._leader.set()

    def _run(self, consumer: Consumer) -> None:
        topic = self._settings.topic

        def assigned(_consumer: Consumer, partitions: list[TopicPartition]) -> None:
            if any(tp.topic == topic and tp.partition == 0 for tp in partitions):
                self._elected.set()

        def revoked(_consumer: Consumer, partitions: list[TopicPartition]) -> None:
            # Cooperative rebalancing revokes only what moves: act when the partition does.
            if not any(tp.topic == topic and tp.partition == 0 for tp in partitions):
                return
            if self._leader.is_set():
                logger.info("this node is no longer the leader")
            self._elected.clear()
            self._leader.clear()

        try:
            consumer.subscribe([topic], on_assign=assigned, on_revoke=revoked, on_lost=revoked)
            while not self._stop.is_set():
                # Polling keeps the membership alive and runs the callbacks; records are dropped.
                consumer.poll(0.2)
                if self._elected.is_set() and not self._leader.is_set():
                    self._take_office()
        except KafkaException as exc:
            logger.error("leader election stopped: %s", exc)
        finally:
            self._leader.clear()
            consumer.close()
