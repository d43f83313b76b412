"""Group commit: the appends of many threads made durable together, one durable write per group.

A durable write (an fsync, a Kafka round trip) costs about the same for one append as for
many, so appending threads share it. Each thread queues its batch with `submit`. A thread
that finds no writer active takes the writer role: it takes the queued batches, oldest first
(all of them, or as many as `GroupLimits` allow; the first always), and hands them to the
backend's `write` in one call, which makes them durable in one operation and returns one
outcome per batch: its offsets, or the `LogError` that failed it. The writer then wakes the
threads whose batches it carried and gives the role up; batches queued meanwhile are written
together by the next writer, so the more threads append at once, the more appends share each
durable write. A writer whose own batch did not fit in the group it wrote stays the writer
for the next group.

What the backend gets:

* only one `write` runs at a time, so the backend's write state (file position, producer)
  needs no more than the writer role; `exclusive()` takes the same role for other work that
  must not overlap a write (a compaction, a new producer);
* an error fails exactly the batches `write` says it failed; if `write` itself raises, every
  batch of its group fails with a `LogWriteError` and the exception goes on in the writer;
* `after_write` runs in the writer, still holding the role, once the group's threads have
  been woken: the place for follow-up work the appenders need not wait for;
* `stop()` fails every queued batch and refuses new ones (a log that can no longer make
  anything durable), `close()` also waits for the write in progress.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from registry.log.errors import LogError, LogWriteError

__all__ = ["Batch", "GroupCommitter", "GroupLimits", "Outcome", "WriteGroup"]

#: The records of one append, in order: (key, value or None for a tombstone).
Batch = list[tuple[bytes, bytes | None]]
#: What became of one batch: the offsets its records got, or why it failed.
Outcome = list[int] | LogError
#: Makes the batches of one group durable in one operation: one outcome per batch, in order
#: (a failed batch gets an error of its own: it is raised in the batch's thread).
WriteGroup = Callable[[list[Batch]], Sequence[Outcome]]


@dataclass(frozen=True, slots=True)
class GroupLimits:
    """How much one group may carry beyond its first batch (None: no limit)."""

    #: The most `size` units (as given to `submit`) of a group.
    max_size: int | None = None
    #: The most records of a group.
    max_records: int | None = None


@dataclass(eq=False, slots=True)
class _Pending:
    """One batch waiting for a writer; `outcome` is set once, when it was written or failed."""

    batch: Batch
    size: int
    outcome: Outcome | None = None


class GroupCommitter:
    """Queues appends and has one thread at a time write the queued ones as a group."""

    def __init__(
        self,
        write: WriteGroup,
        *,
        name: str,
        limits: GroupLimits | None = None,
        after_write: Callable[[], None] | None = None,
        on_group: Callable[[int], None] | None = None,
    ) -> None:
        """Commit through `write`; `name` (the file, the topic) goes into error messages;
        `on_group` is told the number of records of every group written."""
        self._write = write
        self._name = name
        self._limits = limits or GroupLimits()
        self._after_write = after_write
        self._on_group = on_group
        # Guards the queue, the writer role and the refusal; never held while writing.
        self._cond = threading.Condition(threading.Lock())
        self._queue: deque[_Pending] = deque()
        self._writing = False
        self._refusal: Callable[[], LogError] | None = None

    @property
    def queued(self) -> int:
        """Batches waiting for a writer (not counting the group being written)."""
        with self._cond:
            return len(self._queue)

    def submit(self, batch: Batch, *, size: int = 0) -> list[int]:
        """Queue `batch`, wait until it is durable, and return its offsets.

        `size` counts towards `GroupLimits.max_size`. Raises the `LogError` that failed the
        batch, or the one `stop` gave if the committer is stopped.
        """
        pending = _Pending(batch, size)
        with self._cond:
            if self._refusal is not None:
                raise self._refusal()
            self._queue.append(pending)
        while True:
            with self._cond:
                while pending.outcome is None and self._writing:
                    self._cond.wait()
                if pending.outcome is not None:
                    break
                # Still queued and no writer: a stopped committer fails what is queued, so it
                # is running, and this thread becomes the writer.
                self._writing = True
                group = self._take_group()
            self._lead(group)
        outcome = pending.outcome
        if isinstance(outcome, LogError):
            raise outcome
        return outcome

    @contextmanager
    def exclusive(self) -> Iterator[None]:
        """Hold the writer role for the duration: no group is written meanwhile."""
        with self._cond:
            while self._writing:
                self._cond.wait()
            self._writing = True
        try:
            yield
        finally:
            self._release()

    def stop(self, error: Callable[[], LogError]) -> None:
        """Fail every queued batch with `error()` and refuse new ones with it from now on.

        The group being written, if any, still completes. A later `stop` replaces the error.
        """
        with self._cond:
            self._refusal = error
            while self._queue:
                self._queue.popleft().outcome = error()
            self._cond.notify_all()

    def close(self, error: Callable[[], LogError]) -> None:
        """`stop`, then wait for the write in progress (or `exclusive` holder) to finish.

        Never call it from `write`, `after_write` or under `exclusive`: it would wait for itself.
        """
        self.stop(error)
        with self._cond:
            while self._writing:
                self._cond.wait()

    def _take_group(self) -> list[_Pending]:
        """Take queued batches, oldest first: the first always, the others while they fit."""
        max_size, max_records = self._limits.max_size, self._limits.max_records
        if max_size is None and max_records is None:
            group = list(self._queue)
            self._queue.clear()
            return group
        first = self._queue.popleft()
        group, size, records = [first], first.size, len(first.batch)
        while self._queue:
            candidate = self._queue[0]
            if (max_size is not None and size + candidate.size > max_size) or (
                max_records is not None and records + len(candidate.batch) > max_records
            ):
                break
            group.append(self._queue.popleft())
            size += candidate.size
            records += len(candidate.batch)
        return group

    def _lead(self, group: list[_Pending]) -> None:
        """Write `group` as the writer, run `after_write`, then give the role up."""
        try:
            try:
                outcomes = self._write([pending.batch for pending in group])
                if len(outcomes) != len(group):
                    raise RuntimeError(
                        f"the write returned {len(outcomes)} outcomes for {len(group)} batches"
                    )
            except BaseException as exc:
                self._complete(
                    group, [LogWriteError(f"append to {self._name} failed: {exc!r}") for _ in group]
                )
                raise
            self._complete(group, outcomes)
            if self._on_group is not None:
                self._on_group(sum(len(pending.batch) for pending in group))
            if self._after_write is not None:
                self._after_write()
        finally:
            self._release()

    def _complete(self, group: list[_Pending], outcomes: Sequence[Outcome]) -> None:
        with self._cond:
            for pending, outcome in zip(group, outcomes, strict=True):
                pending.outcome = outcome
            self._cond.notify_all()

    def _release(self) -> None:
        with self._cond:
            self._writing = False
            self._cond.notify_all()
