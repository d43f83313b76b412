"""Kafka benchmarks (performance.md S1, W2) and the failover time after a leader crash.

Starts its own single-node Apache Kafka broker (`kafka/broker.py`) unless `--bootstrap` names
one, and `cairn serve` processes on 127.0.0.1; every process started here is stopped by its
PID at the end, on failure and on Ctrl-C too.

* S1, start-up on Kafka: N records in Confluent's `_schemas` format are written straight to a
  fresh topic, in two variants: `live` (N distinct live schemas) and `dead` (about half the
  records are tombstones of the other half, leaving `--live` schemas). Timed from process
  start to `GET /health/ready` answering 200, against a bare confluent-kafka consumer (also
  a fresh Python process) reading the same topic to its end, in interleaved rounds. Each
  variant is also replayed in this process over a `KafkaLog` with counting format plug-ins,
  which shows how many schemas the replay parses.
* W2, new registrations (distinct subjects and schemas) through one node, and round-robin
  through three nodes (so two thirds are forwarded by followers), sequentially and with
  `--threads` keep-alive `http.client` clients, against the bare durable round trip: one
  idempotent `acks=all` producer sending a record and a consumer reading it back.
* Failover: two nodes; the leader is SIGKILLed; timed until a registration through the
  other node succeeds, at the default election session timeout and at a lowered one
  (`--kafka-session-timeout-ms`; the broker started here allows it).

    python bench/kafka.py [--records 100000] [--rounds 3] [--count 200] [--threads 4]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType

BENCH_DIR = Path(__file__).resolve().parent
REPO_ROOT = BENCH_DIR.parent
# This script shares its name with the repository's `kafka` package (the broker launcher):
# import from the repository root, not from the script's own folder.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != BENCH_DIR]
sys.path.insert(0, str(REPO_ROOT))

from confluent_kafka import Consumer, KafkaError, Message, Producer, TopicPartition  # noqa: E402

from compat.formats import (  # noqa: E402
    Formats,
    ParsedSchema,
    ResolvedReference,
    SchemaFormat,
    default_formats,
)
from compat.types import CompatibilityPolicy, Finding, SchemaType  # noqa: E402
from kafka.broker import restart_broker, start_broker  # noqa: E402
from registry.cluster import DEFAULT_SESSION_TIMEOUT_MS  # noqa: E402
from registry.log.kafka import KafkaLog, KafkaLogSettings  # noqa: E402
from registry.records import SchemaKey, SchemaValue, encode_key, encode_value  # noqa: E402
from registry.server import build_registry  # noqa: E402
from registry.settings import Settings  # noqa: E402

HOST = "127.0.0.1"
CT = "application/vnd.schemaregistry.v1+json"
READY_DEADLINE_S = 180.0
STOP_TIMEOUT_S = 15.0
REQUEST_TIMEOUT_S = 60.0
FAILOVER_DEADLINE_S = 90.0
#: What the broker started here accepts as the least session timeout (Kafka's default: 6 s).
BROKER_MIN_SESSION_MS = 500
#: librdkafka's log level for the clients made here: errors only (its retries are no news).
LOG_LEVEL = 3
#: Python reading a topic to its end, as a fresh process like `cairn serve` (argv: servers, topic).
BARE_READER = """
import sys
from confluent_kafka import Consumer, TopicPartition
c = Consumer({"bootstrap.servers": sys.argv[1], "group.id": "bench-bare",
              "enable.auto.commit": False, "fetch.wait.max.ms": 2})
low, high = c.get_watermark_offsets(TopicPartition(sys.argv[2], 0), timeout=30)
c.assign([TopicPartition(sys.argv[2], 0, low)])
n = 0
while n < high - low:
    for m in c.consume(1000, 0.05):
        if m.error() is None:
            n += 1
