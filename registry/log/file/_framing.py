"""The file log's on-disk format: checksummed frames, and an index of where they start.

A log file is a sequence of frames and nothing else. One append call becomes one frame, and a
frame is only trusted whole: its checksum covers the header fields and the payload, so a frame
cut short by a crash, or damaged later, is detected instead of being half-read.

    header (10 bytes, big-endian)
        magic     u8    0xCA
        version   u8    1
        length    u32   payload length in bytes
        crc32     u32   zlib.crc32 of magic, version, length and payload
    payload
        kind      u8    1 = records, 2 = offset floor
        records:  count u32, then per record:
                  offset u64, timestamp_ms i64, key length u32, value length i32 (-1 = tombstone),
                  key bytes, value bytes
        floor:    next_offset u64

A floor frame says "the next offset is at least this". Compaction writes one at the end of
the file it produces, so offsets of records it dropped from the end are never handed out again.
"""

from __future__ import annotations

import struct
import zlib
from array import array
from bisect import bisect_right
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from registry.log.base import LogRecord
from registry.log.file._files import pread_exact

MAGIC = 0xCA
VERSION = 1
KIND_RECORDS = 1
KIND_FLOOR = 2
TOMBSTONE = -1
#: The largest payload a frame may have; a longer length field means the header is damaged.
MAX_PAYLOAD = 1 << 30

_PREFIX = struct.Struct(">BBI")
_CRC = struct.Struct(">I")
HEADER_SIZE = _PREFIX.size + _CRC.size
_KIND = struct.Struct(">B")
_COUNT = struct.Struct(">BI")
_FLOOR = struct.Struct(">BQ")
_RECORD = struct.Struct(">QqIi")
#: Bytes each record adds to a payload besides its key and value.
RECORD_OVERHEAD = _RECORD.size
#: Bytes a records payload has before its first record.
RECORDS_HEAD = _COUNT.size
#: How much a reader fetches per system call when frames are small.
_READ_CHUNK = 256 * 1024


@dataclass(frozen=True, slots=True)
class Frame:
    """One decoded frame: where it is, how long it is, and what it holds."""

    position: int
    size: int
    records: tuple[LogRecord, ...]
    floor: int | None


class FrameError(Exception):
    """The frame at `position` is incomplete or damaged; nothing from there on can be trusted."""

    def __init__(self, position: int, reason: str) -> None:
        super().__init__(f"damaged frame at position {position}: {reason}")
        self.position = position
        self.reason = reason


def records_payload_size(records: Sequence[tuple[bytes, bytes | None]]) -> int:
    """The payload length a records frame holding `records` will have."""
    size = RECORDS_HEAD
    for key, value in records:
        size += RECORD_OVERHEAD + len(key) + (0 if value is None else len(value))
    return size


def encode_records(records: Sequence[LogRecord]) -> bytes:
    """A whole records frame holding `records` (at least one), ready to write."""
    if not records:
        raise ValueError("a records frame holds at least one record")
    parts = [_COUNT.pack(KIND_RECORDS, len(records))]
    for record in records:
        value = record.value
        value_length = TOMBSTONE if value is None else len(value)
        parts.append(
            _RECORD.pack(record.offset, record.timestamp_ms, len(record.key), value_length)
        )
        parts.append(record.key)
        if value is not None:
            parts.append(value)
    return _frame(b"".join(parts))


def encode_floor(next_offset: int) -> bytes:
    """A whole floor frame: the next offset handed out is at least `next_offset`."""
    return _frame(_FLOOR.pack(KIND_FLOOR, next_offset))


def _frame(payload: bytes) -> bytes:
    if len(payload) > MAX_PAYLOAD:
        raise ValueError(f"frame payload of {len(payload)} bytes exceeds {MAX_PAYLOAD}")
    prefix = _PREFIX.pack(MAGIC, VERSION, len(payload))
    return prefix + _CRC.pack(zlib.crc32(payload, zlib.crc32(prefix))) + payload


