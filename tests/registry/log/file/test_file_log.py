"""What only the file log does: recovery, locking, compaction, group commit, failed syncs."""

from __future__ import annotations

import errno
import logging
import os
import stat
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from registry.log.base import LogRecord
from registry.log.errors import LogClosedError, LogError, LogLockedError, LogWriteError
from registry.log.file import COMPACTING_FILE, LOG_FILE, FileLog
from registry.log.file._framing import encode_records, read_frames

REPO_ROOT = Path(__file__).resolve().parents[4]
RECOVERY_LOGGER = "registry.log.file._recovery"
WAIT_S = 10.0


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, now: int = 1_000_000) -> None:
        self.now = now

    def __call__(self) -> int:
        return self.now


class Fsync:
    """Counts fsyncs; can make the next one fail, or hold it until released."""

    def __init__(self) -> None:
        self.calls = 0
        self.fail_next = False
        self.hold_next = False
        self.holding = threading.Event()
        self.release = threading.Event()

    def __call__(self, fd: int) -> None:
        self.calls += 1
        if self.fail_next:
            self.fail_next = False
            raise OSError(errno.EIO, "injected I/O error")
        if self.hold_next:
            self.hold_next = False
            self.holding.set()
            assert self.release.wait(WAIT_S)
        os.fsync(fd)


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def open_log(data_dir: Path) -> Iterator[Callable[..., FileLog]]:
    """Opens FileLogs on `data_dir` and closes them all at teardown."""
    opened: list[FileLog] = []

    def opener(**options: object) -> FileLog:
        log = FileLog.open(data_dir, **options)  # type: ignore[arg-type]
        opened.append(log)
        return log

    yield opener
    for log in opened:
        log.close()


def content(log: FileLog, start: int = 0) -> list[tuple[int, bytes, bytes | None]]:
    return [(r.offset, r.key, r.value) for r in log.read(start)]


def last_per_key(
    records: list[tuple[int, bytes, bytes | None]],
) -> list[tuple[int, bytes, bytes | None]]:
    last = {key: (offset, key, value) for offset, key, value in records}
    return sorted(last.values())


def frame_positions(path: Path) -> list[int]:
    fd = os.open(path, os.O_RDONLY)
    try:
        return [frame.position for frame in read_frames(fd, 0, os.fstat(fd).st_size)]
    finally:
        os.close(fd)


def wait_until(condition: Callable[[], bool]) -> None:
    """Wait for a condition another thread brings about, failing after a generous deadline."""
    pause = threading.Event()
    for _ in range(int(WAIT_S * 1000)):
        if condition():
            return
        pause.wait(0.001)
    pytest.fail("condition not reached")


def test_creates_the_data_directory_with_its_files(tmp_path: Path) -> None:
    data_dir = tmp_path / "nested" / "data"
    log = FileLog.open(data_dir)
    try:
        assert log.path == data_dir / LOG_FILE
        assert sorted(p.name for p in data_dir.iterdir()) == ["cairn.lock", LOG_FILE]
    finally:
        log.close()


def test_one_frame_per_append_call(open_log: Callable[..., FileLog], data_dir: Path) -> None:
    log = open_log()
    log.append([(b"a", b"1"), (b"b", None)])
    log.append([(b"c", b"3")])
    assert log.stats().frames == 2
    raw = (data_dir / LOG_FILE).read_bytes()
    assert raw[:2] == b"\xca\x01"
    assert len(frame_positions(data_dir / LOG_FILE)) == 2


def test_records_are_stamped_by_the_clock(open_log: Callable[..., FileLog]) -> None:
    clock = Clock(1234)
    log = open_log(clock=clock)
    log.append([(b"a", b"1"), (b"b", b"2")])
    clock.now = 5678
    log.append([(b"c", b"3")])
    log.close()
    assert [r.timestamp_ms for r in open_log().read(0)] == [1234, 1234, 5678]


TORN_TAILS: dict[str, Callable[[bytes], bytes]] = {
    "cut inside the last payload": lambda raw: raw[:-3],
    "cut inside the last header": lambda raw: raw + raw[:4],
    "garbage after the last frame": lambda raw: raw + b"\x17not a frame at all\xff" * 3,
    "zeros after the last frame": lambda raw: raw + bytes(4096),
}


