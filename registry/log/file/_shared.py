"""One data directory shared by several processes: one writes, the others tail the file.

`SharedFileLog` is a `Log` that starts as a read-only tail of the directory's log file
(`_tail`) and becomes the directory's `FileLog` when `take_writes` gets the directory lock:
when it is the first process to ask, or once the writer has exited or died (the lock goes
with the process). Opening the `FileLog` recovers the file, cutting off a frame the dead
writer left half-written; a tail never returned such a frame, so every process has seen the
same records. Offsets carry on across the change, so a reader of this log notices nothing
but that `append` now works. A writer stays the writer until it is closed.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from registry.log.base import LogRecord
from registry.log.errors import LogClosedError, LogLockedError, LogWriteError
from registry.log.file._log import LOG_FILE, FileLog
from registry.log.file._tail import FileTail


class SharedFileLog:
    """The file log of a directory several processes serve: a tail until it takes the lock."""

    def __init__(self, data_dir: Path, open_writer: Callable[[], FileLog]) -> None:
        """Follow the log in `data_dir`; `open_writer` opens its `FileLog` (lock and all)."""
        self._data_dir = data_dir
        self._open_writer = open_writer
        self._lock = threading.Lock()
        self._tail: FileTail | None = FileTail(data_dir / LOG_FILE)
        self._writer: FileLog | None = None
        self._closed = False

    @classmethod
    def open(cls, data_dir: Path | str, **file_log_options: Any) -> SharedFileLog:
        """Follow the log in `data_dir`, taking writes at once if no other process has them.

        `file_log_options` are `FileLog.open`'s, for when this process becomes the writer.
        """
        directory = Path(data_dir)
        log = cls(directory, lambda: FileLog.open(directory, **file_log_options))
        log.take_writes()
        return log

    @property
    def is_writer(self) -> bool:
        """Whether this process holds the directory's lock and appends to the log."""
        return self._writer is not None

    @property
    def writer(self) -> FileLog | None:
        """The `FileLog` once this process writes (for its statistics)."""
        return self._writer

    def take_writes(self) -> bool:
        """Become the writer if no other process is; return whether this one is.

        Recovery of the file (a whole read) happens here, so call it off the event loop.
        """
        with self._lock:
            if self._closed:
                raise LogClosedError(f"the log in {self._data_dir} is closed")
            if self._writer is not None:
                return True
            try:
                writer = self._open_writer()
            except LogLockedError:
                return False
            tail, self._tail, self._writer = self._tail, None, writer
        if tail is not None:
            tail.close()
        return True

    def append(self, records: Sequence[tuple[bytes, bytes | None]]) -> list[int]:
        """Append through the `FileLog`; refused while another process writes."""
        writer = self._writer
        if writer is None:
            if self._closed:
                raise LogClosedError(f"the log in {self._data_dir} is closed")
            raise LogWriteError(
                f"another process writes the log in {self._data_dir}; this one only reads it"
            )
        return writer.append(records)

    def read(self, from_offset: int) -> Iterator[LogRecord]:
        """Records at or after `from_offset`, up to the end the file has now."""
        with self._lock:
            writer, tail = self._writer, self._tail
        if writer is not None:
            return writer.read(from_offset)
        if tail is None:
            raise LogClosedError(f"the log in {self._data_dir} is closed")
        try:
            return iter(tail.read(from_offset))
        except LogClosedError:
            # Taken over meanwhile: the tail made way for the writer.
            if self._writer is None:
                raise
            return self._writer.read(from_offset)

    def has_news(self) -> bool:
        """Whether a read may return records not read yet (always, once this one writes)."""
        tail = self._tail
        return tail is None or tail.has_news()

    def end_offset(self) -> int:
        """The offset after the last record written (as far as this process can see)."""
        with self._lock:
            writer, tail = self._writer, self._tail
        if writer is not None:
            return writer.end_offset()
        if tail is None:
            raise LogClosedError(f"the log in {self._data_dir} is closed")
        return tail.end_offset()

    def close(self) -> None:
        """Close the tail, or the `FileLog` (releasing the lock for another process)."""
        with self._lock:
            self._closed = True
            writer, tail, self._writer, self._tail = self._writer, self._tail, None, None
        if writer is not None:
            writer.close()
        if tail is not None:
            tail.close()
