"""Durability of the embedded log: SIGKILL mid-stream, restart, and check what survived.

A registration the server acknowledged must survive a crash with the same id and version.
A registration that was in flight may or may not be there, but never half: versions stay
dense and every visible schema is one that was sent for that subject.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import threading
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from registry.log.file._recovery import LOCK_FILE
from tests.integration.conftest import (
    REPO_ROOT,
    ServerFactory,
    ServerProcess,
    free_port,
    serve_command,
    server_env,
)

pytestmark = pytest.mark.integration

CT = {"Content-Type": "application/vnd.schemaregistry.v1+json"}
SUBJECTS = 6
TOTAL = 300
KILL_AFTER = 100
WORKERS = 8
ACK_TIMEOUT_S = 30.0


@dataclass(frozen=True, slots=True)
class Ack:
    """A registration the server answered 200 to."""

    subject: str
    version: int
    schema_id: int
    schema: str


def subject_of(i: int) -> str:
    """The subject the i-th registration goes to."""
    return f"crash-{i % SUBJECTS}-value"


def schema_of(i: int) -> str:
    """The i-th distinct schema (its record name makes it unique)."""
    return json.dumps(
        {
            "type": "record",
            "name": f"Event{i}",
            "namespace": "cairn.crash",
            "fields": [{"name": "id", "type": "long"}, {"name": f"f{i}", "type": "string"}],
        },
        separators=(",", ":"),
    )


def parsed(schema: str) -> Any:
    """A schema text as JSON, to compare independently of how the server renders it."""
    return json.loads(schema)


class RegistrationStream:
    """Registers `TOTAL` schemas from a thread pool and records every acknowledgement."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.acks: list[Ack] = []
        self.unexpected: list[tuple[int, int, str]] = []
        self.transport_errors = 0
        self.enough = threading.Event()
        self.stop = threading.Event()
        self._lock = threading.Lock()
        self._local = threading.local()
        self._clients: list[httpx.Client] = []

    def _client(self) -> httpx.Client:
        client: httpx.Client | None = getattr(self._local, "client", None)
        if client is None:
            client = httpx.Client(base_url=self.url, timeout=10.0)
            self._local.client = client
            with self._lock:
                self._clients.append(client)
        return client

    def register(self, i: int) -> None:
        """Send registration `i` unless the stream was stopped; record the outcome."""
        if self.stop.is_set():
            return
        subject, schema = subject_of(i), schema_of(i)
        try:
            response = self._client().post(
                f"/subjects/{subject}/versions", json={"schema": schema}, headers=CT
            )
        except httpx.TransportError:
            with self._lock:
                self.transport_errors += 1
            return
        with self._lock:
            if response.status_code != 200:
                self.unexpected.append((i, response.status_code, response.text))
                return
            body = response.json()
            self.acks.append(Ack(subject, body["version"], body["id"], schema))
            if len(self.acks) >= KILL_AFTER:
                self.enough.set()

    def close(self) -> None:
        """Close every per-thread client."""
        for client in self._clients:
            client.close()


def visible_state(client: httpx.Client) -> dict[str, list[dict[str, Any]]]:
    """Every subject's live versions as the server reports them, checking density on the way."""
    subjects = client.get("/subjects").json()
    state: dict[str, list[dict[str, Any]]] = {}
    for subject in subjects:
        versions = client.get(f"/subjects/{subject}/versions").json()
        assert versions == list(range(1, len(versions) + 1)), (subject, versions)
        entries = []
        for version in versions:
            response = client.get(f"/subjects/{subject}/versions/{version}")
            assert response.status_code == 200, response.text
            entries.append(response.json())
        state[subject] = entries
    return state


def register_until_killed(server: ServerProcess) -> RegistrationStream:
    """Register from many threads, SIGKILL `server` mid-stream, and return what was acked."""
    with httpx.Client(base_url=server.url, timeout=10.0) as client:
        # Distinct record names are incompatible under BACKWARD; this test is about durability.
        response = client.put("/config", json={"compatibility": "NONE"}, headers=CT)
        assert response.status_code == 200, response.text

    stream = RegistrationStream(server.url)
    try:
        with ThreadPoolExecutor(max_workers=WORKERS) as pool:
            futures = [pool.submit(stream.register, i) for i in range(TOTAL)]
            reached = stream.enough.wait(timeout=ACK_TIMEOUT_S)
            # Kill while the other workers still have requests in flight.
            server.kill()
            stream.stop.set()
            for future in futures:
                future.result()
    finally:
        stream.close()
    assert reached, f"only {len(stream.acks)} acks before the deadline: {stream.unexpected[:3]}"
    assert stream.unexpected == []
    assert KILL_AFTER <= len(stream.acks) < TOTAL
    return stream