def read_frames(fd: int, start: int, end: int) -> Iterator[Frame]:
    """Yield the frames of the file `fd` from position `start` up to `end`, checking each.

    Raises `FrameError` at the first frame that is cut short, fails its checksum or does not
    decode; the frames before it were yielded and are intact. Reads with `os.pread`, so
    several readers may share one descriptor.
    """
    window = _Window(fd, end)
    position = start
    while position < end:
        header = window.take(position, HEADER_SIZE)
        if header is None:
            raise FrameError(position, "incomplete frame header")
        magic, version, length = _PREFIX.unpack_from(header)
        (checksum,) = _CRC.unpack_from(header, _PREFIX.size)
        if magic != MAGIC:
            raise FrameError(position, f"bad magic byte 0x{magic:02x}")
        if version != VERSION:
            raise FrameError(position, f"unknown frame version {version}")
        if length > MAX_PAYLOAD:
            raise FrameError(position, f"implausible frame length {length}")
        payload = window.take(position + HEADER_SIZE, length)
        if payload is None:
            raise FrameError(position, f"incomplete frame: {length} payload bytes announced")
        if zlib.crc32(payload, zlib.crc32(header[: _PREFIX.size])) != checksum:
            raise FrameError(position, "checksum mismatch")
        size = HEADER_SIZE + length
        try:
            frame = _decode(payload, position, size)
        except (struct.error, ValueError) as exc:
            raise FrameError(position, f"malformed payload: {exc}") from exc
        yield frame
        position += size


def _decode(payload: bytes, position: int, size: int) -> Frame:
    (kind,) = _KIND.unpack_from(payload)
    if kind == KIND_FLOOR:
        if len(payload) != _FLOOR.size:
            raise ValueError("floor frame of the wrong length")
        return Frame(position, size, (), _FLOOR.unpack(payload)[1])
    if kind != KIND_RECORDS:
        raise ValueError(f"unknown frame kind {kind}")
    _, count = _COUNT.unpack_from(payload)
    if count == 0:
        raise ValueError("records frame without records")
    records: list[LogRecord] = []
    cursor = _COUNT.size
    for _ in range(count):
        offset, timestamp_ms, key_length, value_length = _RECORD.unpack_from(payload, cursor)
        cursor += _RECORD.size
        if value_length < TOMBSTONE:
            raise ValueError(f"negative value length {value_length}")
        key_end = cursor + key_length
        value_end = key_end + max(value_length, 0)
        if value_end > len(payload):
            raise ValueError("record runs past the end of its frame")
        key = payload[cursor:key_end]
        value = None if value_length == TOMBSTONE else payload[key_end:value_end]
        records.append(LogRecord(offset, key, value, timestamp_ms))
        cursor = value_end
    if cursor != len(payload):
        raise ValueError(f"{len(payload) - cursor} bytes after the last record")
    return Frame(position, size, tuple(records), None)


class _Window:
    """Serves byte ranges of a file from one buffer, so small frames cost no system call each."""

    __slots__ = ("_base", "_buffer", "_end", "_fd")

    def __init__(self, fd: int, end: int) -> None:
        self._fd = fd
        self._end = end
        self._base = 0
        self._buffer = b""

    def take(self, position: int, size: int) -> bytes | None:
        """The `size` bytes at `position`, or None if the file (or `end`) stops before them."""
        if position + size > self._end:
            return None
        start = position - self._base
        if start < 0 or start + size > len(self._buffer):
            want = min(max(size, _READ_CHUNK), self._end - position)
            self._buffer = pread_exact(self._fd, want, position)
            self._base = position
            start = 0
            if len(self._buffer) < size:
                return None
        return self._buffer[start : start + size]


class FrameIndex:
    """Where each records frame starts, by its first offset, so a read seeks instead of scans.

    Two flat integer arrays: 16 bytes per frame (one per append call), nothing per record.
    """

    __slots__ = ("_firsts", "_positions")

    def __init__(self) -> None:
        self._firsts = array("q")
        self._positions = array("q")

    def __len__(self) -> int:
        return len(self._firsts)

    def add(self, first_offset: int, position: int) -> None:
        """Record a frame; frames are added in file order, so first offsets increase."""
        self._firsts.append(first_offset)
        self._positions.append(position)

    def start_for(self, offset: int) -> int:
        """The position to read from to find the record at `offset` (or the next one after)."""
        i = bisect_right(self._firsts, offset) - 1
        # Before the first records frame there are only floor frames; start at the top.
        return self._positions[i] if i >= 0 else 0