@pytest.mark.parametrize("damage", sorted(TORN_TAILS))
def test_a_torn_tail_is_cut_with_a_warning(
    damage: str,
    open_log: Callable[..., FileLog],
    data_dir: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    log = open_log()
    log.append([(b"a", b"1")])
    log.append([(b"b", b"2"), (b"c", None)])
    log.append([(b"d", b"4")])
    log.close()
    path = data_dir / LOG_FILE
    raw = path.read_bytes()
    last_frame = frame_positions(path)[-1]
    path.write_bytes(TORN_TAILS[damage](raw))
    damaged_size = path.stat().st_size
    kept = last_frame if damage.startswith("cut inside the last payload") else len(raw)

    with caplog.at_level(logging.WARNING, logger=RECOVERY_LOGGER):
        log = open_log()
    assert [r.levelname for r in caplog.records] == ["WARNING"]
    assert f"dropping {damaged_size - kept} bytes from position {kept}" in caplog.text
    assert path.stat().st_size == kept
    survivors = [(0, b"a", b"1"), (1, b"b", b"2"), (2, b"c", None), (3, b"d", b"4")]
    survivors = survivors[:3] if kept == last_frame else survivors
    assert content(log) == survivors
    assert log.append([(b"e", b"5")]) == [len(survivors)]

    log.close()
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger=RECOVERY_LOGGER):
        log = open_log()
    assert caplog.records == []
    assert content(log)[-1] == (len(survivors), b"e", b"5")


