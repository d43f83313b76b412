"""The embedded log: one append-only file of checksummed frames in a local data directory.

The data directory holds:

    cairn.lock                 flock-ed while a FileLog is open: one server per directory
    records.log                the log, a sequence of frames (format: `registry.log.file._framing`)
    records.log.compacting     a compaction in progress; deleted on open if one was interrupted

Durability. An append call becomes one frame. `append` returns only after its frame has been
written and fsynced, so an acknowledged record survives a crash; a frame cut short by a crash
fails its checksum and is cut off on the next open, so an append is there whole or not at all.

Group commit (`registry.log._group_commit`). Appending threads queue their batches. The
first one to find no writer active becomes the writer: it takes every queued batch, writes
them as consecutive frames with one `pwrite` and makes them durable with one fsync, then wakes
the threads whose batches it carried. Batches queued meanwhile wait and are written together
by the next writer, so the more threads append at once, the more appends share each fsync.

Compaction. After a group commit, if dead records (superseded by a later record of their key,
or tombstones ending a key) make up `compact_dead_ratio` of the records and the file is at
least `compact_min_bytes`, the writer rewrites the file before giving up its role, so appends
wait for the rewrite while readers carry on. `compact()` does the same on request. Offsets are
kept; the rewritten file goes to a temporary name, is fsynced, renamed over the log and the
directory fsynced. Tombstones stay for `tombstone_retention_ms` (like Kafka's
`delete.retention.ms`) so a reader that saw a key's value also gets to see its deletion.

Reading. `read` takes, under the lock, its own descriptor of the current file, the position
of the frame holding `from_offset` (found in an in-memory index of frames) and the current
end, then reads without the lock, undisturbed by appends and compactions (`_reading`).
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from registry.log._checks import checked_offset, checked_records
from registry.log._group_commit import Batch, GroupCommitter, Outcome
from registry.log.base import LogRecord
from registry.log.errors import LogClosedError, LogError, LogWriteError
from registry.log.file._compaction import CompactionResult, compact_file
from registry.log.file._files import pwrite_all
from registry.log.file._framing import (
    MAX_PAYLOAD,
    FrameError,
    encode_records,
    records_payload_size,
)
from registry.log.file._reading import Handle, records_between
from registry.log.file._recovery import Recovered, open_directory, unlock

__all__ = ["CompactionResult", "FileLog", "FileLogStats"]

logger = logging.getLogger(__name__)

LOG_FILE = "records.log"
COMPACTING_FILE = "records.log.compacting"
DAY_MS = 24 * 60 * 60 * 1000


def wall_clock_ms() -> int:
    """Milliseconds since the epoch, the timestamp stamped on appended records."""
    return time.time_ns() // 1_000_000


@dataclass(frozen=True, slots=True)
class FileLogStats:
    """A consistent snapshot of a FileLog's counters, for metrics and tests."""

    end_offset: int
    size_bytes: int
    records: int
    live_keys: int
    dead_records: int
    frames: int
    appends: int
    syncs: int
    compactions: int
    queued_appends: int


@dataclass(frozen=True, slots=True)
class _Options:
    compact_min_bytes: int
    compact_dead_ratio: float
    tombstone_retention_ms: int
    clock: Callable[[], int]
    fsync: Callable[[int], None]
    on_group_commit: Callable[[int], None] | None


