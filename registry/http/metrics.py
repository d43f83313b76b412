"""`GET /metrics`: the process's counters and state in Prometheus' text format.

The one module that uses prometheus-client. Nothing is registered with the library's global
registry and no library metric object sits on a hot path: requests, commits and checks add to
plain counters (`registry.telemetry`), and a scrape turns those, the state's counts, the log's
offsets and the replay's progress into metric families. The endpoint sits in front of the
start-up gate, so a starting node already reports its replay progress.

Reading the state happens on the event loop (the only thread that changes it); reading the
log's end offset (a broker round trip on Kafka) and the process figures happens in a worker
thread, so a slow broker never stalls the loop.
"""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import Iterable, Iterator

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
    Metric,
)
from prometheus_client.process_collector import ProcessCollector
from prometheus_client.registry import Collector
from starlette.types import ASGIApp, Receive, Scope, Send

from registry.http.forwarding import Leadership
from registry.http.responses import send_bytes
from registry.http.startup import ReplayStatus
from registry.log.base import Log
from registry.log.errors import LogError
from registry.services import Registry
from registry.telemetry import Histogram, Telemetry

METRICS_PATH = "/metrics"
_CONTENT_TYPE = CONTENT_TYPE_LATEST.encode()


class MetricsSources:
    """What a scrape reads: the counters, the log and the replay from the start, the
    registry once the replay has built it, and the leadership on a cluster node."""

    def __init__(
        self,
        telemetry: Telemetry,
        log: Log,
        status: ReplayStatus,
        leadership: Leadership | None = None,
        worker: int | None = None,
    ) -> None:
        self.telemetry = telemetry
        self.log = log
        self.status = status
        self.leadership = leadership
        #: This process's number among the workers of one data directory, if it is one.
        self.worker = worker
        #: Set when the replay has built the registry.
        self.registry: Registry | None = None


class MetricsEndpoint:
    """ASGI middleware answering `GET /metrics`; every other request goes to `app`."""

    def __init__(self, app: ASGIApp, sources: MetricsSources) -> None:
        self._app = app
        self._sources = sources
        self._process = ProcessCollector(registry=None)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve the scrape, or pass the request on."""
        if scope["type"] != "http" or scope["path"] != METRICS_PATH:
            await self._app(scope, receive, send)
            return
        if scope["method"] not in ("GET", "HEAD"):
            body = json.dumps({"error_code": 405, "message": "HTTP 405 Method Not Allowed"})
            await send_bytes(send, 405, body.encode(), content_type=b"application/json")
            return
        families = list(registry_families(self._sources))
        exposition = await asyncio.to_thread(self._render, families)
        await send_bytes(send, 200, exposition, content_type=_CONTENT_TYPE)

    def _render(self, families: list[Metric]) -> bytes:
        families.extend(_log_families(self._sources.log))
        families.extend(self._process.collect())
        return render(families)


class _Snapshot(Collector):
    """A collector that yields families already gathered."""

    def __init__(self, families: Iterable[Metric]) -> None:
        self._families = list(families)

    def collect(self) -> Iterable[Metric]:
        return self._families


def render(families: Iterable[Metric]) -> bytes:
    """The text exposition of `families`."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(_Snapshot(families))
    return generate_latest(registry)


def registry_families(sources: MetricsSources) -> Iterator[Metric]:
    """Every family read from the counters, the replay, the state and the leadership."""
    telemetry = sources.telemetry
    yield from _request_families(telemetry)
    checks = CounterMetricFamily(
        "cairn_compatibility_checks",
        "Compatibility checks by schema format and result (compatible, incompatible, failed).",
        labels=("format", "result"),
    )
    for (schema_type, result), count in sorted(telemetry.compatibility_checks.items()):
        checks.add_metric((schema_type, result), count)
    yield checks
    yield CounterMetricFamily(
        "cairn_forwarded_requests", "Writes forwarded to the leader.", telemetry.forwarded_requests
    )
    yield CounterMetricFamily(
        "cairn_forwarding_errors",
        "Writes that could not be forwarded (no leader known, or the leader unreachable).",
        telemetry.forwarding_errors,
    )
    yield _histogram(
        "cairn_log_fsync_duration_seconds",
        "Time of each fsync of the file log.",
        telemetry.fsync_seconds,
    )
    yield _histogram(
        "cairn_log_group_commit_records",
        "Records made durable by each write of the log (group commit).",
        telemetry.group_commit_records,
    )
    yield from _replay_families(sources)
    yield from _state_families(sources)
    yield from _leader_families(sources)
    if sources.worker is not None:
        worker = GaugeMetricFamily(
            "cairn_worker",
            "1, labelled with this worker's number and process id: with several workers "
            "every metric is this process's own (sum them across workers).",
            labels=("worker", "pid"),
        )
        worker.add_metric((str(sources.worker), str(os.getpid())), 1)
        yield worker