def assert_recovered(url: str, stream: RegistrationStream) -> None:
    """After a restart: every acknowledged registration is there unchanged, nothing foreign or
    half-written is visible, and writes go on with ids and versions above the survivors."""
    sent: dict[str, list[Any]] = defaultdict(list)
    for i in range(TOTAL):
        sent[subject_of(i)].append(parsed(schema_of(i)))
    with httpx.Client(base_url=url, timeout=10.0) as client:
        assert client.get("/config").json()["compatibilityLevel"] == "NONE"
        state = visible_state(client)

        # Nothing foreign or half-written: every visible version is a schema sent there.
        assert set(state) <= {subject_of(i) for i in range(SUBJECTS)}
        ids: list[int] = []
        for subject, entries in state.items():
            seen = [parsed(entry["schema"]) for entry in entries]
            for schema in seen:
                assert schema in sent[subject], (subject, schema)
            assert len({json.dumps(s, sort_keys=True) for s in seen}) == len(seen), subject
            ids.extend(entry["id"] for entry in entries)
        # Distinct schemas never share an id.
        assert len(ids) == len(set(ids))

        # Every acknowledged registration is there, unchanged.
        for ack in stream.acks:
            by_version = client.get(f"/subjects/{ack.subject}/versions/{ack.version}")
            assert by_version.status_code == 200, (ack, by_version.text)
            assert by_version.json()["id"] == ack.schema_id, ack
            assert parsed(by_version.json()["schema"]) == parsed(ack.schema), ack
            by_id = client.get(f"/schemas/ids/{ack.schema_id}")
            assert by_id.status_code == 200, (ack, by_id.text)
            assert parsed(by_id.json()["schema"]) == parsed(ack.schema), ack
        assert sum(len(entries) for entries in state.values()) >= len(stream.acks)

        # Re-registering an acknowledged schema is still idempotent after recovery.
        first = stream.acks[0]
        again = client.post(
            f"/subjects/{first.subject}/versions", json={"schema": first.schema}, headers=CT
        )
        assert again.status_code == 200, again.text
        assert (again.json()["id"], again.json()["version"]) == (first.schema_id, first.version)

        # New registrations continue above every id and version that survived.
        max_id = max(ids)
        for i in range(TOTAL, TOTAL + SUBJECTS):
            subject = subject_of(i)
            response = client.post(
                f"/subjects/{subject}/versions", json={"schema": schema_of(i)}, headers=CT
            )
            assert response.status_code == 200, response.text
            body = response.json()
            assert body["id"] > max_id, (body, max_id)
            assert body["version"] == len(state.get(subject, [])) + 1, (subject, body)
            max_id = body["id"]


def test_acknowledged_registrations_survive_sigkill(server_factory: ServerFactory) -> None:
    server = server_factory.start()
    stream = register_until_killed(server)
    restarted = server_factory.start(server.data_dir)
    assert_recovered(restarted.url, stream)


def test_clean_restart_keeps_schemas_config_and_mode(server_factory: ServerFactory) -> None:
    server = server_factory.start()
    schema = schema_of(10_000)
    with httpx.Client(base_url=server.url, timeout=10.0) as client:
        body = client.post(
            "/subjects/restart-value/versions", json={"schema": schema}, headers=CT
        ).json()
        assert client.put(
            "/config/restart-value", json={"compatibility": "FULL"}, headers=CT
        ).is_success
        assert client.put("/mode/restart-value", json={"mode": "READONLY"}, headers=CT).is_success
        assert client.delete("/subjects/restart-value/versions/1").status_code == 422

    restarted = server_factory.restart(server)
    # uvicorn shuts down gracefully on SIGTERM, then re-raises the signal.
    assert server.process.returncode in (0, -signal.SIGTERM), server.stderr()
    assert "shutdown complete" in server.stderr().lower(), server.stderr()
    with httpx.Client(base_url=restarted.url, timeout=10.0) as client:
        got = client.get("/subjects/restart-value/versions/1").json()
        assert (got["id"], got["version"]) == (body["id"], body["version"])
        assert parsed(got["schema"]) == parsed(schema)
        assert client.get("/config/restart-value").json()["compatibilityLevel"] == "FULL"
        assert client.get("/mode/restart-value").json()["mode"] == "READONLY"


