"""Reading the log file outside the lock, from a descriptor of the file's own.

A read takes, under the log's lock, a duplicate of the current file's descriptor and the
range of bytes to read, then reads without the lock. A compaction that renames a new file
into place meanwhile does not disturb it: the duplicate still points at the old file, which
stays readable until the last descriptor of it is closed.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

from registry.log.base import LogRecord
from registry.log.errors import LogError
from registry.log.file._framing import FrameError, read_frames


class Handle:
    """A descriptor owned by one read: closed when the read ends, or when it is dropped."""

    __slots__ = ("fd",)

    def __init__(self, fd: int) -> None:
        self.fd = fd

    def close(self) -> None:
        """Close the descriptor once."""
        if self.fd >= 0:
            fd, self.fd = self.fd, -1
            os.close(fd)

    def __del__(self) -> None:
        # A read whose iterator is dropped before it starts never reaches its `finally`.
        self.close()


def records_between(
    handle: Handle, path: Path, start: int, end: int, from_offset: int
) -> Iterator[LogRecord]:
    """The records at or after `from_offset` in the frames between `start` and `end`."""
    try:
        for frame in read_frames(handle.fd, start, end):
            for record in frame.records:
                if record.offset >= from_offset:
                    yield record
    except FrameError as exc:
        # The frames were checked when written or recovered: the disk changed under us.
        raise LogError(f"{path}: {exc}") from exc
    finally:
        handle.close()
