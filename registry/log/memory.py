"""An in-memory log for tests and throwaway servers: the contract, with no durability.

Offsets are list indexes: the log is never compacted, so record `n` sits at index `n`.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator, Sequence

from registry.log._checks import checked_offset, checked_records
from registry.log.base import LogRecord
from registry.log.errors import LogClosedError

__all__ = ["MemoryLog"]


def _wall_clock_ms() -> int:
    return time.time_ns() // 1_000_000


class MemoryLog:
    """A thread-safe log held in a list; everything is lost when the process ends."""

    def __init__(self, *, clock: Callable[[], int] | None = None) -> None:
        """Start empty; `clock` (ms since the epoch) stamps appended records."""
        self._clock = clock or _wall_clock_ms
        self._records: list[LogRecord] = []
        self._lock = threading.Lock()
        self._closed = False

    def append(self, records: Sequence[tuple[bytes, bytes | None]]) -> list[int]:
        """Append records in order, all at once, and return their offsets."""
        batch = checked_records(records)
        with self._lock:
            self._check_open()
            start = len(self._records)
            timestamp = self._clock()
            self._records.extend(
                LogRecord(start + i, key, value, timestamp) for i, (key, value) in enumerate(batch)
            )
            return list(range(start, start + len(batch)))

    def read(self, from_offset: int) -> Iterator[LogRecord]:
        """Yield records with offset >= `from_offset`, up to the end as it is at this call."""
        checked_offset(from_offset)
        with self._lock:
            self._check_open()
            end = len(self._records)
        return self._between(from_offset, end)

    def _between(self, start: int, end: int) -> Iterator[LogRecord]:
        # The list only grows and entries below `end` never change, so reading them without
        # the lock is safe while other threads append.
        records = self._records
        for offset in range(start, end):
            yield records[offset]

    def end_offset(self) -> int:
        """The offset the next appended record will get."""
        with self._lock:
            self._check_open()
            return len(self._records)

    def close(self) -> None:
        """Refuse further use. Idempotent."""
        with self._lock:
            self._closed = True

    def _check_open(self) -> None:
        if self._closed:
            raise LogClosedError("the in-memory log is closed")