c.close()
print(n)
"""

# ---------------------------------------------------------------------------------------------
# Processes: every one started here is tracked and stopped by PID.


@dataclass(frozen=True, slots=True)
class Node:
    """One `cairn serve` process."""

    process: subprocess.Popen[bytes]
    port: int
    stderr_path: Path

    @property
    def url(self) -> str:
        """Its base URL."""
        return f"http://{HOST}:{self.port}"

    def stderr_tail(self) -> str:
        """The end of what it logged, to explain a failure."""
        try:
            return self.stderr_path.read_text(errors="replace")[-3000:]
        except OSError:
            return ""


@dataclass(slots=True)
class Processes:
    """The processes this run started; `stop_all` ends each by PID (SIGTERM, then SIGKILL)."""

    work_dir: Path
    running: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def start_node(self, bootstrap: str, topic: str, *extra: str) -> Node:
        """Start `cairn serve` on `topic` (not waiting for it)."""
        port = free_port()
        stderr_path = self.work_dir / f"node-{port}.err"
        command = [
            sys.executable,
            "-c",
            "from cli.main import main; main()",
            "serve",
            "--host",
            HOST,
            "--port",
            str(port),
            "--kafka-bootstrap-servers",
            bootstrap,
            "--kafka-topic",
            topic,
            *extra,
        ]
        env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
        with stderr_path.open("wb") as err:
            process = subprocess.Popen(
                command,
                cwd=REPO_ROOT,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=err,
            )
        self.running.append(process)
        return Node(process, port, stderr_path)

    def run_python(self, code: str, *args: str, timeout_s: float) -> str:
        """Run `code` in a fresh interpreter, tracked like the nodes; return its stdout."""
        process = subprocess.Popen(
            [sys.executable, "-c", code, *args],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        self.running.append(process)
        try:
            out, err = process.communicate(timeout=timeout_s)
        finally:
            self.stop(process)
        if process.returncode != 0:
            raise RuntimeError(f"helper process failed: {err.decode(errors='replace')[-2000:]}")
        return out.decode()

    def stop(self, process: subprocess.Popen[bytes]) -> None:
        """End one process by its PID and forget it."""
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=STOP_TIMEOUT_S)
        if process in self.running:
            self.running.remove(process)

    def kill(self, process: subprocess.Popen[bytes]) -> None:
        """SIGKILL one process (a crash) and reap it."""
        if process.poll() is None:
            process.kill()
        process.wait(timeout=STOP_TIMEOUT_S)
        if process in self.running:
            self.running.remove(process)

    def stop_all(self) -> None:
        """End everything still running."""
        for process in list(self.running):
            self.stop(process)


def free_port() -> int:
    """A port on 127.0.0.1 nothing listens on now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def kafka_cluster(bootstrap: str | None, work_dir: Path) -> Iterator[str]:
    """The given bootstrap servers, or a broker started (and stopped) here.

    The broker started here is restarted once with a lower `group.min.session.timeout.ms`,
    so that the failover benchmark may lower the election's session timeout.
    """
    if bootstrap is not None:
        yield bootstrap
        return
    broker = start_broker(work_dir / "broker")
    try:
        broker.stop()
        with broker.properties.open("a") as properties:
            properties.write(f"group.min.session.timeout.ms={BROKER_MIN_SESSION_MS}\n")
        broker = restart_broker(broker)
        yield broker.bootstrap_servers
    finally:
        broker.stop()


# ---------------------------------------------------------------------------------------------
# HTTP helpers (http.client, keep-alive).


def request(
    conn: http.client.HTTPConnection, method: str, path: str, body: bytes | None = None
) -> tuple[int, bytes]:
    """One request on a kept-alive connection; returns status and body."""
    headers = {"Content-Type": CT} if body is not None else {}
    conn.request(method, path, body=body, headers=headers)
    response = conn.getresponse()
    return response.status, response.read()


def connect(url: str, timeout_s: float = REQUEST_TIMEOUT_S) -> http.client.HTTPConnection:
    """A connection to a node's base URL."""
    host, port = url.removeprefix("http://").split(":")
    return http.client.HTTPConnection(host, int(port), timeout=timeout_s)


