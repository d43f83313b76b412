"""A starting node: health endpoints answer during the replay, the API only after it."""

from __future__ import annotations

import threading
import time

from starlette.testclient import TestClient

from registry.http.app import RegistryApp
from registry.http.startup import StartupGate
from registry.log.memory import MemoryLog
from registry.records import ConfigKey, ConfigValue, encode_key, encode_value
from registry.server import ReplayStatus, build_app, starting_app
from registry.settings import Settings

from .conftest import CT, record

DEADLINE_S = 10.0


def _log_with_records(count: int) -> MemoryLog:
    log = MemoryLog()
    writes = [
        (
            encode_key(ConfigKey(f"s{i}")),
            encode_value(ConfigValue(f"s{i}", {"compatibilityLevel": "NONE"})),
        )
        for i in range(count)
    ]
    log.append(writes)
    return log


def _wait_until_ready(client: TestClient) -> None:
    deadline = time.monotonic() + DEADLINE_S
    while client.get("/health/ready").status_code != 200:
        assert time.monotonic() < deadline, "never became ready"
        threading.Event().wait(0.01)


def test_health_answers_while_replaying_and_api_waits_for_the_end() -> None:
    log = _log_with_records(5)
    release = threading.Event()

    def build(status: ReplayStatus) -> RegistryApp:
        # Hold the replay half-way, as a long replay would be.
        status.applied_offset = 2
        assert release.wait(DEADLINE_S)
        return build_app(log, Settings(), status=status)

    gate = starting_app(log, build)
    with TestClient(gate) as client:
        assert client.get("/health/live").json() == {"live": True}
        ready = client.get("/health/ready")
        assert ready.status_code == 503
        assert ready.json() == {"ready": False, "appliedOffset": 2, "targetOffset": 5}
        refused = client.get("/subjects")
        assert refused.status_code == 503
        assert refused.json()["error_code"] == 503
        assert "2 of 5" in refused.json()["message"]

        release.set()
        _wait_until_ready(client)
        assert client.get("/health/ready").json() == {
            "ready": True,
            "appliedOffset": 5,
            "targetOffset": 5,
        }
        assert client.get("/config/s3").json() == {"compatibilityLevel": "NONE"}
        created = client.post(
            "/subjects/x/versions", json={"schema": record("R", ("a", "int"))}, headers=CT
        )
        assert created.status_code == 200, created.text
        assert client.get("/health/live").status_code == 200


def test_built_app_lifespan_runs_after_the_replay() -> None:
    log = MemoryLog()
    events: list[str] = []

    def build(status: ReplayStatus) -> RegistryApp:
        app = build_app(log, Settings(), status=status)
        events.append("built")
        return app

    gate = StartupGate(build, ReplayStatus(log.end_offset()))
    with TestClient(gate) as client:
        _wait_until_ready(client)
        assert gate.ready
        assert gate.failure is None
        assert client.get("/subjects").json() == []
    assert events == ["built"]


def test_health_endpoints_take_get_and_head_only() -> None:
    log = _log_with_records(0)
    with TestClient(
        starting_app(log, lambda status: build_app(log, Settings(), status=status))
    ) as client:
        assert client.head("/health/live").status_code == 200
        refused = client.post("/health/ready")
        assert refused.status_code == 405
        assert refused.headers["allow"] == "GET, HEAD"