def _request_families(telemetry: Telemetry) -> Iterator[Metric]:
    requests = CounterMetricFamily(
        "cairn_http_requests",
        "HTTP requests answered, by route template, method and status.",
        labels=("route", "method", "status"),
    )
    for (route, method, status), count in sorted(telemetry.requests.items()):
        requests.add_metric((route, method, str(status)), count)
    yield requests
    latency = HistogramMetricFamily(
        "cairn_http_request_duration_seconds",
        "Time to answer HTTP requests, by route template and method.",
        labels=("route", "method"),
    )
    for (route, method), histogram in sorted(telemetry.latency.items()):
        latency.add_metric((route, method), _buckets(histogram), histogram.total)
    yield latency


def _replay_families(sources: MetricsSources) -> Iterator[Metric]:
    status = sources.status
    yield GaugeMetricFamily(
        "cairn_ready", "1 once the start-up replay has finished.", int(sources.registry is not None)
    )
    yield GaugeMetricFamily(
        "cairn_replay_target_offset",
        "The log's end offset when the process started: where the start-up replay ends.",
        status.target_offset,
    )
    yield GaugeMetricFamily(
        "cairn_replay_progress_ratio",
        "How much of the start-up replay is done (0 to 1).",
        min(1.0, status.applied_offset / status.target_offset) if status.target_offset else 1.0,
    )
    if sources.telemetry.replay_seconds is not None:
        yield GaugeMetricFamily(
            "cairn_replay_duration_seconds",
            "How long the start-up replay took.",
            sources.telemetry.replay_seconds,
        )


def _state_families(sources: MetricsSources) -> Iterator[Metric]:
    registry = sources.registry
    applied = (
        sources.status.applied_offset if registry is None else registry.store.state.next_offset
    )
    yield GaugeMetricFamily(
        "cairn_log_applied_offset",
        "The offset after the last record applied to the state.",
        applied,
    )
    if registry is None:
        return
    counts = registry.store.state.counts()
    yield GaugeMetricFamily(
        "cairn_schemas", "Schema ids held (each context's ids counted apart).", counts.schemas
    )
    subjects = GaugeMetricFamily(
        "cairn_subjects",
        "Subjects, by whether all their versions are soft-deleted.",
        labels=("deleted",),
    )
    subjects.add_metric(("false",), counts.subjects)
    subjects.add_metric(("true",), counts.deleted_subjects)
    yield subjects
    versions = GaugeMetricFamily(
        "cairn_versions", "Subject versions, by whether soft-deleted.", labels=("deleted",)
    )
    versions.add_metric(("false",), counts.versions)
    versions.add_metric(("true",), counts.deleted_versions)
    yield versions


def _leader_families(sources: MetricsSources) -> Iterator[Metric]:
    leadership = sources.leadership
    yield GaugeMetricFamily(
        "cairn_leader",
        "1 while this process writes the log (always, on the embedded log with one worker).",
        1 if leadership is None or leadership.is_leader else 0,
    )
    if leadership is not None:
        yield CounterMetricFamily(
            "cairn_leader_elections",
            "Times this node became the leader.",
            leadership.term,
        )


def _log_families(log: Log) -> Iterator[Metric]:
    try:
        end = log.end_offset()
    except LogError:
        return
    yield GaugeMetricFamily(
        "cairn_log_end_offset", "The offset the next record appended to the log will get.", end
    )


def _histogram(name: str, documentation: str, histogram: Histogram) -> Metric:
    family = HistogramMetricFamily(name, documentation)
    family.add_metric((), _buckets(histogram), histogram.total)
    return family


def _buckets(histogram: Histogram) -> list[tuple[str, float]]:
    return [(_bound(bound), count) for bound, count in histogram.cumulative()]


def _bound(bound: float) -> str:
    return "+Inf" if bound == float("inf") else repr(bound)