def wait_ready(node: Node, deadline_s: float = READY_DEADLINE_S) -> float:
    """Poll `/health/ready` until 200; return when it first answered 200 (perf_counter)."""
    deadline = time.monotonic() + deadline_s
    while True:
        if node.process.poll() is not None:
            raise RuntimeError(f"cairn serve exited early:\n{node.stderr_tail()}")
        try:
            conn = connect(node.url, 2.0)
            try:
                status, _ = request(conn, "GET", "/health/ready")
            finally:
                conn.close()
            if status == 200:
                return time.perf_counter()
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"{node.url} not ready in {deadline_s} s:\n{node.stderr_tail()}")
        time.sleep(0.02)  # the pause between polls of a readiness condition


def wait_leader(node: Node, deadline_s: float = READY_DEADLINE_S) -> str:
    """Poll the node's view of the leader until it names one."""
    deadline = time.monotonic() + deadline_s
    conn = connect(node.url, 5.0)
    try:
        while True:
            status, body = request(conn, "GET", "/v1/metadata/leader")
            leader = json.loads(body).get("leader") if status == 200 else None
            if isinstance(leader, str):
                return leader
            if time.monotonic() > deadline:
                raise RuntimeError(f"{node.url} knows no leader:\n{node.stderr_tail()}")
            time.sleep(0.05)
    finally:
        conn.close()


def schema_text(name: str) -> str:
    """A distinct 10-field Avro record."""
    kinds = ("long", "string", "double", "boolean", "int")
    fields = [{"name": f"f{k}", "type": kinds[k % len(kinds)]} for k in range(10)]
    return json.dumps(
        {"type": "record", "name": name, "namespace": "cairn.bench.kafka", "fields": fields},
        separators=(",", ":"),
    )


def percentile(values: Sequence[float], q: float) -> float:
    """The q-quantile (nearest rank) of `values`."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


# ---------------------------------------------------------------------------------------------
# S1: start-up replay.


def create_topic(bootstrap: str, topic: str) -> None:
    """Create a registry topic (compacted, one partition) the way Cairn does."""
    KafkaLog.open(log_settings(bootstrap, topic)).close()


def log_settings(bootstrap: str, topic: str) -> KafkaLogSettings:
    """A `KafkaLog` on `topic`, its clients logging errors only."""
    return KafkaLogSettings(bootstrap, topic=topic, client_config={"log_level": str(LOG_LEVEL)})


def fill_topic(bootstrap: str, topic: str, records: int, live: int | None) -> tuple[int, int]:
    """Write `records` SCHEMA records (or registrations and tombstones leaving `live`).

    Returns the number of live schemas the topic describes and of records written.
    """
    create_topic(bootstrap, topic)
    producer = Producer(
        {
            "bootstrap.servers": bootstrap,
            "linger.ms": 20,
            "enable.idempotence": True,
            "log_level": LOG_LEVEL,
        }
    )
    sent = 0

    def send(key: bytes, value: bytes | None) -> None:
        nonlocal sent
        while True:
            try:
                producer.produce(topic, value=value, key=key)
                break
            except BufferError:
                producer.poll(0.1)
        sent += 1
        if sent % 5000 == 0:
            producer.poll(0)

    if live is None:
        versions: dict[str, int] = {}
        for i in range(records):
            subject = f"s1-{i % 1000}-value"
            versions[subject] = versions.get(subject, 0) + 1
            key = SchemaKey(subject, versions[subject])
            send(encode_key(key), encode_value(SchemaValue(subject, key.version, i + 1, _s(i))))
        remaining = records
    else:
        registrations = (records + live) // 2
        for i in range(registrations):
            subject = f"s1d-{i}-value"
            value = SchemaValue(subject, 1, i + 1, _s(i))
            send(encode_key(SchemaKey(subject, 1)), encode_value(value))
        for i in range(registrations - live):
            send(encode_key(SchemaKey(f"s1d-{i}-value", 1)), None)
        remaining = live
    if producer.flush(120) != 0:
        raise RuntimeError("records were not delivered in time")
    return remaining, sent


def _s(i: int) -> str:
    return schema_text(f"S{i}")


class CountingFormat:
    """A format plug-in that counts `parse` calls and delegates everything to another."""

    def __init__(self, inner: SchemaFormat) -> None:
        self._inner = inner
        self.parses = 0

    @property
    def schema_type(self) -> SchemaType:
        """The wrapped plug-in's type."""
        return self._inner.schema_type

    def parse(
        self, text: str, references: Sequence[ResolvedReference] = (), *, normalize: bool = False
    ) -> ParsedSchema:
        """Count, then parse."""
        self.parses += 1
        return self._inner.parse(text, references, normalize=normalize)

    def backward_findings(
        self,
        reader: ParsedSchema,
        writer: ParsedSchema,
        *,
        policy: CompatibilityPolicy = CompatibilityPolicy.STRICT,
    ) -> list[Finding]:
        """Delegated."""
        return self._inner.backward_findings(reader, writer, policy=policy)

    def confluent_message(self, finding: Finding, *, reader: str, writer: str) -> str:
        """Delegated."""
        return self._inner.confluent_message(finding, reader=reader, writer=writer)

    def render(self, schema: ParsedSchema, fmt: str) -> str | None:
        """Delegated."""
        return self._inner.render(schema, fmt)