class FileLog:
    """A durable, thread-safe log in one local directory: the default one-machine backend."""

    def __init__(self, directory: Path, recovered: Recovered, options: _Options) -> None:
        """Wrap a locked and recovered data directory; use `FileLog.open` to get one."""
        self._directory = directory
        self._path = directory / LOG_FILE
        self._options = options
        self._lock_fd = recovered.lock_fd
        # Only the thread holding the committer's writer role (a group's writer, `compact`)
        # changes the file, its size, end, index or key table.
        self._committer = GroupCommitter(
            self._write_group,
            name=str(self._path),
            after_write=self._maybe_compact,
            on_group=options.on_group_commit,
        )
        # Everything below is guarded by `_lock`.
        self._lock = threading.Lock()
        self._fd = recovered.fd
        self._size = recovered.size
        self._end = recovered.end
        self._keys = recovered.keys
        self._index = recovered.index
        self._closed = False
        self._failure: str | None = None
        self._appends = 0
        self._syncs = 0
        self._compactions = 0
        self._compact_from_size = 0

    @classmethod
    def open(
        cls,
        data_dir: Path | str,
        *,
        compact_min_bytes: int = 1 << 20,
        compact_dead_ratio: float = 0.5,
        tombstone_retention_ms: int = DAY_MS,
        clock: Callable[[], int] | None = None,
        fsync: Callable[[int], None] = os.fsync,
        on_group_commit: Callable[[int], None] | None = None,
    ) -> FileLog:
        """Open the log in `data_dir` (created if missing), lock it and recover its file.

        Recovery checks every frame and cuts the file at the first incomplete or damaged one,
        with a warning. `compact_min_bytes` and `compact_dead_ratio` set when appends trigger
        a compaction; `tombstone_retention_ms` how long compaction keeps tombstones. `clock`
        (ms since the epoch) stamps records; `fsync` is called for every sync the log makes;
        `on_group_commit` is told the number of records of each durable write.
        Raises `LogLockedError` if another FileLog, in any process, has the directory open.
        """
        if not 0.0 <= compact_dead_ratio <= 1.0:
            raise ValueError(f"compact_dead_ratio must be within [0, 1], got {compact_dead_ratio}")
        options = _Options(
            compact_min_bytes=compact_min_bytes,
            compact_dead_ratio=compact_dead_ratio,
            tombstone_retention_ms=tombstone_retention_ms,
            clock=clock or wall_clock_ms,
            fsync=fsync,
            on_group_commit=on_group_commit,
        )
        directory = Path(data_dir)
        recovered = open_directory(directory, LOG_FILE, COMPACTING_FILE, fsync=options.fsync)
        return cls(directory, recovered, options)

    @property
    def path(self) -> Path:
        """The log file."""
        return self._path

    def __enter__(self) -> FileLog:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def append(self, records: Sequence[tuple[bytes, bytes | None]]) -> list[int]:
        """Durably append records as one frame and return their offsets (see the module doc)."""
        batch = checked_records(records)
        if records_payload_size(batch) > MAX_PAYLOAD:
            raise LogWriteError(f"an append is limited to {MAX_PAYLOAD} bytes of records")
        with self._lock:
            self._check_open()
            if not batch:
                return []
            self._check_healthy()
        # Closing, or a failure, stops the committer: it refuses the append if either came
        # about since the checks above.
        return self._committer.submit(batch)

    def read(self, from_offset: int) -> Iterator[LogRecord]:
        """Yield records with offset >= `from_offset`, up to the end as it is at this call."""
        checked_offset(from_offset)
        with self._lock:
            self._check_open()
            if from_offset >= self._end:
                return iter(())
            handle = Handle(os.dup(self._fd))
            start, end = self._index.start_for(from_offset), self._size
        return records_between(handle, self._path, start, end, from_offset)

    def end_offset(self) -> int:
        """The offset the next appended record will get."""
        with self._lock:
            self._check_open()
            return self._end

    def stats(self) -> FileLogStats:
        """The log's counters, read together."""
        with self._lock:
            self._check_open()
            return FileLogStats(
                end_offset=self._end,
                size_bytes=self._size,
                records=self._keys.records,
                live_keys=self._keys.live_keys,
                dead_records=self._keys.dead,
                frames=len(self._index),
                appends=self._appends,
                syncs=self._syncs,
                compactions=self._compactions,
                queued_appends=self._committer.queued,
            )

    def compact(self) -> CompactionResult:
        """Rewrite the file now, keeping the last record of each key and dropping old tombstones.

        Waits for the writer role, so appends wait for the rewrite; reads carry on.
        """
        with self._lock:
            self._check_open()
            self._check_healthy()
        with self._committer.exclusive():
            with self._lock:
                self._check_open()
            try:
                return self._compact()
            except (OSError, FrameError) as exc:
                raise LogError(f"compaction of {self._path} failed: {exc}") from exc

    def close(self) -> None:
        """Wait for the write in progress, fail queued appends, and release the directory."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
        self._committer.close(lambda: LogClosedError(f"{self._path} was closed"))
        with self._lock:
            fd = self._fd
        # Reads in progress hold descriptors of their own and finish undisturbed.
        os.close(fd)
        unlock(self._lock_fd)

    def _check_open(self) -> None:
        if self._closed:
            raise LogClosedError(f"{self._path} is closed")

    def _check_healthy(self) -> None:
        if self._failure is not None:
            raise LogWriteError(f"{self._path} accepts no more appends: {self._failure}")

    def _stop_appends(self, failure: str) -> None:
        """Refuse appends from now on, queued ones included, until the log is reopened."""
        with self._lock:
            self._failure = failure
        self._committer.stop(
            lambda: LogWriteError(f"{self._path} accepts no more appends: {failure}")
        )

    def _write_group(self, batches: list[Batch]) -> list[Outcome]:
        """Write `batches` as consecutive frames, make them durable at once, return offsets.

        Runs in the writer of a group (see `registry.log._group_commit`), so one at a time.
        """
        with self._lock:
            fd, start, offset = self._fd, self._size, self._end
        timestamp = self._options.clock()
        frames: list[bytes] = []
        placed: list[tuple[list[LogRecord], int]] = []
        position = start
        for batch in batches:
            records = [
                LogRecord(offset + i, key, value, timestamp) for i, (key, value) in enumerate(batch)
            ]
            offset += len(records)
            frame = encode_records(records)
            frames.append(frame)
            placed.append((records, position))
            position += len(frame)
        stage = "write"
        try:
            pwrite_all(fd, b"".join(frames), start)
            stage = "fsync"
            # The durability point: once this returns, every batch in the group is on disk.
            self._options.fsync(fd)
        except OSError as exc:
            return self._undo_write(len(batches), fd, start, exc, stage)
        with self._lock:
            for records, frame_position in placed:
                self._index.add(records[0].offset, frame_position)
                for record in records:
                    self._keys.add(record.key, record.offset, tombstone=record.value is None)
            self._size, self._end = position, offset
            self._appends += len(batches)
            self._syncs += 1
        return [[record.offset for record in records] for records, _ in placed]

    def _undo_write(
        self, count: int, fd: int, start: int, exc: OSError, stage: str
    ) -> list[Outcome]:
        """Cut a failed group's bytes off the file, so that nothing of it is visible, and
        return the errors of its `count` appends.

        After a failed fsync the kernel's view of which pages reached the disk cannot be
        trusted, so the log refuses further appends until it is reopened and recovered.
        """
        failure = f"{stage} failed: {exc}" if stage == "fsync" else None
        try:
            os.ftruncate(fd, start)
            self._options.fsync(fd)
        except OSError as undo_exc:
            failure = failure or f"could not undo a failed {stage}: {undo_exc}"
        logger.error("%s: append %s failed: %s", self._path, stage, exc)
        if failure is not None:
            self._stop_appends(failure)
        return [
            LogWriteError(f"append to {self._path} failed ({stage}): {exc}") for _ in range(count)
        ]

    def _maybe_compact(self) -> None:
        """Compact if dead records dominate; a failure is logged, never fails the append.

        Runs in the writer after each group, once the group's appends have returned.
        """
        options = self._options
        with self._lock:
            if self._closed or self._failure is not None or self._size < self._compact_from_size:
                return
            due = self._keys.worth_compacting(
                self._size,
                min_bytes=options.compact_min_bytes,
                dead_ratio=options.compact_dead_ratio,
            )
        if not due:
            return
        try:
            self._compact()
        except (OSError, FrameError) as exc:
            logger.error("%s: compaction failed, carrying on uncompacted: %s", self._path, exc)
            with self._lock:
                # Do not retry on every append; wait until the file has grown a fair bit.
                self._compact_from_size = self._size + max(options.compact_min_bytes, 1 << 16)

    def _compact(self) -> CompactionResult:
        """Rewrite the file into a new one and rename it into place. Needs the writer role."""
        with self._lock:
            fd, size, end, keys = self._fd, self._size, self._end, self._keys
        compacted = compact_file(
            self._path,
            self._directory / COMPACTING_FILE,
            source_fd=fd,
            source_end=size,
            keys=keys,
            next_offset=end,
            tombstone_cutoff_ms=self._options.clock() - self._options.tombstone_retention_ms,
            fsync=self._options.fsync,
        )
        if compacted.failure is not None:
            logger.error("%s: %s", self._path, compacted.failure)
        with self._lock:
            self._fd, self._size = compacted.fd, compacted.size
            self._keys, self._index = compacted.keys, compacted.index
            self._compactions += 1
        if compacted.failure is not None:
            self._stop_appends(compacted.failure)
        # Reads still on the old file hold descriptors of their own.
        with contextlib.suppress(OSError):
            os.close(fd)
        result = CompactionResult(keys.records, compacted.keys.records, size, compacted.size)
        logger.info(
            "%s: compacted %d records (%d bytes) into %d records (%d bytes)",
            self._path,
            result.records_before,
            result.bytes_before,
            result.records_after,
            result.bytes_after,
        )
        return result
