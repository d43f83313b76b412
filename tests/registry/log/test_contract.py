"""The contract every log backend keeps (see `registry.log.base`), run against each backend."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from registry.log.base import Log, LogRecord
from registry.log.errors import LogClosedError
from tests.registry.log.conftest import LogFactory

Batch = list[tuple[bytes, bytes | None]]


@pytest.fixture
def durable_factory(log_factory: LogFactory) -> LogFactory:
    """The factory, for tests about what survives a reopen; skipped for backends without."""
    if not log_factory.durable:
        pytest.skip("the backend is not durable: nothing survives a reopen")
    return log_factory


def now_ms() -> int:
    return time.time_ns() // 1_000_000


def content(records: list[LogRecord]) -> list[tuple[int, bytes, bytes | None]]:
    return [(r.offset, r.key, r.value) for r in records]


def fill(log: Log, count: int) -> list[tuple[int, bytes, bytes | None]]:
    """Append `count` single-record batches; every third is a tombstone."""
    expected = []
    for i in range(count):
        key = f"key-{i % 4}".encode()
        value = None if i % 3 == 2 else f"value-{i}".encode()
        (offset,) = log.append([(key, value)])
        expected.append((offset, key, value))
    return expected


def test_an_empty_log_ends_at_zero_and_reads_nothing(log_factory: LogFactory) -> None:
    log = log_factory.open()
    assert log.end_offset() == 0
    assert list(log.read(0)) == []


def test_appends_get_dense_increasing_offsets(log_factory: LogFactory) -> None:
    log = log_factory.open()
    offsets = [log.append([(f"k{i}".encode(), b"v")]) for i in range(5)]
    assert offsets == [[0], [1], [2], [3], [4]]
    assert log.end_offset() == 5


def test_a_batch_gets_consecutive_offsets(log_factory: LogFactory) -> None:
    log = log_factory.open()
    assert log.append([(b"a", b"1")]) == [0]
    assert log.append([(b"b", b"2"), (b"c", None), (b"d", b"4")]) == [1, 2, 3]
    assert log.append([(b"e", b"5")]) == [4]
    assert log.end_offset() == 5


def test_an_empty_append_changes_nothing(log_factory: LogFactory) -> None:
    log = log_factory.open()
    log.append([(b"a", b"1")])
    assert log.append([]) == []
    assert log.end_offset() == 1
    assert content(list(log.read(0))) == [(0, b"a", b"1")]


def test_read_from_zero_returns_every_record_in_order(log_factory: LogFactory) -> None:
    log = log_factory.open()
    before = now_ms()
    log.append([(b"a", b"1"), (b"b", b"2")])
    log.append([(b"a", b"3")])
    after = now_ms()
    records = list(log.read(0))
    assert content(records) == [(0, b"a", b"1"), (1, b"b", b"2"), (2, b"a", b"3")]
    assert all(before <= r.timestamp_ms <= after for r in records)
    assert records[0].timestamp_ms == records[1].timestamp_ms


@pytest.mark.parametrize("start", [0, 1, 5, 9, 10, 11, 1000])
def test_read_from_any_offset(log_factory: LogFactory, start: int) -> None:
    log = log_factory.open()
    expected = fill(log, 10)
    assert content(list(log.read(start))) == expected[start:]


def test_tombstones_read_back_as_none(log_factory: LogFactory) -> None:
    log = log_factory.open()
    log.append([(b"a", b"1"), (b"a", None)])
    log.append([(b"b", None)])
    assert [r.value for r in log.read(0)] == [b"1", None, None]


def test_empty_values_are_not_tombstones(log_factory: LogFactory) -> None:
    log = log_factory.open()
    log.append([(b"", b""), (b"k", None)])
    assert content(list(log.read(0))) == [(0, b"", b""), (1, b"k", None)]


def test_large_values_round_trip(log_factory: LogFactory) -> None:
    log = log_factory.open()
    big = bytes(range(256)) * 8192
    log.append([(b"small", b"x"), (b"big", big)])
    assert content(list(log.read(1))) == [(1, b"big", big)]


def test_a_read_yields_only_records_present_when_it_began(log_factory: LogFactory) -> None:
    log = log_factory.open()
    fill(log, 3)
    untouched = log.read(0)
    started = log.read(0)
    assert next(started).offset == 0
    log.append([(b"later", b"1"), (b"later", b"2")])
    assert [r.offset for r in untouched] == [0, 1, 2]
    assert [r.offset for r in started] == [1, 2]
    assert [r.offset for r in log.read(0)] == [0, 1, 2, 3, 4]


def test_reads_can_interleave(log_factory: LogFactory) -> None:
    log = log_factory.open()
    fill(log, 6)
    first, second = log.read(0), log.read(3)
    pairs = list(zip(first, second, strict=False))
    assert [(a.offset, b.offset) for a, b in pairs] == [(0, 3), (1, 4), (2, 5)]


def test_bad_arguments_are_rejected_before_anything_is_written(log_factory: LogFactory) -> None:
    log = log_factory.open()
    with pytest.raises(TypeError, match="record 1: key must be bytes"):
        log.append([(b"a", b"1"), ("b", b"2")])  # type: ignore[list-item]
    with pytest.raises(TypeError, match="record 0: value must be bytes or None"):
        log.append([(b"a", "text")])  # type: ignore[list-item]
    with pytest.raises(ValueError, match="offsets start at 0"):
        log.read(-1)
    assert log.end_offset() == 0


def test_a_closed_log_refuses_use_and_closing_is_idempotent(log_factory: LogFactory) -> None:
    log = log_factory.open()
    log.append([(b"a", b"1")])
    log.close()
    log.close()
    with pytest.raises(LogClosedError):
        log.append([(b"b", b"2")])
    with pytest.raises(LogClosedError):
        log.read(0)
    with pytest.raises(LogClosedError):
        log.end_offset()


def append_concurrently(log: Log, threads: int, appends: int) -> list[tuple[Batch, list[int]]]:
    """Append from `threads` threads at once, `appends` batches of one to three records each."""
    barrier = threading.Barrier(threads)

    def worker(thread: int) -> list[tuple[Batch, list[int]]]:
        done = []
        barrier.wait()
        for i in range(appends):
            batch: Batch = [
                (f"t{thread}-{j}".encode(), None if j == 2 else f"v{thread}-{i}-{j}".encode())
                for j in range(1 + i % 3)
            ]
            done.append((batch, log.append(batch)))
        return done

    with ThreadPoolExecutor(max_workers=threads) as pool:
        futures = [pool.submit(worker, t) for t in range(threads)]
        return [entry for future in futures for entry in future.result()]


def check_concurrent_appends(log: Log, results: list[tuple[Batch, list[int]]]) -> None:
    """Offsets are unique and dense, each batch's consecutive, and the log holds what was sent."""
    expected: dict[int, tuple[bytes, bytes | None]] = {}
    for batch, offsets in results:
        assert offsets == list(range(offsets[0], offsets[0] + len(batch)))
        expected.update(zip(offsets, batch, strict=True))
    total = sum(len(batch) for batch, _ in results)
    assert sorted(expected) == list(range(total))
    assert log.end_offset() == total
    assert [(r.offset, (r.key, r.value)) for r in log.read(0)] == sorted(expected.items())


def test_concurrent_appends_get_unique_dense_offsets(log_factory: LogFactory) -> None:
    log = log_factory.open()
    results = append_concurrently(log, threads=8, appends=30)
    check_concurrent_appends(log, results)


def test_records_survive_reopen(durable_factory: LogFactory) -> None:
    log = durable_factory.open()
    expected = fill(log, 7)
    log.append([(b"batch", b"1"), (b"batch", None)])
    before = list(log.read(0))
    reopened = durable_factory.reopen(log)
    assert reopened.end_offset() == 9
    assert list(reopened.read(0)) == before
    assert content(before[:7]) == expected
    assert reopened.append([(b"after", b"reopen")]) == [9]


def test_concurrent_appends_are_durable(durable_factory: LogFactory) -> None:
    log = durable_factory.open()
    results = append_concurrently(log, threads=8, appends=20)
    reopened = durable_factory.reopen(log)
    check_concurrent_appends(reopened, results)