@dataclass(frozen=True, slots=True)
class InProcessReplay:
    """An in-process replay: its time and how many schemas it parsed."""

    seconds: float
    parses: int
    schemas: int


def replay_in_process(bootstrap: str, topic: str) -> InProcessReplay:
    """Replay `topic` into a service here, counting schema parses."""
    base = default_formats()
    counters = [CountingFormat(base.get(kind)) for kind in base.supported]
    started = time.perf_counter()
    log = KafkaLog.open(log_settings(bootstrap, topic))
    try:
        service = build_registry(log, Settings(), Formats(counters))
        seconds = time.perf_counter() - started
        state = service.store.state
        schemas = sum(len(state.versions(subject)) for subject in state.subjects())
    finally:
        log.close()
    return InProcessReplay(seconds, sum(c.parses for c in counters), schemas)


def time_serve_ready(processes: Processes, bootstrap: str, topic: str) -> float:
    """Seconds from starting `cairn serve` on `topic` to its readiness answering 200."""
    started = time.perf_counter()
    node = processes.start_node(
        bootstrap, topic, "--kafka-group-id", f"bench-s1-{uuid.uuid4().hex[:8]}"
    )
    try:
        return wait_ready(node) - started
    finally:
        processes.stop(node.process)


def time_bare_read(processes: Processes, bootstrap: str, topic: str, expected: int) -> float:
    """Seconds for a fresh Python process to read `topic` to its end with confluent-kafka."""
    started = time.perf_counter()
    count = int(processes.run_python(BARE_READER, bootstrap, topic, timeout_s=READY_DEADLINE_S))
    elapsed = time.perf_counter() - started
    if count != expected:
        raise RuntimeError(f"the bare reader read {count} records, not {expected}")
    return elapsed


def bench_startup(processes: Processes, bootstrap: str, args: argparse.Namespace) -> None:
    """S1 for both variants; prints a table."""
    print(f"\nS1: start-up on Kafka, {args.records} records, medians of {args.rounds} rounds")
    print(
        f"{'variant':<10}{'live':>8}{'bare read s':>13}{'ready s':>10}{'ratio':>8}"
        f"{'replay here s':>15}{'parses':>8}"
    )
    for variant, live in (("live", None), ("dead", args.live)):
        topic = f"bench-s1-{variant}-{uuid.uuid4().hex[:8]}"
        live_count, written = fill_topic(bootstrap, topic, args.records, live)
        bare, ready = [], []
        for _ in range(args.rounds):
            bare.append(time_bare_read(processes, bootstrap, topic, written))
            ready.append(time_serve_ready(processes, bootstrap, topic))
        here = replay_in_process(bootstrap, topic)
        bare_s, ready_s = statistics.median(bare), statistics.median(ready)
        print(
            f"{variant:<10}{live_count:>8}{bare_s:>13.2f}{ready_s:>10.2f}"
            f"{ready_s / bare_s:>7.2f}x{here.seconds:>15.2f}{here.parses:>8}"
        )
    print(
        "ready: process start to /health/ready 200 (interpreter, imports, replay, election); "
        "bare read: a fresh Python process reading the topic with confluent-kafka; "
        "parses: schemas parsed while replaying in this process (parsing is lazy: "
        "0 means replay cost does not depend on schema parsing at all)"
    )


