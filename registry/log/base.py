"""The log the registry's state is built from: an ordered, durable sequence of key/value records.

Every backend (in memory, a local file, a Kafka topic) gives the same guarantees:
offsets increase strictly and survive compaction; `append` returns only once the record is
durable; `read` yields the records at or after an offset in offset order, up to the end as it
was when the call began. Keys and values are opaque bytes here; the registry gives them
meaning (`registry.records`).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True, slots=True)
class LogRecord:
    """One record: its offset, key bytes, value bytes (None for a tombstone) and append time."""

    offset: int
    key: bytes
    value: bytes | None
    timestamp_ms: int


class Log(Protocol):
    """An append-only, offset-addressed record log."""

    def append(self, records: Sequence[tuple[bytes, bytes | None]]) -> list[int]:
        """Durably append records in order and return their offsets.

        The records of one call are made durable together: after a crash either all of them
        are there or none is.
        """

    def read(self, from_offset: int) -> Iterator[LogRecord]:
        """Yield records with offset >= `from_offset`, in order, up to the current end."""

    def end_offset(self) -> int:
        """The offset the next appended record will get."""

    def close(self) -> None:
        """Release resources (files, locks, connections). Idempotent."""
