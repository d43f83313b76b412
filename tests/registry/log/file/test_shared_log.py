"""One directory, several processes: one `SharedFileLog` writes, the others tail the file."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from registry.log.base import LogRecord
from registry.log.errors import LogWriteError
from registry.log.file import LOG_FILE, FileLog, SharedFileLog
from registry.log.file._framing import encode_records


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def pair(data_dir: Path) -> Iterator[tuple[SharedFileLog, SharedFileLog]]:
    """A writer and a reader over one directory (as two processes would have them)."""
    writer = SharedFileLog.open(data_dir)
    reader = SharedFileLog.open(data_dir)
    yield writer, reader
    reader.close()
    writer.close()


def pairs(records: Iterator[LogRecord]) -> list[tuple[int, bytes | None]]:
    return [(record.offset, record.value) for record in records]


def test_the_first_to_open_writes_and_the_second_reads(
    pair: tuple[SharedFileLog, SharedFileLog],
) -> None:
    writer, reader = pair
    assert writer.is_writer
    assert not reader.is_writer
    assert not reader.take_writes()
    with pytest.raises(LogWriteError, match="only reads"):
        reader.append([(b"k", b"v")])


def test_a_reader_sees_each_append_as_it_lands(pair: tuple[SharedFileLog, SharedFileLog]) -> None:
    writer, reader = pair
    assert pairs(reader.read(0)) == []
    writer.append([(b"a", b"1"), (b"b", b"2")])
    assert pairs(reader.read(0)) == [(0, b"1"), (1, b"2")]
    writer.append([(b"a", None)])
    assert pairs(reader.read(2)) == [(2, None)]
    assert reader.end_offset() == 3
    # Asking again, or from the start, returns the same records.
    assert pairs(reader.read(1)) == [(1, b"2"), (2, None)]
    assert pairs(reader.read(0)) == [(0, b"1"), (1, b"2"), (2, None)]


def test_a_reader_is_told_cheaply_whether_there_is_anything_new(
    pair: tuple[SharedFileLog, SharedFileLog],
) -> None:
    writer, reader = pair
    writer.append([(b"a", b"1")])
    assert reader.has_news()
    assert pairs(reader.read(0)) == [(0, b"1")]
    assert not reader.has_news()
    writer.append([(b"a", b"2")])
    assert reader.has_news()
    reader.read(1)
    assert writer.writer is not None
    writer.writer.compact()
    # The compacted file is another file under the log's name.
    assert reader.has_news()
    assert pairs(reader.read(2)) == []
    assert not reader.has_news()


def test_a_reader_follows_the_file_through_compactions(
    pair: tuple[SharedFileLog, SharedFileLog], data_dir: Path
) -> None:
    writer, reader = pair
    seen: list[tuple[int, bytes | None]] = []
    for round_ in range(3):
        for i in range(20):
            writer.append([(b"same", f"{round_}-{i}".encode())])
        seen += pairs(reader.read(len(seen)))
        assert writer.writer is not None
        writer.writer.compact()
        writer.append([(b"other", f"{round_}".encode())])
        seen += pairs(reader.read(len(seen)))
    # Every offset exactly once, in order, across the renames.
    assert [offset for offset, _ in seen] == list(range(63))
    assert seen[-1] == (62, b"2")
    # A reader starting now reads the compacted file (the last record of each key when it
    # was compacted) and what came after it.
    fresh = SharedFileLog.open(data_dir)
    try:
        assert pairs(fresh.read(0)) == [(41, b"1"), (61, b"2-19"), (62, b"2")]
        assert fresh.end_offset() == 63
    finally:
        fresh.close()


def test_a_frame_still_being_written_is_not_read(data_dir: Path) -> None:
    reader = SharedFileLog.open(data_dir)
    reader_of_it = SharedFileLog.open(data_dir)
    try:
        reader.append([(b"a", b"1")])
        frame = encode_records([LogRecord(1, b"b", b"2", 0)])
        fd = os.open(data_dir / LOG_FILE, os.O_WRONLY | os.O_APPEND)
        try:
            os.write(fd, frame[:-3])
            assert pairs(reader_of_it.read(0)) == [(0, b"1")]
            os.write(fd, frame[-3:])
        finally:
            os.close(fd)
        assert pairs(reader_of_it.read(1)) == [(1, b"2")]
    finally:
        reader_of_it.close()
        reader.close()


def test_a_reader_takes_writes_once_the_writer_is_gone(
    pair: tuple[SharedFileLog, SharedFileLog],
) -> None:
    writer, reader = pair
    writer.append([(b"a", b"1")])
    assert pairs(reader.read(0)) == [(0, b"1")]
    writer.close()
    assert reader.take_writes()
    assert reader.is_writer
    assert reader.append([(b"b", b"2")]) == [1]
    assert pairs(reader.read(0)) == [(0, b"1"), (1, b"2")]


def test_a_half_written_frame_of_a_dead_writer_is_cut_by_the_next_writer(data_dir: Path) -> None:
    with FileLog.open(data_dir) as first:
        first.append([(b"a", b"1")])
    with open(data_dir / LOG_FILE, "ab") as file:
        file.write(encode_records([LogRecord(1, b"b", b"lost", 0)])[:-2])
    reader = SharedFileLog.open(data_dir)
    try:
        assert reader.is_writer
        assert reader.append([(b"c", b"3")]) == [1]
        assert pairs(reader.read(0)) == [(0, b"1"), (1, b"3")]
    finally:
        reader.close()