# ---------------------------------------------------------------------------------------------
# W2: new registrations.


@dataclass(slots=True)
class Phase:
    """Timings of one measured phase."""

    wall_s: float = 0.0
    latencies_ms: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def ops_per_s(self) -> float:
        """Throughput."""
        return len(self.latencies_ms) / self.wall_s if self.wall_s else 0.0


def drive(urls: Sequence[str], count: int, threads: int, prefix: str) -> Phase:
    """Register `count` distinct schemas under distinct subjects, round-robin over `urls`."""
    phase = Phase()
    lock = threading.Lock()
    taken = iter(range(count))

    def worker() -> None:
        conns = {url: connect(url) for url in urls}
        try:
            while True:
                with lock:
                    i = next(taken, None)
                if i is None:
                    return
                url = urls[i % len(urls)]
                body = json.dumps({"schema": schema_text(f"{prefix}_{i}")}).encode()
                path = f"/subjects/{prefix}-{i}-value/versions"
                started = time.perf_counter_ns()
                try:
                    status, answer = request(conns[url], "POST", path, body)
                except (OSError, http.client.HTTPException) as exc:
                    conns[url].close()
                    conns[url] = connect(url)
                    status, answer = -1, str(exc).encode()
                elapsed_ms = (time.perf_counter_ns() - started) / 1e6
                with lock:
                    if status == 200 and "id" in json.loads(answer):
                        phase.latencies_ms.append(elapsed_ms)
                    else:
                        phase.errors.append(f"{status} {answer[:200]!r}")
        finally:
            for conn in conns.values():
                conn.close()

    pool = [
        threading.Thread(target=worker, name=f"bench-client-{n}", daemon=True)
        for n in range(threads)
    ]
    started = time.perf_counter()
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join(timeout=count * REQUEST_TIMEOUT_S)
    phase.wall_s = time.perf_counter() - started
    return phase


def round_trip(bootstrap: str, topic: str, count: int, *, transactional: bool = False) -> Phase:
    """The floor: produce one record (idempotent, acks=all) and consume it back, `count` times.

    `transactional`: each record in its own transaction, read back with read_committed, as a
    Cairn node's writes are (it shows how much of the gap to the floor the transactions take).
    """
    config: dict[str, str | int | bool] = {
        "bootstrap.servers": bootstrap,
        "enable.idempotence": True,
        "acks": "all",
        "linger.ms": 0,
        "log_level": LOG_LEVEL,
    }
    if transactional:
        config["transactional.id"] = f"bench-floor-{uuid.uuid4().hex[:8]}"
    producer = Producer(config)
    consumer = Consumer(
        {
            "bootstrap.servers": bootstrap,
            "group.id": "bench-floor",
            "enable.auto.commit": False,
            "fetch.wait.max.ms": 2,
            "isolation.level": "read_committed" if transactional else "read_uncommitted",
            "log_level": LOG_LEVEL,
        }
    )
    phase = Phase()
    try:
        if transactional:
            producer.init_transactions(REQUEST_TIMEOUT_S)
        _, high = consumer.get_watermark_offsets(TopicPartition(topic, 0), timeout=30)
        consumer.assign([TopicPartition(topic, 0, high)])
        started_all = time.perf_counter()
        delivered: list[int] = []

        def on_delivery(error: KafkaError | None, message: Message) -> None:
            offset = message.offset()
            if error is None and offset is not None:
                delivered.append(offset)

        for i in range(count):
            delivered.clear()
            started = time.perf_counter_ns()
            if transactional:
                producer.begin_transaction()
            producer.produce(topic, key=b"k%d" % i, value=b"v" * 400, on_delivery=on_delivery)
            if transactional:
                producer.commit_transaction(REQUEST_TIMEOUT_S)
            else:
                producer.flush(REQUEST_TIMEOUT_S)
            if not delivered:
                phase.errors.append("not delivered")
                continue
            if _read_back(consumer, delivered[0]):
                phase.latencies_ms.append((time.perf_counter_ns() - started) / 1e6)
            else:
                phase.errors.append("not read back")
        phase.wall_s = time.perf_counter() - started_all
    finally:
        consumer.close()
        producer.flush(REQUEST_TIMEOUT_S)
    return phase