def test_second_server_on_same_data_dir_is_refused(server_factory: ServerFactory) -> None:
    first: ServerProcess = server_factory.start()
    second = subprocess.run(
        serve_command(first.data_dir, free_port()),
        cwd=REPO_ROOT,
        env=server_env(),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert second.returncode != 0
    assert "lock" in second.stderr.lower(), second.stderr
    assert str(first.data_dir) in second.stderr, second.stderr
    # The first server is unaffected.
    with httpx.Client(base_url=first.url, timeout=5.0) as client:
        assert client.get("/").status_code == 200


#: Answers a write may get while the writer among several workers is replaced: the writer
#: unreachable (50003), or a restarted worker still replaying its log (503).
FAILOVER_ANSWERS = {(500, 50003), (503, 503)}


def writer_pid(data_dir: Path) -> int:
    """The process holding the data directory's lock (it writes its pid into the lock file)."""
    return int((data_dir / LOCK_FILE).read_text().strip())


def worker_pids(url: str, count: int) -> set[int]:
    """The ready workers answering on `url`, as their metrics name them: each probe is a new
    connection, and asks readiness and metrics over it (so of one worker)."""
    pids: set[int] = set()
    deadline = time.monotonic() + ACK_TIMEOUT_S
    while len(pids) < count:
        assert time.monotonic() < deadline, f"only workers {pids} answered ready"
        with httpx.Client(base_url=url, timeout=10.0) as client:
            if client.get("/health/ready").status_code != 200:
                continue
            metrics = client.get("/metrics").text
        found = re.search(r'cairn_worker\{pid="(\d+)"', metrics)
        assert found is not None, metrics
        pids.add(int(found.group(1)))
    return pids


def test_killing_the_writer_among_workers_loses_no_acknowledged_write(
    server_factory: ServerFactory,
) -> None:
    server = server_factory.start(None, "--workers", "2")
    before = worker_pids(server.url, 2)
    writer = writer_pid(server.data_dir)
    assert writer in before
    with httpx.Client(base_url=server.url, timeout=10.0) as client:
        response = client.put("/config", json={"compatibility": "NONE"}, headers=CT)
        assert response.status_code == 200, response.text

    stream = RegistrationStream(server.url)
    try:
        with ThreadPoolExecutor(max_workers=WORKERS) as pool:
            futures = [pool.submit(stream.register, i) for i in range(TOTAL)]
            reached = stream.enough.wait(timeout=ACK_TIMEOUT_S)
            # Kill the writer while requests are in flight on both workers.
            os.kill(writer, signal.SIGKILL)
            acked_before_kill = len(stream.acks)
            for future in futures:
                future.result()
    finally:
        stream.close()
    assert reached, f"only {len(stream.acks)} acks before the deadline: {stream.unexpected[:3]}"
    failover = [
        (status, json.loads(text).get("error_code")) for _, status, text in stream.unexpected
    ]
    assert set(failover) <= FAILOVER_ANSWERS, stream.unexpected[:3]
    # The other worker took the writes over and the stream went on.
    assert len(stream.acks) > acked_before_kill + 10, (len(stream.acks), stream.unexpected[:3])
    assert writer_pid(server.data_dir) != writer
    assert server.process.poll() is None
    assert_recovered(server.url, stream)
    # The dead worker was started again.
    after = worker_pids(server.url, 2)
    assert writer not in after


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie is dead too: its parent (now init) has not reaped it yet.
    stat = Path(f"/proc/{pid}/stat")
    return not stat.exists() or stat.read_text().split(") ", 1)[1][0] != "Z"


def test_workers_do_not_outlive_a_killed_supervisor(server_factory: ServerFactory) -> None:
    server = server_factory.start(None, "--workers", "2")
    workers = worker_pids(server.url, 2)
    server.kill()  # SIGKILL: the supervisor cannot stop its workers itself
    deadline = time.monotonic() + ACK_TIMEOUT_S
    while any(_alive(pid) for pid in workers):
        assert time.monotonic() < deadline, f"workers {workers} outlived their supervisor"
        threading.Event().wait(0.05)
    # The directory is free again: a new server takes it.
    restarted = server_factory.start(server.data_dir)
    with httpx.Client(base_url=restarted.url, timeout=10.0) as client:
        assert client.get("/health/ready").status_code == 200