def test_damage_in_the_middle_cuts_everything_from_there(
    open_log: Callable[..., FileLog], data_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    log = open_log()
    for i in range(4):
        log.append([(f"k{i}".encode(), f"value-{i}".encode())])
    log.close()
    path = data_dir / LOG_FILE
    second = frame_positions(path)[1]
    raw = bytearray(path.read_bytes())
    raw[second + 20] ^= 0xFF
    path.write_bytes(bytes(raw))

    with caplog.at_level(logging.WARNING, logger=RECOVERY_LOGGER):
        log = open_log()
    assert "checksum mismatch" in caplog.text
    assert f"from position {second}" in caplog.text
    # The two valid frames after the damaged one are dropped too, never skipped to.
    assert content(log) == [(0, b"k0", b"value-0")]
    assert path.stat().st_size == second
    assert log.end_offset() == 1


def test_a_valid_frame_with_offsets_going_back_is_cut(
    open_log: Callable[..., FileLog], data_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    log = open_log()
    log.append([(b"a", b"1"), (b"b", b"2"), (b"c", b"3")])
    log.close()
    path = data_dir / LOG_FILE
    good_size = path.stat().st_size
    with path.open("ab") as file:
        file.write(encode_records([LogRecord(1, b"x", b"replayed", 0)]))

    with caplog.at_level(logging.WARNING, logger=RECOVERY_LOGGER):
        log = open_log()
    assert "record offset 1 where 3 or above was expected" in caplog.text
    assert path.stat().st_size == good_size
    assert log.end_offset() == 3


def test_a_second_open_of_a_locked_directory_is_refused(
    open_log: Callable[..., FileLog], data_dir: Path
) -> None:
    first = open_log()
    with pytest.raises(LogLockedError) as refused:
        FileLog.open(data_dir)
    message = str(refused.value)
    assert str(data_dir) in message
    assert "another Cairn server" in message
    assert f"pid {os.getpid()}" in message
    assert first.append([(b"a", b"1")]) == [0]
    first.close()
    first.close()
    second = open_log()
    assert content(second) == [(0, b"a", b"1")]


def test_a_directory_locked_by_another_process_is_refused(data_dir: Path) -> None:
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys; from registry.log.file import FileLog\n"
            "log = FileLog.open(sys.argv[1]); print('locked', flush=True); sys.stdin.read()\n"
            "log.close()",
            str(data_dir),
        ],
        cwd=REPO_ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdin is not None
    assert holder.stdout is not None
    try:
        assert holder.stdout.readline() == "locked\n"
        with pytest.raises(LogLockedError, match=f"pid {holder.pid}"):
            FileLog.open(data_dir)
    finally:
        holder.stdin.close()
        holder.wait(timeout=WAIT_S)
        holder.stdout.close()
    FileLog.open(data_dir).close()


def test_a_closed_log_refuses_compact_and_stats(open_log: Callable[..., FileLog]) -> None:
    log = open_log()
    log.close()
    with pytest.raises(LogClosedError):
        log.compact()
    with pytest.raises(LogClosedError):
        log.stats()


def write_history(log: FileLog, clock: Clock) -> None:
    """Offsets: a@0 b@1 a@2 c@3 b@4(tombstone) a@5 d@6 d@7(tombstone)."""
    log.append([(b"a", b"a1"), (b"b", b"b1")])
    log.append([(b"a", b"a2"), (b"c", b"c1")])
    log.append([(b"b", None)])
    log.append([(b"a", b"a3"), (b"d", b"d1")])
    log.append([(b"d", None)])
    clock.now += 10_000


def test_compaction_keeps_the_last_record_per_key_and_every_offset(
    open_log: Callable[..., FileLog],
) -> None:
    clock = Clock()
    log = open_log(clock=clock, tombstone_retention_ms=5_000)
    write_history(log, clock)
    assert log.stats().dead_records == 6

    result = log.compact()
    assert (result.records_before, result.records_after) == (8, 2)
    assert result.bytes_after < result.bytes_before
    assert content(log) == [(3, b"c", b"c1"), (5, b"a", b"a3")]
    assert content(log, 4) == [(5, b"a", b"a3")]
    assert list(log.read(6)) == []
    # The last two records were dropped, but their offsets are not given out again.
    assert log.end_offset() == 8
    stats = log.stats()
    assert (stats.records, stats.live_keys, stats.dead_records) == (2, 2, 0)

    log.close()
    log = open_log(clock=clock)
    assert content(log) == [(3, b"c", b"c1"), (5, b"a", b"a3")]
    assert log.end_offset() == 8
    assert log.append([(b"b", b"b2")]) == [8]


def test_compacting_an_empty_log_keeps_it_empty(open_log: Callable[..., FileLog]) -> None:
    log = open_log()
    assert log.compact().records_after == 0
    log.close()
    log = open_log()
    assert log.end_offset() == 0
    assert log.append([(b"a", b"1")]) == [0]


def test_recent_tombstones_survive_compaction(open_log: Callable[..., FileLog]) -> None:
    clock = Clock()
    log = open_log(clock=clock, tombstone_retention_ms=60_000)
    write_history(log, clock)
    log.compact()
    # Tombstones younger than the retention stay, so a reader that saw b or d sees them go.
    assert content(log) == [(3, b"c", b"c1"), (4, b"b", None), (5, b"a", b"a3"), (7, b"d", None)]
    clock.now += 60_000
    log.compact()
    assert content(log) == [(3, b"c", b"c1"), (5, b"a", b"a3")]


def test_appends_trigger_compaction_when_dead_records_dominate(
    open_log: Callable[..., FileLog],
) -> None:
    log = open_log(compact_min_bytes=8 * 1024, compact_dead_ratio=0.5)
    last: dict[bytes, tuple[int, bytes]] = {}
    for i in range(400):
        key = f"key-{i % 10}".encode()
        value = f"{i:04d}".encode() * 25
        (offset,) = log.append([(key, value)])
        last[key] = (offset, value)
    stats = log.stats()
    assert stats.compactions >= 1
    assert stats.size_bytes < 16 * 1024
    assert stats.end_offset == 400
    # Appends since the last compaction may have left a few dead records; the last win.
    expected = sorted((offset, key, value) for key, (offset, value) in last.items())
    assert last_per_key(content(log)) == expected
    log.close()
    assert last_per_key(content(open_log())) == expected


def test_no_compaction_below_the_size_threshold(open_log: Callable[..., FileLog]) -> None:
    log = open_log(compact_min_bytes=1 << 20)
    for i in range(200):
        log.append([(b"same", f"{i}".encode())])
    stats = log.stats()
    assert (stats.compactions, stats.records, stats.dead_records) == (0, 200, 199)


def test_recent_tombstones_do_not_make_every_append_compact(
    open_log: Callable[..., FileLog],
) -> None:
    log = open_log(compact_min_bytes=0, compact_dead_ratio=0.5)
    log.append([(f"gone-{i}".encode(), None) for i in range(50)])
    assert log.stats().compactions == 1
    for i in range(20):
        log.append([(f"live-{i}".encode(), b"v")])
    assert log.stats().compactions == 1


def test_reads_in_progress_are_undisturbed_by_compaction(
    open_log: Callable[..., FileLog],
) -> None:
    clock = Clock()
    log = open_log(clock=clock, tombstone_retention_ms=0)
    write_history(log, clock)
    before = content(log)
    untouched = log.read(0)
    started = log.read(2)
    assert next(started).offset == 2
    log.compact()
    log.append([(b"e", b"e1")])
    assert [(r.offset, r.key, r.value) for r in untouched] == before
    assert [(r.offset, r.key, r.value) for r in started] == before[3:]
    assert content(log) == [(3, b"c", b"c1"), (5, b"a", b"a3"), (8, b"e", b"e1")]


def test_a_leftover_compaction_file_is_removed_on_open(
    open_log: Callable[..., FileLog], data_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    log = open_log()
    log.append([(b"a", b"1"), (b"a", b"2")])
    log.close()
    leftover = data_dir / COMPACTING_FILE
    leftover.write_bytes(encode_records([LogRecord(1, b"a", b"2", 0)])[:-5])
    with caplog.at_level(logging.WARNING, logger=RECOVERY_LOGGER):
        log = open_log()
    assert "interrupted compaction" in caplog.text
    assert not leftover.exists()
    assert content(log) == [(0, b"a", b"1"), (1, b"a", b"2")]


def test_a_failed_compaction_leaves_the_log_as_it_was(
    open_log: Callable[..., FileLog], data_dir: Path
) -> None:
    fsync = Fsync()
    clock = Clock()
    log = open_log(clock=clock, fsync=fsync, tombstone_retention_ms=0)
    write_history(log, clock)
    before = content(log)
    fsync.fail_next = True
    with pytest.raises(LogError, match=r"compaction of .* failed"):
        log.compact()
    assert not (data_dir / COMPACTING_FILE).exists()
    assert content(log) == before
    assert log.append([(b"e", b"e1")]) == [8]
    log.close()
    assert content(open_log()) == [*before, (8, b"e", b"e1")]


def test_concurrent_appends_share_fsyncs(open_log: Callable[..., FileLog]) -> None:
    fsync = Fsync()
    log = open_log(fsync=fsync)
    fsync.calls = 0
    followers = 7
    fsync.hold_next = True
    with ThreadPoolExecutor(max_workers=followers + 1) as pool:
        leader = pool.submit(log.append, [(b"leader", b"0")])
        assert fsync.holding.wait(WAIT_S)
        # While the first writer waits for its fsync, the others queue up behind it ...
        queued = [pool.submit(log.append, [(f"f{i}".encode(), b"1")]) for i in range(followers)]
        wait_until(lambda: log.stats().queued_appends == followers)
        fsync.release.set()
        offsets = [leader.result(), *(future.result() for future in queued)]
    # ... and are written by one writer with one fsync.
    stats = log.stats()
    assert (stats.appends, stats.syncs, stats.frames) == (8, 2, 8)
    assert fsync.calls == 2
    assert sorted(o for batch in offsets for o in batch) == list(range(8))
    log.close()
    assert sorted(r.key for r in open_log().read(0)) == sorted(
        [b"leader", *(f"f{i}".encode() for i in range(followers))]
    )


def test_many_threads_appending_need_fewer_fsyncs_than_appends(
    open_log: Callable[..., FileLog],
) -> None:
    fsync = Fsync()
    log = open_log(fsync=fsync)
    fsync.calls = 0
    threads, appends = 8, 40
    # Every thread holds back until all are appending; the first fsync waits for that too.
    fsync.hold_next = True
    barrier = threading.Barrier(threads + 1)

    def worker(thread: int) -> list[int]:
        barrier.wait()
        return [log.append([(f"t{thread}".encode(), b"v")])[0] for _ in range(appends)]

    with ThreadPoolExecutor(max_workers=threads) as pool:
        futures = [pool.submit(worker, t) for t in range(threads)]
        barrier.wait()
        assert fsync.holding.wait(WAIT_S)
        wait_until(lambda: log.stats().queued_appends == threads - 1)
        fsync.release.set()
        offsets = sorted(o for future in futures for o in future.result())
    assert offsets == list(range(threads * appends))
    stats = log.stats()
    assert stats.appends == threads * appends
    assert stats.syncs < stats.appends
    assert fsync.calls < stats.appends
    log.close()
    assert [r.offset for r in open_log().read(0)] == offsets


def test_compaction_while_threads_append_and_read(open_log: Callable[..., FileLog]) -> None:
    log = open_log(compact_min_bytes=2048, compact_dead_ratio=0.3)
    threads, appends = 4, 60
    barrier = threading.Barrier(threads + 1)
    # Writers let the reader take one full read every few appends (a busy reader would
    # only slow everything down), and once more after they are done.
    reads_due = threading.Semaphore(0)
    stop = threading.Event()

    def writer(thread: int) -> list[tuple[int, bytes, bytes]]:
        barrier.wait()
        done = []
        for i in range(appends):
            key, value = f"k{(thread + i) % 5}".encode(), f"t{thread}-{i}".encode() * 8
            done.append((log.append([(key, value)])[0], key, value))
            if i % 5 == 0:
                reads_due.release()
        return done

    def reader() -> int:
        barrier.wait()
        reads = 0
        while not stop.is_set():
            assert reads_due.acquire(timeout=WAIT_S)
            records = list(log.read(0))
            offsets = [r.offset for r in records]
            assert offsets == sorted(set(offsets))
            assert all(r.value is not None and r.value.startswith(b"t") for r in records)
            reads += 1
        return reads

    with ThreadPoolExecutor(max_workers=threads + 1) as pool:
        reading = pool.submit(reader)
        written = [pool.submit(writer, t) for t in range(threads)]
        appended = [entry for future in written for entry in future.result()]
        stop.set()
        reads_due.release()
        assert reading.result() > 0
    assert log.stats().compactions >= 1
    last = {key: (offset, key, value) for offset, key, value in sorted(appended)}
    log.compact()
    assert content(log) == sorted(last.values())
    assert log.end_offset() == threads * appends


def test_a_failed_fsync_fails_the_append_and_stops_appends(
    open_log: Callable[..., FileLog], caplog: pytest.LogCaptureFixture
) -> None:
    fsync = Fsync()
    log = open_log(fsync=fsync)
    log.append([(b"a", b"1")])
    fsync.fail_next = True
    with caplog.at_level(logging.ERROR), pytest.raises(LogWriteError, match="fsync"):
        log.append([(b"b", b"2")])
    assert log.end_offset() == 1
    assert content(log) == [(0, b"a", b"1")]
    with pytest.raises(LogWriteError, match="accepts no more appends"):
        log.append([(b"c", b"3")])
    log.close()
    log = open_log()
    assert content(log) == [(0, b"a", b"1")]
    assert log.append([(b"c", b"3")]) == [1]


class DirectorySyncFails:
    """Fails every fsync of a directory; holds the first fsync of a file until released."""

    def __init__(self) -> None:
        self.holding = threading.Event()
        self.release = threading.Event()
        self.armed = False

    def __call__(self, fd: int) -> None:
        if self.armed and stat.S_ISDIR(os.fstat(fd).st_mode):
            raise OSError(errno.EIO, "injected directory sync error")
        if self.armed and not self.holding.is_set():
            self.holding.set()
            assert self.release.wait(WAIT_S)
        os.fsync(fd)


def test_a_compaction_that_cannot_be_made_durable_stops_appends(
    open_log: Callable[..., FileLog], caplog: pytest.LogCaptureFixture
) -> None:
    fsync = DirectorySyncFails()
    clock = Clock()
    log = open_log(clock=clock, fsync=fsync, tombstone_retention_ms=0)
    write_history(log, clock)
    fsync.armed = True
    with ThreadPoolExecutor(max_workers=2) as pool, caplog.at_level(logging.ERROR):
        compaction = pool.submit(log.compact)
        assert fsync.holding.wait(WAIT_S)
        # An append queued behind the compaction is failed with it, not written after it.
        queued = pool.submit(log.append, [(b"queued", b"1")])
        wait_until(lambda: log.stats().queued_appends == 1)
        fsync.release.set()
        compaction.result(WAIT_S)
        with pytest.raises(LogWriteError, match="accepts no more appends: could not make"):
            queued.result(WAIT_S)
    with pytest.raises(LogWriteError, match="accepts no more appends"):
        log.append([(b"later", b"1")])
    assert log.end_offset() == 8
    assert b"queued" not in {r.key for r in log.read(0)}


def test_reads_seek_to_their_frame_and_report_later_damage(
    open_log: Callable[..., FileLog], data_dir: Path
) -> None:
    log = open_log()
    for i in range(4):
        log.append([(f"k{i}".encode(), b"v" * 100)])
    path = data_dir / LOG_FILE
    raw = bytearray(path.read_bytes())
    raw[frame_positions(path)[0] + 30] ^= 0xFF
    path.write_bytes(bytes(raw))
    # A read from offset 2 starts at its own frame and never touches the damaged first one.
    assert [r.offset for r in log.read(2)] == [2, 3]
    with pytest.raises(LogError, match="checksum mismatch"):
        list(log.read(0))
