"""Three `cairn serve` nodes on one topic: one leader elected through Kafka, writes through
any node, and a SIGKILL of the leader in the middle of concurrent registrations.

Afterwards every acknowledged registration is on every surviving node with the same id and
version, no id names two schemas, versions stay dense, and writes resume through the new
leader. The failover time (from the kill to the first write acknowledged after it) is
printed; it is bounded by the election's session timeout (6 s by default).
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from tests.integration.conftest import ServerFactory, ServerProcess

pytestmark = [pytest.mark.integration, pytest.mark.kafka]

CT = {"Content-Type": "application/vnd.schemaregistry.v1+json"}
NODES = 3
SUBJECTS = 5
WORKERS = 6
KILL_AFTER = 40
AFTER_KILL = 40
DEADLINE_S = 90.0
#: The answers a write may get while the leader is gone: leader unknown or unreachable.
FAILOVER_CODES = {50003, 50004}


@dataclass(frozen=True, slots=True)
class Ack:
    subject: str
    version: int
    schema_id: int
    schema: str
    at: float


def schema_of(i: int) -> str:
    return json.dumps(
        {"type": "record", "name": f"Fo{i}", "fields": [{"name": f"f{i}", "type": "int"}]},
        separators=(",", ":"),
    )


class Writers:
    """Registers schemas through all nodes in turn until told to stop, recording outcomes."""

    def __init__(self, urls: list[str]) -> None:
        self.urls = urls
        self.acks: list[Ack] = []
        self.refused: list[tuple[int, int]] = []
        self.unexpected: list[tuple[int, str]] = []
        self.stop = threading.Event()
        self._lock = threading.Lock()
        self._next = 0

    def take(self) -> int:
        with self._lock:
            self._next += 1
            return self._next

    def run(self) -> None:
        with httpx.Client(timeout=60.0) as client:
            while not self.stop.is_set():
                i = self.take()
                # Every fourth request repeats an earlier registration: same schema, same id.
                n = i - 3 if i % 4 == 0 and i > 3 else i
                subject, schema = f"fo-{n % SUBJECTS}-value", schema_of(n)
                url = self.urls[i % len(self.urls)]
                try:
                    response = client.post(
                        f"{url}/subjects/{subject}/versions", json={"schema": schema}, headers=CT
                    )
                except httpx.TransportError:
                    continue  # the killed node
                self.record(response, subject, schema)

    def record(self, response: httpx.Response, subject: str, schema: str) -> None:
        with self._lock:
            if response.status_code == 200:
                body = response.json()
                self.acks.append(
                    Ack(subject, body["version"], body["id"], schema, time.monotonic())
                )
                return
            code = response.json().get("error_code") if response.content else None
            if response.status_code == 500 and code in FAILOVER_CODES:
                self.refused.append((response.status_code, code))
            else:
                self.unexpected.append((response.status_code, response.text))

    def count(self) -> int:
        with self._lock:
            return len(self.acks)


def leader_of(nodes: list[ServerProcess]) -> ServerProcess:
    """The node that reports itself as leader."""
    deadline = time.monotonic() + DEADLINE_S
    while True:
        for node in nodes:
            if httpx.get(f"{node.url}/v1/metadata/leader", timeout=10).json()["isLeader"]:
                return node
        assert time.monotonic() < deadline, "no node became the leader"


def wait_until(condition: Any, message: str) -> None:
    deadline = time.monotonic() + DEADLINE_S
    while not condition():
        assert time.monotonic() < deadline, message
        time.sleep(0.05)


def test_leader_killed_during_concurrent_writes(
    server_factory: ServerFactory, kafka_bootstrap: str
) -> None:
    args = (
        "--kafka-bootstrap-servers",
        kafka_bootstrap,
        "--kafka-topic",
        f"cairn-fo-{uuid.uuid4().hex}",
    )
    nodes = [server_factory.start(None, *args) for _ in range(NODES)]
    leader = leader_of(nodes)
    followers = [node for node in nodes if node is not leader]
    for node in nodes:
        assert (
            httpx.get(f"{node.url}/v1/metadata/leader", timeout=10).json()["leader"] == leader.url
        )
    response = httpx.put(f"{followers[0].url}/config", json={"compatibility": "NONE"}, headers=CT)
    assert response.status_code == 200, response.text

    writers = Writers([node.url for node in nodes])
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        futures = [pool.submit(writers.run) for _ in range(WORKERS)]
        try:
            wait_until(lambda: writers.count() >= KILL_AFTER, "too few writes before the kill")
            leader.kill()
            killed_at = time.monotonic()
            acked_before = writers.count()
            wait_until(
                lambda: writers.count() >= acked_before + AFTER_KILL, "writes did not resume"
            )
        finally:
            writers.stop.set()
            for future in futures:
                future.result()
    assert writers.unexpected == []
    resumed_at = min(ack.at for ack in writers.acks if ack.at > killed_at)
    print(f"failover: first write acknowledged {resumed_at - killed_at:.2f} s after the kill")

    survivors = followers
    new_leader = leader_of(survivors)
    assert new_leader in survivors
    last = max(ack.at for ack in writers.acks)
    assert last > killed_at

    # Every survivor converges to the same state (they follow the topic).
    wait_until(lambda: visible_state(survivors[1]) == visible_state(survivors[0]), "diverged")
    states = [visible_state(node) for node in survivors]
    for state in states:
        by_id: dict[int, str] = {}
        for subject, entries in state.items():
            assert [e["version"] for e in entries] == list(range(1, len(entries) + 1)), subject
            for entry in entries:
                canonical = json.dumps(json.loads(entry["schema"]), sort_keys=True)
                assert by_id.setdefault(entry["id"], canonical) == canonical, entry["id"]
        for ack in writers.acks:
            entry = state[ack.subject][ack.version - 1]
            assert (entry["id"], json.loads(entry["schema"])) == (
                ack.schema_id,
                json.loads(ack.schema),
            )


def visible_state(node: ServerProcess) -> dict[str, list[dict[str, Any]]]:
    """Every subject's versions as `node` serves them."""
    with httpx.Client(base_url=node.url, timeout=10) as client:
        state = {}
        for subject in client.get("/subjects").json():
            versions = client.get(f"/subjects/{subject}/versions").json()
            state[subject] = [
                client.get(f"/subjects/{subject}/versions/{v}").json() for v in versions
            ]
        return state
