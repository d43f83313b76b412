"""Where the Kafka tests get a broker: an existing cluster, a broker started here, or a skip.

`CAIRN_TEST_KAFKA` names the bootstrap servers of a cluster to use as it is. Otherwise a
single-node Apache Kafka broker is started with `kafka/broker.py` when `java` and `mvn` are on
PATH. When neither works the Kafka tests are skipped with the reason, unless
`CAIRN_REQUIRE_KAFKA=1` (as in CI), where they fail instead: a CI run must not pass by
silently testing nothing.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

import pytest

from kafka.broker import (
    BrokerError,
    RunningBroker,
    restart_broker,
    start_broker,
    tools_available,
)

BOOTSTRAP_ENV = "CAIRN_TEST_KAFKA"
REQUIRE_ENV = "CAIRN_REQUIRE_KAFKA"


@dataclass(frozen=True, slots=True)
class KafkaSource:
    """How this run gets its broker, decided from the environment and PATH."""

    bootstrap_servers: str | None
    required: bool
    missing_tools: tuple[str, ...]


def kafka_source(env: dict[str, str] | None = None) -> KafkaSource:
    """Read the choice from `env` (the process environment by default)."""
    environ = os.environ if env is None else env
    return KafkaSource(
        bootstrap_servers=environ.get(BOOTSTRAP_ENV) or None,
        required=environ.get(REQUIRE_ENV, "") not in ("", "0"),
        missing_tools=tuple(tools_available()),
    )


def unavailable(source: KafkaSource, reason: str) -> NoReturn:
    """Skip the requesting test, or fail it when Kafka is required."""
    message = f"no Kafka broker: {reason}"
    if source.required:
        pytest.fail(f"{message} ({REQUIRE_ENV} is set)", pytrace=False)
    print(message)
    pytest.skip(message)


@contextmanager
def kafka_bootstrap_servers(source: KafkaSource, work_dir: Path) -> Iterator[str]:
    """Yield bootstrap servers for the tests, stopping any broker started here afterwards."""
    if source.bootstrap_servers is not None:
        yield source.bootstrap_servers
        return
    with own_broker(source, work_dir) as broker:
        yield broker.bootstrap_servers


class BrokerControl:
    """A broker started by a test that stops and restarts it; tracks the running JVM."""

    def __init__(self, broker: RunningBroker) -> None:
        self.current = broker

    @property
    def bootstrap_servers(self) -> str:
        """The broker's address (the same across restarts)."""
        return self.current.bootstrap_servers

    def kill(self) -> None:
        """SIGKILL the broker, as a crash would."""
        self.current.kill()

    def restart(self) -> None:
        """Start the stopped broker again on the same data directory and ports."""
        self.current = restart_broker(self.current)

    def stop(self) -> None:
        """Stop the broker if it runs (by PID)."""
        self.current.stop()


@contextmanager
def own_broker(source: KafkaSource, work_dir: Path) -> Iterator[BrokerControl]:
    """A broker started here for one test or session; stopped (by PID) afterwards."""
    if source.missing_tools:
        missing = ", ".join(source.missing_tools)
        unavailable(source, f"starting a broker needs java and mvn; not on PATH: {missing}")
    try:
        broker = start_broker(work_dir)
    except BrokerError as exc:
        unavailable(source, f"the broker did not start: {exc}")
    control = BrokerControl(broker)
    try:
        yield control
    finally:
        control.stop()
