"""Compaction bookkeeping and rewriting for the file log.

Compaction keeps, for every key, only its last record, and drops keys whose last record is a
tombstone once that tombstone is old enough. Offsets are never rewritten: the records kept
keep the offsets they were appended with, and the new file ends with a floor frame holding
the log's end offset, so dropping the newest records never lets their offsets be reused.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from registry.log.base import LogRecord
from registry.log.file._files import pwrite_all, sync_directory
from registry.log.file._framing import (
    RECORD_OVERHEAD,
    FrameIndex,
    encode_floor,
    encode_records,
    read_frames,
)

#: Payload bytes compaction gathers into one frame: large enough that frame headers and the
#: frame index stay negligible, small enough to bound the memory a rewrite holds.
REWRITE_FRAME_BYTES = 1 << 20


class KeyTable:
    """Which record is the last of each key, and how many records compaction could drop.

    One entry per distinct key (its last offset) plus the set of keys whose last record is a
    tombstone; never values. Memory grows with the number of keys, not of records.
    """

    __slots__ = ("_last", "_tombstoned", "records", "retained")

    def __init__(self) -> None:
        self._last: dict[bytes, int] = {}
        self._tombstoned: set[bytes] = set()
        #: Records in the file, live or dead.
        self.records = 0
        #: Tombstones the last compaction had to keep because they were too recent.
        self.retained = 0

    def add(self, key: bytes, offset: int, *, tombstone: bool) -> None:
        """Account for a record appended after every record already accounted for."""
        self.records += 1
        self._last[key] = offset
        if tombstone:
            self._tombstoned.add(key)
        else:
            self._tombstoned.discard(key)

    def is_last(self, record: LogRecord) -> bool:
        """Whether `record` is the last record of its key."""
        return self._last.get(record.key) == record.offset

    @property
    def live_keys(self) -> int:
        """Keys whose last record holds a value."""
        return len(self._last) - len(self._tombstoned)

    @property
    def tombstones(self) -> int:
        """Keys whose last record is a tombstone (each such tombstone is still in the file)."""
        return len(self._tombstoned)

    @property
    def dead(self) -> int:
        """Records superseded by a later one of their key, plus tombstones ending a key."""
        return self.records - len(self._last) + len(self._tombstoned)

    def worth_compacting(self, size: int, *, min_bytes: int, dead_ratio: float) -> bool:
        """Whether dead records dominate a file of `size` bytes enough to rewrite it.

        Tombstones the previous compaction kept (too recent to drop) are not counted, so a
        file full of recent tombstones is not rewritten on every append for nothing; they go
        at the next compaction that other dead records trigger, or at an explicit one.
        """
        if self.records == 0 or size < min_bytes:
            return False
        removable = self.dead - min(self.retained, len(self._tombstoned))
        return removable > 0 and removable >= dead_ratio * self.records


@dataclass(frozen=True, slots=True)
class CompactionResult:
    """What one compaction did: records and bytes before and after."""

    records_before: int
    records_after: int
    bytes_before: int
    bytes_after: int


@dataclass(frozen=True, slots=True)
class Compacted:
    """The file a compaction put in place of the log, described as the log needs it."""

    fd: int
    size: int
    keys: KeyTable
    index: FrameIndex
    #: Set when the rename could not be made durable: appends must stop (see `compact_file`).
    failure: str | None


def compact_file(
    path: Path,
    temporary: Path,
    *,
    source_fd: int,
    source_end: int,
    keys: KeyTable,
    next_offset: int,
    tombstone_cutoff_ms: int,
    fsync: Callable[[int], None],
) -> Compacted:
    """Rewrite the log file `path` (open as `source_fd`) through `temporary`, and rename.

    The rename is the commit point: before it the old file is whole and a crash leaves only
    a temporary file that the next open deletes; after it the new one is. The new file is
    fsynced before the rename and the directory after it. Raises on any failure before the
    rename, having removed the temporary file; returns the open new file otherwise.
    """
    fd = os.open(temporary, os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o644)
    try:
        size, new_keys, index = _rewrite(
            source_fd,
            source_end,
            fd,
            keys=keys,
            next_offset=next_offset,
            tombstone_cutoff_ms=tombstone_cutoff_ms,
        )
        fsync(fd)
        os.replace(temporary, path)
    except BaseException:
        os.close(fd)
        with contextlib.suppress(OSError):
            temporary.unlink()
        raise
    failure = None
    try:
        sync_directory(path.parent, fsync)
    except OSError as exc:
        # Until the rename is durable a crash may bring the old file back, losing whatever
        # is appended to the new one from now on.
        failure = f"could not make the compacted file durable: {exc}"
    return Compacted(fd, size, new_keys, index, failure)


def _rewrite(
    source_fd: int,
    source_end: int,
    target_fd: int,
    *,
    keys: KeyTable,
    next_offset: int,
    tombstone_cutoff_ms: int,
) -> tuple[int, KeyTable, FrameIndex]:
    """Copy the records worth keeping into the empty `target_fd`; return its size and state.

    A record is kept if it is the last of its key, unless it is a tombstone stamped at or
    before `tombstone_cutoff_ms`.
    """
    new_keys = KeyTable()
    index = FrameIndex()
    position = 0
    batch: list[LogRecord] = []
    batch_bytes = 0

    def flush() -> None:
        nonlocal position, batch, batch_bytes
        if batch:
            frame = encode_records(batch)
            pwrite_all(target_fd, frame, position)
            index.add(batch[0].offset, position)
            position += len(frame)
            batch, batch_bytes = [], 0

    for frame in read_frames(source_fd, 0, source_end):
        for record in frame.records:
            tombstone = record.value is None
            if not keys.is_last(record) or (
                tombstone and record.timestamp_ms <= tombstone_cutoff_ms
            ):
                continue
            record_bytes = RECORD_OVERHEAD + len(record.key) + len(record.value or b"")
            # Flushing first keeps every frame within the payload limit: a record alone
            # always fits, since it was once appended in a frame of its own.
            if batch_bytes + record_bytes > REWRITE_FRAME_BYTES:
                flush()
            batch.append(record)
            batch_bytes += record_bytes
            new_keys.add(record.key, record.offset, tombstone=tombstone)
    flush()
    # Last: recovery checks that offsets only grow, so the floor goes after the records it
    # covers, and the appends that follow it get offsets at or above it.
    floor = encode_floor(next_offset)
    pwrite_all(target_fd, floor, position)
    position += len(floor)
    new_keys.retained = new_keys.tombstones
    return position, new_keys, index
