"""Every log backend behind one fixture, so the contract suite runs against each of them.

A backend is a function `(request, tmp_path) -> LogFactory` in `BACKENDS`; adding one (say,
Kafka) is one entry there. A factory opens logs over one place (a directory, a topic) and
says what the backend can do, so tests skip by capability, never by backend name.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from registry.log.base import Log
from registry.log.file import FileLog, SharedFileLog
from registry.log.kafka import KafkaLog, KafkaLogSettings
from registry.log.memory import MemoryLog


class LogFactory:
    """Opens logs of one backend over one place, and closes whatever is left at teardown."""

    def __init__(self, opener: Callable[[], Log], *, durable: bool) -> None:
        self._opener = opener
        #: Whether records survive `reopen` (a new log over the same place).
        self.durable = durable
        self._opened: list[Log] = []

    def open(self) -> Log:
        """A log over this factory's place."""
        log = self._opener()
        self._opened.append(log)
        return log

    def reopen(self, log: Log) -> Log:
        """Close `log` and open its place again, as a restarted server would."""
        if not self.durable:
            pytest.skip("this backend keeps records only as long as the log object lives")
        log.close()
        return self.open()

    def close_all(self) -> None:
        """Close every log this factory opened."""
        for log in self._opened:
            log.close()


def memory_backend(request: pytest.FixtureRequest, tmp_path: Path) -> LogFactory:
    """A fresh in-memory log each time: nothing to reopen."""
    return LogFactory(MemoryLog, durable=False)


def file_backend(request: pytest.FixtureRequest, tmp_path: Path) -> LogFactory:
    """The embedded file log over one directory."""
    data_dir = tmp_path / "data"
    return LogFactory(lambda: FileLog.open(data_dir), durable=True)


def shared_file_backend(request: pytest.FixtureRequest, tmp_path: Path) -> LogFactory:
    """The file log of a directory several processes serve, as the process that writes."""
    data_dir = tmp_path / "data"
    return LogFactory(lambda: SharedFileLog.open(data_dir), durable=True)


def kafka_backend(request: pytest.FixtureRequest, tmp_path: Path) -> LogFactory:
    """A Kafka log over a fresh topic (skipped, or failed under CAIRN_REQUIRE_KAFKA, without
    a broker)."""
    bootstrap: str = request.getfixturevalue("kafka_bootstrap")
    topic = f"cairn-contract-{uuid.uuid4().hex}"
    settings = KafkaLogSettings(bootstrap, topic=topic, timeout_s=15.0)
    return LogFactory(lambda: KafkaLog.open(settings), durable=True)


BACKENDS: dict[str, Callable[[pytest.FixtureRequest, Path], LogFactory]] = {
    "memory": memory_backend,
    "file": file_backend,
    "shared-file": shared_file_backend,
    "kafka": kafka_backend,
}


@pytest.fixture(params=sorted(BACKENDS))
def log_factory(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[LogFactory]:
    """A factory for each backend in turn."""
    factory = BACKENDS[request.param](request, tmp_path)
    yield factory
    factory.close_all()
