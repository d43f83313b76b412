"""Following the log file from another process: a read-only tail of `records.log`.

The process holding the directory's lock is the only writer. Other processes read the same
file without the lock: they keep a descriptor of it and the byte position past the last
whole frame they have read, and each read continues from there up to the file's current
size. A frame still being written (its bytes not all there yet, so it is cut short or fails
its checksum) ends the read; the next read tries it again.

Compaction renames a new file over `records.log`. The old file is final by then (appends
wait for the rewrite), so a tail that finds another file under the name first reads the old
file to its end, then opens the new one and skips the offsets it has already returned:
offsets are kept by compaction, so nothing is returned twice and nothing is missed.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections import deque
from pathlib import Path

from registry.log.base import LogRecord
from registry.log.errors import LogClosedError
from registry.log.file._framing import FrameError, read_frames

#: Records a tail keeps after returning them (see `FileTail.read`).
RECENT_RECORDS = 4096


class FileTail:
    """A read-only follower of the log file at `path`; thread-safe."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._lock = threading.Lock()
        self._fd = -1
        self._inode: tuple[int, int] | None = None
        #: Byte position past the last whole frame read, and the next offset after it.
        self._position = 0
        self._next = 0
        #: The last records read, for a reader a little behind another (two threads of a
        #: store reading side by side ask for the same records).
        self._recent: deque[LogRecord] = deque(maxlen=RECENT_RECORDS)
        self._closed = False

    def read(self, from_offset: int) -> list[LogRecord]:
        """The records at or after `from_offset` that the file holds now, in order."""
        with self._lock:
            if self._closed:
                raise LogClosedError(f"{self._path} is closed")
            if from_offset < self._next and not (
                self._recent and self._recent[0].offset <= from_offset
            ):
                # Records long passed (a replay from the start): read the file again.
                self._recent.clear()
                self._next = 0
                self._reopen()
            earlier = [record for record in self._recent if record.offset >= from_offset]
            records = self._advance()
            if self._replaced():
                records += self._advance()
                self._reopen()
                records += self._advance()
            self._recent.extend(records)
        return earlier + [record for record in records if record.offset >= from_offset]

    def has_news(self) -> bool:
        """Whether the file may hold records not read yet: it grew past the last whole frame
        read, or another file took its name. One `stat`, cheap enough to poll."""
        try:
            stat = os.stat(self._path)
        except FileNotFoundError:
            return False
        return (stat.st_dev, stat.st_ino) != self._inode or stat.st_size > self._position

    def end_offset(self) -> int:
        """The offset after the last record of the file's whole frames."""
        self.read(1 << 62)
        with self._lock:
            return self._next

    def close(self) -> None:
        """Close the descriptor. Idempotent."""
        with self._lock:
            self._closed = True
            self._close_fd()

    def _advance(self) -> list[LogRecord]:
        """Read the whole frames past the position; stop at a frame not yet fully written."""
        if self._fd < 0 and not self._open():
            return []
        records: list[LogRecord] = []
        end = os.fstat(self._fd).st_size
        # Offsets returned before: a compacted file is read from its start.
        passed = self._next
        with contextlib.suppress(FrameError):
            for frame in read_frames(self._fd, self._position, end):
                self._position = frame.position + frame.size
                if frame.floor is not None:
                    self._next = max(self._next, frame.floor)
                    continue
                records.extend(record for record in frame.records if record.offset >= passed)
                self._next = max(self._next, frame.records[-1].offset + 1)
        return records

    def _replaced(self) -> bool:
        """Whether another file (a compaction's) now has the log's name."""
        try:
            stat = os.stat(self._path)
        except FileNotFoundError:
            return False
        return (stat.st_dev, stat.st_ino) != self._inode

    def _reopen(self) -> None:
        self._close_fd()
        self._position = 0
        self._open()

    def _open(self) -> bool:
        try:
            fd = os.open(self._path, os.O_RDONLY | os.O_CLOEXEC)
        except FileNotFoundError:
            # The writer has not created the file yet.
            return False
        stat = os.fstat(fd)
        self._fd, self._inode, self._position = fd, (stat.st_dev, stat.st_ino), 0
        return True

    def _close_fd(self) -> None:
        if self._fd >= 0:
            fd, self._fd = self._fd, -1
            os.close(fd)
        self._inode = None
