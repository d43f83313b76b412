"""`GET /metrics`: every family, parsed as Prometheus parses it, with values that follow the
requests made."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

from starlette.testclient import TestClient

from registry.http.app import RegistryApp
from registry.log.file import FileLog
from registry.log.memory import MemoryLog
from registry.server import ReplayStatus, build_app, starting_app
from registry.settings import Settings
from registry.telemetry import Histogram, Telemetry
from tests.support.metrics import parse, value

from .conftest import CT, record

DEADLINE_S = 10.0

EVERY_FAMILY = {
    "cairn_http_requests",
    "cairn_http_request_duration_seconds",
    "cairn_compatibility_checks",
    "cairn_forwarded_requests",
    "cairn_forwarding_errors",
    "cairn_log_fsync_duration_seconds",
    "cairn_log_group_commit_records",
    "cairn_ready",
    "cairn_replay_target_offset",
    "cairn_replay_progress_ratio",
    "cairn_replay_duration_seconds",
    "cairn_log_applied_offset",
    "cairn_log_end_offset",
    "cairn_schemas",
    "cairn_subjects",
    "cairn_versions",
    "cairn_leader",
    "process_resident_memory_bytes",
}


def _client(log: MemoryLog | FileLog, telemetry: Telemetry) -> TestClient:
    app = starting_app(
        log,
        lambda status: build_app(log, Settings(), status=status, telemetry=telemetry),
        telemetry=telemetry,
    )
    return TestClient(app)


def _wait_ready(client: TestClient) -> None:
    deadline = time.monotonic() + DEADLINE_S
    while client.get("/health/ready").status_code != 200:
        assert time.monotonic() < deadline, "never became ready"
        threading.Event().wait(0.01)


def test_a_scrape_shows_every_family_with_values_that_follow_the_requests() -> None:
    with _client(MemoryLog(), Telemetry()) as client:
        _wait_ready(client)
        for name in ("A", "B"):
            posted = client.post(
                f"/subjects/{name.lower()}-value/versions",
                json={"schema": record(name, ("id", "string"))},
                headers=CT,
            )
            assert posted.status_code == 200, posted.text
        incompatible = client.post(
            "/compatibility/subjects/a-value/versions/latest",
            json={"schema": record("A", ("id", "int"))},
            headers=CT,
        )
        assert incompatible.json() == {"is_compatible": False}
        assert client.delete("/subjects/b-value").status_code == 200
        assert client.get("/schemas/ids/1").status_code == 200
        assert client.get("/no/such/path/42").status_code == 404

        scrape = client.get("/metrics")
        assert scrape.status_code == 200
        assert scrape.headers["content-type"].startswith("text/plain; version=")
        names, samples = parse(scrape.text)

    assert names >= EVERY_FAMILY, EVERY_FAMILY - names
    register = {"route": "/subjects/{subject}/versions", "method": "POST"}
    assert value(samples, "cairn_http_requests_total", status="200", **register) == 2
    assert value(samples, "cairn_http_request_duration_seconds_count", **register) == 2
    assert value(samples, "cairn_http_request_duration_seconds_bucket", le="+Inf", **register) == 2
    assert (
        value(
            samples,
            "cairn_http_requests_total",
            route="/schemas/ids/{id}",
            method="GET",
            status="200",
        )
        == 1
    )
    # A path that matches no route is one series, however many such paths are probed.
    assert (
        value(samples, "cairn_http_requests_total", route="(unmatched)", method="GET", status="404")
        == 1
    )
    assert not any("/no/such" in str(labels) for _, labels in samples)

    # Two first registrations (compatible, nothing to compare with) and one incompatible test.
    assert (
        value(samples, "cairn_compatibility_checks_total", format="AVRO", result="compatible") == 2
    )
    assert (
        value(samples, "cairn_compatibility_checks_total", format="AVRO", result="incompatible")
        == 1
    )
    assert value(samples, "cairn_schemas") == 2
    assert value(samples, "cairn_subjects", deleted="false") == 1
    assert value(samples, "cairn_subjects", deleted="true") == 1
    assert value(samples, "cairn_versions", deleted="false") == 1
    assert value(samples, "cairn_versions", deleted="true") == 1
    # Two schema records and one delete record: the state has applied the whole log.
    assert value(samples, "cairn_log_end_offset") == 3
    assert value(samples, "cairn_log_applied_offset") == 3
    assert value(samples, "cairn_ready") == 1
    assert value(samples, "cairn_replay_progress_ratio") == 1
    assert value(samples, "cairn_replay_duration_seconds") >= 0
    assert value(samples, "cairn_leader") == 1
    assert value(samples, "cairn_forwarded_requests_total") == 0


def test_the_file_log_reports_fsync_latency_and_group_commit_sizes(tmp_path: Path) -> None:
    telemetry = Telemetry()
    log = FileLog.open(
        tmp_path,
        fsync=telemetry.timed_fsync(os.fsync),
        on_group_commit=telemetry.group_committed,
    )
    with _client(log, telemetry) as client:
        _wait_ready(client)
        for number in range(3):
            posted = client.post(
                f"/subjects/s{number}/versions",
                json={"schema": record(f"S{number}", ("id", "string"))},
                headers=CT,
            )
            assert posted.status_code == 200, posted.text
        client.put("/config/s", json={"compatibility": "NONE"}, headers=CT)
        _, samples = parse(client.get("/metrics").text)
    appends = 4
    assert value(samples, "cairn_log_fsync_duration_seconds_count") >= appends
    assert value(samples, "cairn_log_group_commit_records_count") == appends
    assert value(samples, "cairn_log_group_commit_records_sum") == appends
    assert value(samples, "cairn_log_group_commit_records_bucket", le="1.0") == appends


def test_metrics_report_the_replay_while_it_runs() -> None:
    log = MemoryLog()
    log.append([(b"k", None)] * 4)
    release = threading.Event()
    telemetry = Telemetry()

    def build(status: ReplayStatus) -> RegistryApp:
        status.applied_offset = 1
        assert release.wait(DEADLINE_S)
        return build_app(log, Settings(), status=status, telemetry=telemetry)

    with TestClient(starting_app(log, build, telemetry=telemetry)) as client:
        _, samples = parse(client.get("/metrics").text)
        assert value(samples, "cairn_ready") == 0
        assert value(samples, "cairn_replay_target_offset") == 4
        assert value(samples, "cairn_replay_progress_ratio") == 0.25
        assert value(samples, "cairn_log_applied_offset") == 1
        assert ("cairn_schemas", ()) not in samples
        release.set()
        _wait_ready(client)
        _, samples = parse(client.get("/metrics").text)
        assert value(samples, "cairn_ready") == 1
        assert value(samples, "cairn_log_applied_offset") == 4


def test_without_telemetry_there_is_no_metrics_endpoint() -> None:
    log = MemoryLog()
    app = starting_app(log, lambda status: build_app(log, Settings(), status=status))
    with TestClient(app) as client:
        _wait_ready(client)
        assert client.get("/metrics").status_code == 404


def test_only_get_reads_the_metrics() -> None:
    with _client(MemoryLog(), Telemetry()) as client:
        refused = client.post("/metrics", content=b"")
    assert refused.status_code == 405
    assert refused.json()["error_code"] == 405


def test_a_histogram_bucket_holds_values_up_to_and_including_its_bound() -> None:
    histogram = Histogram((1.0, 2.0))
    for observed in (0.5, 1.0, 1.5, 2.0, 3.0):
        histogram.observe(observed)
    assert histogram.cumulative() == [(1.0, 2), (2.0, 4), (float("inf"), 5)]
    assert histogram.count == 5
    assert histogram.total == 8.0
