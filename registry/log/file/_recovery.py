"""Opening the file log's data directory: the directory lock, and recovery of the log file.

Recovery reads every frame, checks it and rebuilds the in-memory state (frame index, key
table, end offset). The file is cut at the first frame that is incomplete, damaged or out of
order. Nothing after a bad frame is kept even if it looks valid: the frames of unacknowledged
appends may reach the disk in any order, and skipping a hole would make a record visible
whose predecessors are lost.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from registry.log.errors import LogError, LogLockedError
from registry.log.file._compaction import KeyTable
from registry.log.file._files import sync_directory
from registry.log.file._framing import Frame, FrameError, FrameIndex, read_frames

logger = logging.getLogger(__name__)

LOCK_FILE = "cairn.lock"


@dataclass(frozen=True, slots=True)
class Recovered:
    """An open, checked log file and the state rebuilt from it."""

    lock_fd: int
    fd: int
    size: int
    end: int
    keys: KeyTable
    index: FrameIndex


def lock_directory(directory: Path) -> int:
    """Take the directory's exclusive lock and return its descriptor.

    `flock` locks belong to an open file description, so a second FileLog on the same
    directory is refused even within one process. The lock goes with the process, so a
    crashed server never leaves a stale lock behind.
    """
    path = directory / LOCK_FILE
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError as exc:
        holder = _read_holder(fd)
        os.close(fd)
        raise LogLockedError(
            f"the data directory {directory} is locked: another Cairn server{holder} is using "
            f"it (lock file {path}). Stop that server or choose another data directory."
        ) from exc
    except BaseException:
        os.close(fd)
        raise
    # Best effort, for the message above: which process holds the lock.
    with contextlib.suppress(OSError):
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
    return fd


def _read_holder(fd: int) -> str:
    with contextlib.suppress(OSError, ValueError):
        return f" (pid {int(os.pread(fd, 32, 0).decode().strip())})"
    return ""


def unlock(lock_fd: int) -> None:
    """Release the directory lock."""
    try:
        fcntl.flock(lock_fd, fcntl.LOCK_UN)
    finally:
        os.close(lock_fd)


def open_directory(
    directory: Path, log_name: str, compacting_name: str, *, fsync: Callable[[int], None]
) -> Recovered:
    """Create and lock `directory`, then recover its log; the lock is released on failure.

    Raises `LogLockedError` if the directory is locked, `LogError` if it cannot be used.
    """
    try:
        directory.mkdir(parents=True, exist_ok=True)
        lock_fd = lock_directory(directory)
    except OSError as exc:
        raise LogError(f"cannot open the data directory {directory}: {exc}") from exc
    try:
        return recover(directory, log_name, compacting_name, lock_fd=lock_fd, fsync=fsync)
    except OSError as exc:
        unlock(lock_fd)
        raise LogError(f"cannot open the log in {directory}: {exc}") from exc
    except BaseException:
        unlock(lock_fd)
        raise


def recover(
    directory: Path,
    log_name: str,
    compacting_name: str,
    *,
    lock_fd: int,
    fsync: Callable[[int], None],
) -> Recovered:
    """Open (or create) the log file, drop a leftover compaction, and check every frame."""
    leftover = directory / compacting_name
    if leftover.exists():
        # The rename is the commit point of a compaction: without it the old file is whole.
        logger.warning("%s: removing the output of an interrupted compaction", leftover)
        leftover.unlink()
    path = directory / log_name
    created = not path.exists()
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    try:
        if created:
            fsync(fd)
            sync_directory(directory, fsync)
        return _scan(fd, path, lock_fd, fsync)
    except BaseException:
        os.close(fd)
        raise


def _scan(fd: int, path: Path, lock_fd: int, fsync: Callable[[int], None]) -> Recovered:
    file_size = os.fstat(fd).st_size
    keys = KeyTable()
    index = FrameIndex()
    end = 0
    good = 0
    damage = ""
    try:
        for frame in read_frames(fd, 0, file_size):
            problem = _out_of_order(frame, end)
            if problem is not None:
                damage = f"frame at position {frame.position}: {problem}"
                break
            if frame.floor is not None:
                end = frame.floor
            else:
                for record in frame.records:
                    keys.add(record.key, record.offset, tombstone=record.value is None)
                index.add(frame.records[0].offset, frame.position)
                end = frame.records[-1].offset + 1
            good = frame.position + frame.size
    except FrameError as exc:
        damage = str(exc)
    if good < file_size:
        logger.warning(
            "%s: dropping %d bytes from position %d to the end of the file (%s); "
            "the %d records before that position are intact",
            path,
            file_size - good,
            good,
            damage,
            keys.records,
        )
        os.ftruncate(fd, good)
        fsync(fd)
    return Recovered(lock_fd, fd, good, end, keys, index)


def _out_of_order(frame: Frame, end: int) -> str | None:
    """Why `frame` cannot follow a log whose next offset is `end`, or None if it can."""
    if frame.floor is not None:
        if frame.floor < end:
            return f"offset floor {frame.floor} below the end offset {end}"
        return None
    expected = end
    for record in frame.records:
        if record.offset < expected:
            return f"record offset {record.offset} where {expected} or above was expected"
        expected = record.offset + 1
    return None
