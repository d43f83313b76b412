"""File-system helpers of the file log: whole positioned reads and writes, directory syncs."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path


def pread_exact(fd: int, size: int, position: int) -> bytes:
    """Up to `size` bytes at `position`; fewer only where the file ends."""
    chunks: list[bytes] = []
    got = 0
    while got < size:
        chunk = os.pread(fd, size - got, position + got)
        if not chunk:
            break
        chunks.append(chunk)
        got += len(chunk)
    return b"".join(chunks)


def pwrite_all(fd: int, data: bytes, position: int) -> None:
    """Write all of `data` at `position` (a short write is continued, never ignored)."""
    view = memoryview(data)
    while view:
        written = os.pwrite(fd, view, position)
        view = view[written:]
        position += written


def sync_directory(directory: Path, fsync: Callable[[int], None]) -> None:
    """Make the directory's entries (files created, renamed, removed) durable."""
    fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        fsync(fd)
    finally:
        os.close(fd)
