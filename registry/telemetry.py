"""What a registry process counts about itself, in plain Python, for its metrics endpoint.

The counting happens on hot paths (every request, every fsync), so it is kept as cheap as it
can be: a dict lookup and an integer increment, a `bisect` into a histogram's buckets, no
locks and no metrics library. The exposition format is produced from these numbers only when
the metrics are scraped (`registry.http.metrics`), so the cost of metrics stays on the scrape.

Counters are only ever increased, by one writer at a time per counter (the event loop for
requests, the log's single writer thread for commits), so no lock is needed: a scrape running
concurrently may read a value one update old, which is what a scrape a moment earlier would
have read.
"""

from __future__ import annotations

import time
from bisect import bisect_left
from collections.abc import Callable, Sequence

#: Request latency buckets (seconds): most reads take well under a millisecond.
LATENCY_BUCKETS_S = (
    0.0001,
    0.00025,
    0.0005,
    0.001,
    0.0025,
    0.005,
    0.01,
    0.025,
    0.05,
    0.1,
    0.25,
    0.5,
    1.0,
    2.5,
    5.0,
    10.0,
)
#: fsync latency buckets (seconds): from a cached write to a slow network disk.
FSYNC_BUCKETS_S = (0.0001, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0)
#: Group-commit sizes (records per durable write).
GROUP_BUCKETS = (1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0, 256.0, 1024.0)


class Histogram:
    """Counts of observations per bucket (upper bounds, `value <= bound`), and their sum."""

    __slots__ = ("bounds", "counts", "total")

    def __init__(self, bounds: Sequence[float]) -> None:
        self.bounds = tuple(bounds)
        #: Per bucket, not cumulative; the last one counts values above every bound.
        self.counts = [0] * (len(self.bounds) + 1)
        self.total = 0.0

    def observe(self, value: float) -> None:
        """Count one observation."""
        self.counts[bisect_left(self.bounds, value)] += 1
        self.total += value

    @property
    def count(self) -> int:
        """How many observations were counted."""
        return sum(self.counts)

    def cumulative(self) -> list[tuple[float, int]]:
        """(upper bound, observations <= bound) per bucket, ending with +Inf: the form
        Prometheus histograms take."""
        running = 0
        buckets = []
        for bound, count in zip((*self.bounds, float("inf")), self.counts, strict=True):
            running += count
            buckets.append((bound, running))
        return buckets


class Telemetry:
    """The counters of one registry process, updated where things happen."""

    def __init__(self) -> None:
        #: (route template, method, status) → requests answered.
        self.requests: dict[tuple[str, str, int], int] = {}
        #: (route template, method) → latency histogram.
        self.latency: dict[tuple[str, str], Histogram] = {}
        #: (schema type, result) → compatibility checks; result is compatible, incompatible
        #: or failed (no verdict).
        self.compatibility_checks: dict[tuple[str, str], int] = {}
        #: Writes a follower forwarded to the leader, and those that could not be forwarded.
        self.forwarded_requests = 0
        self.forwarding_errors = 0
        self.fsync_seconds = Histogram(FSYNC_BUCKETS_S)
        self.group_commit_records = Histogram(GROUP_BUCKETS)
        #: How long the start-up replay took; None until it finished.
        self.replay_seconds: float | None = None

    def request(self, route: str, method: str, status: int, seconds: float) -> None:
        """Count one answered request of `route` (its template, never the raw path)."""
        key = (route, method, status)
        self.requests[key] = self.requests.get(key, 0) + 1
        histogram = self.latency.get((route, method))
        if histogram is None:
            histogram = self.latency[(route, method)] = Histogram(LATENCY_BUCKETS_S)
        histogram.observe(seconds)

    def compatibility_checked(self, schema_type: str, result: str) -> None:
        """Count one compatibility check and its outcome."""
        key = (schema_type, result)
        self.compatibility_checks[key] = self.compatibility_checks.get(key, 0) + 1

    def group_committed(self, records: int) -> None:
        """Count one durable write of a group of `records` records."""
        self.group_commit_records.observe(records)

    def timed_fsync(self, fsync: Callable[[int], None]) -> Callable[[int], None]:
        """`fsync` that also records how long each call took."""

        def timed(fd: int) -> None:
            started = time.perf_counter()
            try:
                fsync(fd)
            finally:
                self.fsync_seconds.observe(time.perf_counter() - started)

        return timed
