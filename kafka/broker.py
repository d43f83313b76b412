#!/usr/bin/env python3
"""A throwaway single-node Apache Kafka broker for tests and benchmarks.

Apache Kafka 4.x runs without ZooKeeper: one JVM acts as KRaft controller and broker at
once. This script resolves the broker's jars with Maven (once; they are cached under
`~/.cache/cairn/kafka-<version>-<pom digest>/`, or under `$CAIRN_KAFKA_CACHE`), writes a
`server.properties` for free 127.0.0.1 ports and a temporary data directory, formats the
storage, starts `kafka.Kafka` and waits until the broker answers a metadata request.

As a script it prints the bootstrap address and runs until interrupted:

    python3 kafka/broker.py            # start, print 127.0.0.1:PORT, stop on Ctrl-C
    python3 kafka/broker.py --jars     # only resolve (and cache) the jars

From Python, `start_broker()` returns a `RunningBroker` whose `stop()` ends the JVM by PID.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

KAFKA_VERSION = "4.1.1"
POM = Path(__file__).resolve().with_name("pom.xml")
HOST = "127.0.0.1"
#: Written into a cache folder once Maven has copied every jar into it.
COMPLETE_MARKER = ".complete"
START_TIMEOUT_S = 90.0
STOP_TIMEOUT_S = 20.0
MAVEN_TIMEOUT_S = 600.0
#: The JVM shares a small machine with the tests; the broker needs little heap.
JVM_OPTIONS = (
    "-Xms128m",
    "-Xmx512m",
    "-XX:+UseSerialGC",
    "-Djava.awt.headless=true",
    "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
)


class BrokerError(RuntimeError):
    """The broker could not be resolved, formatted or started."""


@dataclass(frozen=True, slots=True)
class RunningBroker:
    """A started broker: its JVM process, address and files."""

    process: subprocess.Popen[bytes]
    bootstrap_servers: str
    work_dir: Path
    classpath: tuple[Path, ...]

    @property
    def data_dir(self) -> Path:
        """The broker's log directory (topics, KRaft metadata)."""
        return self.work_dir / "data"

    @property
    def log_path(self) -> Path:
        """Where the JVM's output goes (appended to across restarts)."""
        return self.work_dir / "broker.log"

    @property
    def properties(self) -> Path:
        """The broker's server.properties."""
        return self.work_dir / "server.properties"

    @property
    def pid(self) -> int:
        """The JVM's process id."""
        return self.process.pid

    def output(self) -> str:
        """What the JVM printed so far (its stdout and stderr)."""
        try:
            return self.log_path.read_text(errors="replace")
        except OSError:
            return ""

    def stop(self, timeout: float = STOP_TIMEOUT_S) -> int:
        """SIGTERM the JVM (a clean shutdown), SIGKILL it if it lingers; return its status."""
        return stop_process(self.process, timeout)

    def kill(self, timeout: float = STOP_TIMEOUT_S) -> int:
        """SIGKILL the JVM, as a crash would, and reap it."""
        if self.process.poll() is None:
            self.process.kill()
        return self.process.wait(timeout=timeout)