def _read_back(consumer: Consumer, offset: int) -> bool:
    deadline = time.monotonic() + REQUEST_TIMEOUT_S
    while time.monotonic() < deadline:
        message = consumer.poll(1.0)
        if message is None or message.error() is not None:
            continue
        got = message.offset()
        if got is not None and got >= offset:
            return True
    return False


def start_cluster(processes: Processes, bootstrap: str, size: int, *extra: str) -> list[Node]:
    """`size` nodes on a fresh topic, all ready and agreeing on a leader."""
    topic = f"bench-w2-{size}-{uuid.uuid4().hex[:8]}"
    nodes = [processes.start_node(bootstrap, topic, *extra) for _ in range(size)]
    for node in nodes:
        wait_ready(node)
    for node in nodes:
        wait_leader(node)
    return nodes


def bench_writes(processes: Processes, bootstrap: str, args: argparse.Namespace) -> None:
    """W2 for one node and three nodes against the round-trip floor; prints a table."""
    floor_topic = f"bench-floor-{uuid.uuid4().hex[:8]}"
    create_topic(bootstrap, floor_topic)
    one = start_cluster(processes, bootstrap, 1)
    three = start_cluster(processes, bootstrap, 3)
    phases: dict[str, list[Phase]] = {}
    runs: list[tuple[str, Callable[[int, str], Phase]]] = [
        (
            "floor: produce + read back",
            lambda count, _tag: round_trip(bootstrap, floor_topic, count),
        ),
        (
            "same, in transactions",
            lambda count, _tag: round_trip(bootstrap, floor_topic, count, transactional=True),
        ),
    ]
    for label, nodes in (("1 node", one), ("3 nodes", three)):
        urls = [node.url for node in nodes]
        for threads in (1, args.threads):
            plural = "s" if threads > 1 else ""
            runs.append((f"{label}, {threads} client{plural}", _driver(urls, threads)))
    for r in range(args.rounds):
        for name, run in runs:
            tag = f"w{uuid.uuid4().hex[:6]}r{r}"
            phases.setdefault(name, []).append(run(args.count, tag))
    print(
        f"\nW2: {args.count} new registrations per phase (distinct subjects), "
        f"medians of {args.rounds} interleaved rounds"
    )
    print(
        f"{'phase':<30}{'ops/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'errors':>8}"
        f"{'ops/s vs floor':>16}{'p50 - floor':>13}"
    )
    floor_name = runs[0][0]
    floor = _summary(phases[floor_name])
    for name, _ in runs:
        ops, p50, p99, errors = _summary(phases[name])
        print(
            f"{name:<30}{ops:>9.0f}{p50:>9.2f}{p99:>9.2f}{errors:>8}"
            f"{ops / floor[0]:>15.2f}x{p50 - floor[1]:>+10.2f} ms"
        )
        for phase in phases[name]:
            for error in phase.errors[:3]:
                print(f"  error: {error}")
    for node in [*one, *three]:
        processes.stop(node.process)


def _driver(urls: list[str], threads: int) -> Callable[[int, str], Phase]:
    return lambda count, tag: drive(urls, count, threads, tag)


def _summary(phases: list[Phase]) -> tuple[float, float, float, int]:
    """Median over rounds of ops/s, p50 and p99; total errors."""
    measured = [p for p in phases if p.latencies_ms]
    if not measured:
        return 0.0, 0.0, 0.0, sum(len(p.errors) for p in phases)
    return (
        statistics.median(p.ops_per_s for p in measured),
        statistics.median(percentile(p.latencies_ms, 0.5) for p in measured),
        statistics.median(percentile(p.latencies_ms, 0.99) for p in measured),
        sum(len(p.errors) for p in phases),
    )


