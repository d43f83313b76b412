"""The group-commit component shared by the file and Kafka logs, against a backend in memory.

Threads are lined up with events and by waiting for the committer's own state (how many
batches are queued), never by sleeping and hoping.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor

import pytest

from registry.log._group_commit import Batch, GroupCommitter, GroupLimits, Outcome
from registry.log.errors import LogClosedError, LogError, LogWriteError

WAIT_S = 10.0


class Backend:
    """Makes groups "durable" in a list: offsets from a counter, every group kept.

    It can hold its next write until released, fail chosen batches, or raise for them.
    """

    def __init__(self) -> None:
        self.groups: list[list[Batch]] = []
        self.records: dict[int, tuple[bytes, bytes | None]] = {}
        self.events: list[str] = []
        self.hold_next = False
        self.holding = threading.Event()
        self.release = threading.Event()
        #: Batches whose first key is in here fail.
        self.failing: set[bytes] = set()
        #: A group holding a batch whose first key is in here raises the exception.
        self.raising: dict[bytes, BaseException] = {}
        self._writing = threading.Lock()

    def write(self, batches: list[Batch]) -> list[Outcome]:
        # The committer promises one write at a time: a second one would find the lock taken.
        assert self._writing.acquire(blocking=False), "two writes at once"
        try:
            self.groups.append(batches)
            if self.hold_next:
                self.hold_next = False
                self.holding.set()
                assert self.release.wait(WAIT_S)
            for item in batches:
                if item[0][0] in self.raising:
                    raise self.raising[item[0][0]]
            outcomes: list[Outcome] = []
            for item in batches:
                if item[0][0] in self.failing:
                    outcomes.append(LogWriteError(f"{item[0][0]!r} failed"))
                    continue
                start = len(self.records)
                offsets = list(range(start, start + len(item)))
                self.records.update(zip(offsets, item, strict=True))
                outcomes.append(offsets)
            self.events.append("written")
            return outcomes
        finally:
            self._writing.release()


@pytest.fixture
def backend() -> Backend:
    return Backend()


@pytest.fixture
def pool() -> Iterator[ThreadPoolExecutor]:
    with ThreadPoolExecutor(max_workers=16) as executor:
        yield executor


def batch(name: str, records: int = 1) -> Batch:
    return [(f"{name}-{i}".encode(), None if i == 2 else b"v") for i in range(records)]


def wait_until(condition: Callable[[], bool]) -> None:
    """Wait for a state other threads bring about, failing after a generous deadline."""
    pause = threading.Event()
    for _ in range(int(WAIT_S * 1000)):
        if condition():
            return
        pause.wait(0.001)
    pytest.fail("condition not reached")


def wait_queued(committer: GroupCommitter, count: int) -> None:
    """Wait until `count` batches are queued for the next writer."""
    wait_until(lambda: committer.queued == count)


def hold_a_leader(
    committer: GroupCommitter, backend: Backend, pool: ThreadPoolExecutor
) -> Future[list[int]]:
    """Start an append whose write is held until `backend.release` is set."""
    backend.hold_next = True
    leader = pool.submit(committer.submit, batch("leader"))
    assert backend.holding.wait(WAIT_S)
    return leader


def queue_in_order(
    committer: GroupCommitter, pool: ThreadPoolExecutor, batches: list[Batch]
) -> list[Future[list[int]]]:
    """Submit `batches` from threads of their own, each queued before the next is submitted."""
    futures = []
    for count, item in enumerate(batches, start=1):
        futures.append(pool.submit(committer.submit, item))
        wait_queued(committer, count)
    return futures


def test_an_append_gets_the_offsets_its_write_returned(backend: Backend) -> None:
    committer = GroupCommitter(backend.write, name="test")
    assert committer.submit(batch("a", 3)) == [0, 1, 2]
    assert committer.submit(batch("b")) == [3]
    assert backend.groups == [[batch("a", 3)], [batch("b")]]


def test_appends_queued_while_the_writer_is_busy_are_written_as_one_group(
    backend: Backend, pool: ThreadPoolExecutor
) -> None:
    committer = GroupCommitter(backend.write, name="test")
    leader = hold_a_leader(committer, backend, pool)
    followers = [batch(f"f{i}", 1 + i % 3) for i in range(7)]
    futures = [pool.submit(committer.submit, item) for item in followers]
    wait_queued(committer, len(followers))
    backend.release.set()
    assert leader.result(WAIT_S) == [0]
    results = [future.result(WAIT_S) for future in futures]
    assert len(backend.groups) == 2
    assert sorted(backend.groups[1]) == sorted(followers)
    # Offsets are per append: each got the ones its own records were written at.
    for item, offsets in zip(followers, results, strict=True):
        assert [backend.records[offset] for offset in offsets] == item


def test_offsets_are_per_append_contiguous_and_dense(
    backend: Backend, pool: ThreadPoolExecutor
) -> None:
    committer = GroupCommitter(backend.write, name="test")
    threads, appends = 8, 25
    barrier = threading.Barrier(threads)

    def worker(thread: int) -> list[tuple[Batch, list[int]]]:
        barrier.wait()
        done = []
        for i in range(appends):
            item = batch(f"t{thread}-{i}", 1 + i % 3)
            done.append((item, committer.submit(item)))
        return done

    results = [
        entry
        for future in [pool.submit(worker, t) for t in range(threads)]
        for entry in future.result(WAIT_S)
    ]
    for item, offsets in results:
        assert offsets == list(range(offsets[0], offsets[0] + len(item)))
        assert [backend.records[offset] for offset in offsets] == item
    assert sorted(o for _, offsets in results for o in offsets) == list(range(len(backend.records)))
    assert sum(len(group) for group in backend.groups) == threads * appends


def test_an_error_fails_exactly_the_group_it_hit(
    backend: Backend, pool: ThreadPoolExecutor
) -> None:
    committer = GroupCommitter(backend.write, name="test")
    leader = hold_a_leader(committer, backend, pool)
    doomed = queue_in_order(committer, pool, [batch("x"), batch("y", 2)])
    # The write of the second group (both queued appends) fails.
    backend.failing = {b"x-0", b"y-0"}
    backend.release.set()
    assert leader.result(WAIT_S) == [0]
    for future in doomed:
        with pytest.raises(LogWriteError):
            future.result(WAIT_S)
    backend.failing = set()
    assert committer.submit(batch("z")) == [1]
    assert backend.groups == [[batch("leader")], [batch("x"), batch("y", 2)], [batch("z")]]


def test_an_error_for_one_batch_fails_only_that_append(
    backend: Backend, pool: ThreadPoolExecutor
) -> None:
    committer = GroupCommitter(backend.write, name="test")
    leader = hold_a_leader(committer, backend, pool)
    first, bad, last = queue_in_order(committer, pool, [batch("a"), batch("bad"), batch("c")])
    backend.failing = {b"bad-0"}
    backend.release.set()
    assert leader.result(WAIT_S) == [0]
    assert first.result(WAIT_S) == [1]
    with pytest.raises(LogWriteError, match="bad"):
        bad.result(WAIT_S)
    assert last.result(WAIT_S) == [2]


def test_a_write_that_raises_fails_its_group_and_the_writer_raises_it(
    backend: Backend, pool: ThreadPoolExecutor
) -> None:
    committer = GroupCommitter(backend.write, name="the-log")
    backend.raising = {b"leader-0": RuntimeError("disk on fire")}
    leader = hold_a_leader(committer, backend, pool)
    follower = pool.submit(committer.submit, batch("follower"))
    wait_queued(committer, 1)
    backend.release.set()
    # The writer's own append fails with the exception itself ...
    with pytest.raises(RuntimeError, match="disk on fire"):
        leader.result(WAIT_S)
    # ... the next group is not touched by it, and the role was given up.
    assert follower.result(WAIT_S) == [0]
    assert committer.submit(batch("later")) == [1]


def test_every_batch_of_a_group_that_raised_gets_a_write_error(
    backend: Backend, pool: ThreadPoolExecutor
) -> None:
    committer = GroupCommitter(backend.write, name="the-log")
    leader = hold_a_leader(committer, backend, pool)
    followers = queue_in_order(committer, pool, [batch("a"), batch("b")])
    backend.raising = {b"a-0": OSError("gone")}
    backend.release.set()
    assert leader.result(WAIT_S) == [0]
    # One of the followers wrote the group and raises the exception; the other was told.
    errors = []
    for future in followers:
        with pytest.raises((OSError, LogWriteError)) as caught:
            future.result(WAIT_S)
        errors.append(caught.value)
    assert sorted(type(error).__name__ for error in errors) == ["LogWriteError", "OSError"]
    (told,) = [error for error in errors if isinstance(error, LogWriteError)]
    assert "append to the-log failed: OSError('gone')" in str(told)


def test_a_write_must_return_one_outcome_per_batch() -> None:
    committer = GroupCommitter(lambda batches: [], name="test")
    with pytest.raises(RuntimeError, match="0 outcomes for 1 batches"):
        committer.submit(batch("a"))


@pytest.mark.parametrize(
    ("limits", "groups"),
    [
        (GroupLimits(max_records=4), [["a", "b"], ["c", "d"], ["big"]]),
        (GroupLimits(max_records=3), [["a"], ["b"], ["c"], ["d"], ["big"]]),
        (GroupLimits(max_size=30), [["a", "b", "c"], ["d"], ["big"]]),
        (GroupLimits(), [["a", "b", "c", "d", "big"]]),
    ],
    ids=["records", "records-tight", "size", "unlimited"],
)
def test_groups_keep_to_their_limits_taking_the_oldest_first(
    backend: Backend, pool: ThreadPoolExecutor, limits: GroupLimits, groups: list[list[str]]
) -> None:
    committer = GroupCommitter(backend.write, name="test", limits=limits)
    leader = hold_a_leader(committer, backend, pool)
    names = ["a", "b", "c", "d", "big"]
    futures = []
    for count, name in enumerate(names, start=1):
        # Two records (size 10) each; "big" alone exceeds every limit but is still written.
        item, size = (batch(name, 5), 100) if name == "big" else (batch(name, 2), 10)
        futures.append(pool.submit(committer.submit, item, size=size))
        wait_queued(committer, count)
    backend.release.set()
    assert leader.result(WAIT_S) == [0]
    for future in futures:
        future.result(WAIT_S)
    written = [[b[0][0].decode().split("-")[0] for b in group] for group in backend.groups[1:]]
    assert written == groups


def test_stop_fails_what_is_queued_and_refuses_more_but_finishes_the_write(
    backend: Backend, pool: ThreadPoolExecutor
) -> None:
    committer = GroupCommitter(backend.write, name="test")
    leader = hold_a_leader(committer, backend, pool)
    (queued,) = queue_in_order(committer, pool, [batch("queued")])
    committer.stop(lambda: LogWriteError("no more appends"))
    with pytest.raises(LogWriteError, match="no more appends"):
        queued.result(WAIT_S)
    with pytest.raises(LogWriteError, match="no more appends"):
        committer.submit(batch("refused"))
    backend.release.set()
    assert leader.result(WAIT_S) == [0]
    # A later stop (say, closing) gives the error from then on.
    committer.stop(lambda: LogClosedError("closed"))
    with pytest.raises(LogClosedError):
        committer.submit(batch("refused"))
    assert backend.groups == [[batch("leader")]]


def test_close_waits_for_the_write_in_progress(backend: Backend, pool: ThreadPoolExecutor) -> None:
    committer = GroupCommitter(backend.write, name="test")
    leader = hold_a_leader(committer, backend, pool)
    (queued,) = queue_in_order(committer, pool, [batch("queued")])

    def close() -> None:
        committer.close(lambda: LogClosedError("closed"))
        backend.events.append("closed")

    closing = pool.submit(close)
    # The queued append failing shows that close has begun; it then waits for the writer.
    with pytest.raises(LogClosedError):
        queued.result(WAIT_S)
    backend.release.set()
    closing.result(WAIT_S)
    assert leader.result(WAIT_S) == [0]
    assert backend.events == ["written", "closed"]


def test_exclusive_holds_back_writes_and_waits_for_one_in_progress(
    backend: Backend, pool: ThreadPoolExecutor
) -> None:
    committer = GroupCommitter(backend.write, name="test")
    leader = hold_a_leader(committer, backend, pool)

    def exclusive_work() -> None:
        with committer.exclusive():
            backend.events.append("exclusive")
            (waiting,) = queue_in_order(committer, pool, [batch("waiting")])
            # Queued behind the holder: not written while it holds the role.
            assert not waiting.done()
            assert len(backend.groups) == 1
        assert waiting.result(WAIT_S) == [1]

    work = pool.submit(exclusive_work)
    backend.release.set()
    assert leader.result(WAIT_S) == [0]
    work.result(WAIT_S)
    assert backend.events == ["written", "exclusive", "written"]


def test_after_write_runs_holding_the_role_once_the_group_is_released(
    backend: Backend, pool: ThreadPoolExecutor
) -> None:
    in_after_write = threading.Event()
    finish_after_write = threading.Event()
    calls: list[int] = []

    def after_write() -> None:
        calls.append(len(backend.groups))
        if len(calls) == 2:
            in_after_write.set()
            assert finish_after_write.wait(WAIT_S)

    committer = GroupCommitter(backend.write, name="test", after_write=after_write)
    leader = hold_a_leader(committer, backend, pool)
    first, second = queue_in_order(committer, pool, [batch("a"), batch("b")])
    backend.release.set()
    assert leader.result(WAIT_S) == [0]
    # One of the two writes their group, then stays in `after_write`; the other returns ...
    assert in_after_write.wait(WAIT_S)
    wait_until(lambda: first.done() or second.done())
    assert [first.done(), second.done()].count(True) == 1
    # ... and a new append waits, since the writer still holds the role.
    (later,) = queue_in_order(committer, pool, [batch("later")])
    assert len(backend.groups) == 2
    finish_after_write.set()
    assert (first.result(WAIT_S), second.result(WAIT_S), later.result(WAIT_S)) == ([1], [2], [3])
    assert calls == [1, 2, 3]


def test_a_failed_append_raises_its_own_error(backend: Backend) -> None:
    committer = GroupCommitter(backend.write, name="test")
    backend.failing = {b"a-0"}
    with pytest.raises(LogError) as first:
        committer.submit(batch("a"))
    with pytest.raises(LogError) as second:
        committer.submit(batch("a"))
    assert first.value is not second.value
