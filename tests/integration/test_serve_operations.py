"""A real `cairn serve` process as an operator runs it: JSON logs with request ids, a metrics
scrape, and settings from a config file."""

from __future__ import annotations

import json
from pathlib import Path

import httpx

from tests.integration.conftest import ServerFactory
from tests.support.metrics import parse, value

CT = {"Content-Type": "application/vnd.schemaregistry.v1+json"}
SCHEMA = json.dumps({"type": "record", "name": "Op", "fields": [{"name": "a", "type": "int"}]})


def test_json_logs_name_the_request_on_every_line(server_factory: ServerFactory) -> None:
    server = server_factory.start(None, "--log-format", "json", "--access-log")
    with httpx.Client(base_url=server.url, timeout=10.0) as client:
        answered = client.get("/subjects", headers={"X-Request-ID": "op-trace-1"})
        assert answered.headers["x-request-id"] == "op-trace-1"
    server.stop()
    lines = [json.loads(line) for line in server.stderr().splitlines() if line.strip()]
    assert lines, "the server logged nothing"
    for line in lines:
        assert {"time", "level", "logger", "message"} <= line.keys(), line
    access = [line for line in lines if line["logger"] == "uvicorn.access"]
    assert any(
        line.get("request_id") == "op-trace-1" and "GET /subjects" in line["message"]
        for line in access
    ), access
    assert any("replayed" in line["message"] for line in lines)


def test_a_config_file_sets_up_the_server_and_metrics_follow_its_work(
    server_factory: ServerFactory, tmp_path: Path
) -> None:
    config = tmp_path / "cairn.toml"
    config.write_text('compatibility = "NONE"\nlog-format = "json"\n')
    server = server_factory.start(None, "--config", str(config))
    with httpx.Client(base_url=server.url, timeout=10.0) as client:
        assert client.get("/config").json()["compatibilityLevel"] == "NONE"
        posted = client.post("/subjects/op-value/versions", json={"schema": SCHEMA}, headers=CT)
        assert posted.status_code == 200, posted.text
        names, samples = parse(client.get("/metrics").text)
    assert "cairn_log_fsync_duration_seconds" in names
    assert value(samples, "cairn_schemas") == 1
    assert value(samples, "cairn_log_fsync_duration_seconds_count") >= 1
    assert value(samples, "cairn_log_end_offset") == value(samples, "cairn_log_applied_offset")
    assert (
        value(
            samples,
            "cairn_http_requests_total",
            route="/subjects/{subject}/versions",
            method="POST",
            status="200",
        )
        == 1
    )
    server.stop()
    assert all(json.loads(line) for line in server.stderr().splitlines() if line.strip())