# ---------------------------------------------------------------------------------------------
# Failover after a leader crash.


def time_failover(processes: Processes, bootstrap: str, session_ms: int) -> float:
    """Seconds from SIGKILLing the leader to the first registration acknowledged after it."""
    nodes = start_cluster(processes, bootstrap, 2, "--kafka-session-timeout-ms", str(session_ms))
    try:
        leader_url = wait_leader(nodes[0])
        leader = next(node for node in nodes if node.url == leader_url)
        survivor = next(node for node in nodes if node is not leader)
        prefix = f"fo{uuid.uuid4().hex[:6]}"
        conn = connect(survivor.url)
        try:
            status, answer = request(
                conn, "POST", f"/subjects/{prefix}-0-value/versions", _registration(prefix, 0)
            )
            if status != 200:
                raise RuntimeError(f"warm-up write failed: {status} {answer!r}")
            processes.kill(leader.process)
            killed = time.perf_counter()
            deadline = time.monotonic() + FAILOVER_DEADLINE_S
            for i in range(1, 1_000_000):
                status, answer = request(
                    conn, "POST", f"/subjects/{prefix}-{i}-value/versions", _registration(prefix, i)
                )
                if status == 200:
                    return time.perf_counter() - killed
                if time.monotonic() > deadline:
                    break
                time.sleep(0.02)  # the pause between attempts while no leader is in office
            raise RuntimeError(f"no write succeeded after the kill: {status} {answer!r}")
        finally:
            conn.close()
    finally:
        for node in nodes:
            processes.stop(node.process)


def _registration(prefix: str, i: int) -> bytes:
    return json.dumps({"schema": schema_text(f"{prefix}_{i}")}).encode()


def bench_failover(processes: Processes, bootstrap: str, args: argparse.Namespace) -> None:
    """Failover time at the default and at a lowered session timeout; prints a table."""
    settings = (DEFAULT_SESSION_TIMEOUT_MS, args.low_session_ms)
    times: dict[int, list[float]] = {s: [] for s in settings}
    for _ in range(args.failover_rounds):
        for session_ms in settings:
            times[session_ms].append(time_failover(processes, bootstrap, session_ms))
    print(f"\nFailover: SIGKILL of the leader of 2 nodes, {args.failover_rounds} rounds")
    print(f"{'--kafka-session-timeout-ms':<28}{'median s':>10}{'all rounds s':>30}")
    for session_ms in settings:
        rounds = ", ".join(f"{t:.2f}" for t in times[session_ms])
        print(f"{session_ms:<28}{statistics.median(times[session_ms]):>10.2f}{rounds:>30}")


# ---------------------------------------------------------------------------------------------


def main() -> None:
    """Parse arguments, run the chosen benchmarks, and stop everything started."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--bootstrap", help="use this Kafka cluster instead of starting one")
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--live", type=int, default=1000, help="live schemas of the dead variant")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--count", type=int, default=200, help="registrations per W2 phase")
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--failover-rounds", type=int, default=2)
    parser.add_argument("--low-session-ms", type=int, default=1500)
    parser.add_argument(
        "--only", choices=("startup", "writes", "failover"), action="append", default=None
    )
    args = parser.parse_args()
    chosen = args.only or ["startup", "writes", "failover"]

    def interrupted(_signum: int, _frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupted)
    print(f"python {platform.python_version()}, {os.cpu_count()} CPUs, {platform.platform()}")
    with tempfile.TemporaryDirectory(prefix="cairn-bench-kafka-") as tmp:
        processes = Processes(Path(tmp))
        try:
            with kafka_cluster(args.bootstrap, Path(tmp)) as bootstrap:
                if "startup" in chosen:
                    bench_startup(processes, bootstrap, args)
                if "writes" in chosen:
                    bench_writes(processes, bootstrap, args)
                if "failover" in chosen:
                    bench_failover(processes, bootstrap, args)
        finally:
            processes.stop_all()


if __name__ == "__main__":
    main()