def stop_process(process: subprocess.Popen[bytes], timeout: float) -> int:
    """Terminate `process` by PID, escalating to SIGKILL after `timeout`; return its status."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            return process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
    return process.wait(timeout=timeout)


def cache_root() -> Path:
    """Where resolved jars are kept between runs."""
    override = os.environ.get("CAIRN_KAFKA_CACHE")
    if override:
        return Path(override)
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg) if xdg else Path.home() / ".cache"
    return base / "cairn"


def tools_available() -> list[str]:
    """The tools this module needs that are missing from PATH (empty when all are there)."""
    return [tool for tool in ("java", "mvn") if shutil.which(tool) is None]


def pom_digest() -> str:
    """A short digest of the pom, so a changed pom resolves into a new cache folder."""
    return hashlib.sha256(POM.read_bytes()).hexdigest()[:10]


def resolve_jars(cache_dir: Path | None = None) -> list[Path]:
    """The broker's classpath, resolving it with Maven into the cache first if needed.

    Maven copies into a fresh temporary folder that is renamed into place only when it
    finished, so an interrupted download is never mistaken for a complete one.
    """
    target = cache_dir or cache_root() / f"kafka-{KAFKA_VERSION}-{pom_digest()}"
    if not (target / COMPLETE_MARKER).exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f"{target.name}.", dir=target.parent))
        try:
            _copy_dependencies(staging)
            (staging / COMPLETE_MARKER).write_text(KAFKA_VERSION + "\n")
            if target.exists():
                shutil.rmtree(target)
            staging.rename(target)
        finally:
            if staging.exists():
                shutil.rmtree(staging, ignore_errors=True)
    jars = sorted(target.glob("*.jar"))
    if not any(jar.name.startswith("kafka_2.13-") for jar in jars):
        raise BrokerError(f"{target} holds no kafka_2.13 jar; delete it to resolve again")
    return jars


def _copy_dependencies(output_dir: Path) -> None:
    command = [
        "mvn",
        "-q",
        "-B",
        "-f",
        str(POM),
        f"-Dkafka.version={KAFKA_VERSION}",
        "dependency:copy-dependencies",
        f"-DoutputDirectory={output_dir}",
    ]
    try:
        result = subprocess.run(
            command,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=MAVEN_TIMEOUT_S,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise BrokerError(f"running Maven failed: {exc}") from exc
    if result.returncode != 0:
        output = (result.stdout + result.stderr).decode(errors="replace")[-4000:]
        raise BrokerError(f"Maven could not resolve the Kafka jars:\n{output}")


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


def new_cluster_id() -> str:
    """A random KRaft cluster id: 16 bytes, URL-safe base64 without padding."""
    return base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")


def server_properties(*, broker_port: int, controller_port: int, log_dir: Path) -> str:
    """A combined controller+broker configuration for one node, sized for tests."""
    settings = {
        "process.roles": "broker,controller",
        "node.id": "1",
        "controller.quorum.voters": f"1@{HOST}:{controller_port}",
        "listeners": f"PLAINTEXT://{HOST}:{broker_port},CONTROLLER://{HOST}:{controller_port}",
        "advertised.listeners": f"PLAINTEXT://{HOST}:{broker_port}",
        "controller.listener.names": "CONTROLLER",
        "inter.broker.listener.name": "PLAINTEXT",
        "listener.security.protocol.map": "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
        "log.dirs": str(log_dir),
        "num.partitions": "1",
        "auto.create.topics.enable": "false",
        # One node: the internal topics cannot have more than one replica.
        "offsets.topic.replication.factor": "1",
        "offsets.topic.num.partitions": "3",
        "transaction.state.log.replication.factor": "1",
        "transaction.state.log.min.isr": "1",
        "transaction.state.log.num.partitions": "3",
        "share.coordinator.state.topic.replication.factor": "1",
        "share.coordinator.state.topic.min.isr": "1",
        "group.initial.rebalance.delay.ms": "0",
        "num.network.threads": "2",
        "num.io.threads": "2",
        "background.threads": "2",
        "log.cleaner.threads": "1",
        "log.cleaner.dedupe.buffer.size": str(8 * 1024 * 1024),
    }
    return "".join(f"{key}={value}\n" for key, value in settings.items())


def _java_command(jars: Sequence[Path], main_class: str, *args: str) -> list[str]:
    classpath = os.pathsep.join(str(jar) for jar in jars)
    return ["java", *JVM_OPTIONS, "-cp", classpath, main_class, *args]


def format_storage(jars: Sequence[Path], properties: Path, cluster_id: str) -> None:
    """Write the KRaft metadata that a fresh log directory needs before the first start."""
    command = _java_command(
        # `--cluster-id=ID`: an id may start with "-", which argparse would take for an option.
        jars,
        "kafka.tools.StorageTool",
        "format",
        f"--cluster-id={cluster_id}",
        f"--config={properties}",
    )
    result = subprocess.run(
        command, stdin=subprocess.DEVNULL, capture_output=True, timeout=120, check=False
    )
    if result.returncode != 0:
        output = (result.stdout + result.stderr).decode(errors="replace")[-4000:]
        raise BrokerError(f"formatting the KRaft storage failed:\n{output}")


def wait_until_answering(broker: RunningBroker, deadline_s: float) -> None:
    """Poll the broker with metadata requests until one succeeds, or fail at the deadline."""
    from confluent_kafka import KafkaException  # noqa: PLC0415 (only needed at start)
    from confluent_kafka.admin import AdminClient  # noqa: PLC0415

    admin = AdminClient(
        {
            "bootstrap.servers": broker.bootstrap_servers,
            "log_level": 0,
            "log.connection.close": False,
        }
    )
    deadline = time.monotonic() + deadline_s
    while True:
        if broker.process.poll() is not None:
            raise BrokerError(
                f"the broker exited with {broker.process.returncode}:\n{broker.output()[-4000:]}"
            )
        try:
            metadata = admin.list_topics(timeout=1.0)
        except KafkaException:  # the usual answer until the broker is up: poll again
            metadata = None
        if metadata is not None and metadata.brokers:
            return
        if time.monotonic() > deadline:
            raise BrokerError(
                f"the broker did not answer within {deadline_s} s:\n{broker.output()[-4000:]}"
            )


def start_broker(
    work_dir: Path | None = None,
    *,
    jars: Sequence[Path] | None = None,
    deadline_s: float = START_TIMEOUT_S,
) -> RunningBroker:
    """Start a fresh single-node broker in `work_dir` (a new temporary folder by default)."""
    if missing := tools_available():
        raise BrokerError(f"not on PATH: {', '.join(missing)}")
    classpath = list(jars) if jars is not None else resolve_jars()
    base = work_dir or Path(tempfile.mkdtemp(prefix="cairn-kafka-"))
    base.mkdir(parents=True, exist_ok=True)
    properties = base / "server.properties"
    broker_port, controller_port = free_port(), free_port()
    while controller_port == broker_port:
        controller_port = free_port()
    properties.write_text(
        server_properties(
            broker_port=broker_port, controller_port=controller_port, log_dir=base / "data"
        )
    )
    format_storage(classpath, properties, new_cluster_id())
    return _launch(base, f"{HOST}:{broker_port}", tuple(classpath), deadline_s)


def restart_broker(broker: RunningBroker, *, deadline_s: float = START_TIMEOUT_S) -> RunningBroker:
    """Start a stopped broker again on its data and ports, as after a crash or an upgrade."""
    if broker.process.poll() is None:
        raise BrokerError(f"the broker (pid {broker.pid}) is still running")
    return _launch(broker.work_dir, broker.bootstrap_servers, broker.classpath, deadline_s)


def _launch(
    work_dir: Path, bootstrap_servers: str, classpath: tuple[Path, ...], deadline_s: float
) -> RunningBroker:
    with (work_dir / "broker.log").open("ab") as log_file:
        process = subprocess.Popen(
            _java_command(classpath, "kafka.Kafka", str(work_dir / "server.properties")),
            stdin=subprocess.DEVNULL,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    broker = RunningBroker(process, bootstrap_servers, work_dir, classpath)
    try:
        wait_until_answering(broker, deadline_s)
    except BaseException:
        broker.kill()
        raise
    return broker


def main(argv: Sequence[str] | None = None) -> int:
    """Resolve jars, or run a broker until interrupted, printing its bootstrap address."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--jars", action="store_true", help="only resolve and cache the jars")
    parser.add_argument("--dir", type=Path, help="work folder (default: a new temporary one)")
    args = parser.parse_args(argv)
    try:
        if args.jars:
            jars = resolve_jars()
            print(jars[0].parent)
            return 0
        broker = start_broker(args.dir)
    except BrokerError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(broker.bootstrap_servers, flush=True)

    def leave(signum: int, _frame: object) -> None:
        raise SystemExit(128 + signum)

    # Explicit handlers: a shell starting this in the background ignores SIGINT for it.
    signal.signal(signal.SIGTERM, leave)
    signal.signal(signal.SIGINT, leave)
    try:
        broker.process.wait()
    finally:
        broker.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
