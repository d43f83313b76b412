"""Worker processes over one data directory, run here as two apps in one process: one
writes the log, the other follows it and hands its writes over the local socket."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from starlette.testclient import TestClient

import registry.workers
from registry.http.writer_channel import socket_path
from registry.log.file import FileLog, SharedFileLog
from registry.settings import Settings
from registry.telemetry import Telemetry
from registry.workers import build_worker_app

CT = {"Content-Type": "application/vnd.schemaregistry.v1+json"}
WAIT_S = 10.0


def wait_for(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + WAIT_S
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.01)


class Worker:
    """One worker's app, served by a TestClient (its own event loop, in its own thread)."""

    def __init__(self, data_dir: Path) -> None:
        self.log = SharedFileLog.open(data_dir)
        self.telemetry = Telemetry()
        app = build_worker_app(
            self.log,
            Settings(data_dir=data_dir),
            socket_path(data_dir),
            telemetry=self.telemetry,
            ui=True,
        )
        self.client = TestClient(app)
        self.client.__enter__()

    def stop(self) -> None:
        self.client.__exit__(None, None, None)


@pytest.fixture
def workers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Worker, Worker]]:
    """A writer and a reader; the reader's background follower is made too slow to matter,
    so what it shows right after a write it forwarded is what the write made it apply."""
    monkeypatch.setattr(registry.workers, "FOLLOW_EVERY_S", 3600.0)
    data_dir = tmp_path / "data"
    writer = Worker(data_dir)
    reader = Worker(data_dir)
    started = [writer, reader]
    try:
        assert writer.log.is_writer
        assert not reader.log.is_writer
        wait_for(socket_path(data_dir).exists, "the writer's socket")
        yield writer, reader
    finally:
        for worker in started:
            worker.stop()


def register(client: TestClient, subject: str, schema: str) -> dict[str, object]:
    response = client.post(f"/subjects/{subject}/versions", json={"schema": schema}, headers=CT)
    assert response.status_code == 200, response.text
    body: dict[str, object] = response.json()
    return body


def test_a_write_to_a_reader_is_made_by_the_writer_and_read_back_at_once(
    workers: tuple[Worker, Worker],
) -> None:
    writer, reader = workers
    for n in range(5):
        registered = register(
            reader.client, f"ryw-{n}-value", f'{{"type":"fixed","name":"F","size":{n + 1}}}'
        )
        latest = reader.client.get(f"/subjects/ryw-{n}-value/versions/latest")
        assert latest.status_code == 200, latest.text
        assert latest.json()["id"] == registered["id"]
        assert writer.client.get(f"/schemas/ids/{registered['id']}").status_code == 200
    assert reader.telemetry.forwarded_requests == 5
    assert writer.telemetry.forwarded_requests == 0
    assert writer.log.end_offset() == reader.log.end_offset()


def test_every_worker_serves_the_ui(
    workers: tuple[Worker, Worker],
) -> None:
    _, reader = workers
    register(reader.client, "ui-value", '"string"')  # applied by both at once
    for worker in workers:
        page = worker.client.get("/ui/subjects")
        assert page.status_code == 200
        assert "ui-value" in page.text


def test_an_error_from_the_writer_is_passed_back_as_it_is(workers: tuple[Worker, Worker]) -> None:
    _, reader = workers
    response = reader.client.post(
        "/subjects/bad-value/versions", json={"schema": "{not json"}, headers=CT
    )
    assert response.status_code == 422
    assert response.json()["error_code"] == 42201
    assert "x-request-id" in response.headers


def test_a_reader_takes_the_writes_over_when_the_writer_stops(
    workers: tuple[Worker, Worker],
) -> None:
    writer, reader = workers
    first = register(reader.client, "takeover-value", '"string"')
    writer.stop()
    wait_for(lambda: reader.log.is_writer, "the reader to take the writes over")
    second = register(reader.client, "takeover-2-value", '"int"')
    assert second["id"] != first["id"]
    assert reader.client.get("/subjects").json() == ["takeover-2-value", "takeover-value"]


def test_a_write_waits_for_a_writer_to_listen(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    # Another process holds the lock but does not listen yet (it is starting).
    holder = FileLog.open(data_dir)
    reader = Worker(data_dir)
    try:
        with ThreadPoolExecutor(max_workers=1) as pool:
            pending = pool.submit(register, reader.client, "waiting-value", '"string"')
            wait_for(lambda: reader.telemetry.forwarded_requests == 1, "the write to be handed on")
            assert not pending.done()
            # The holder goes; the reader takes the writes over and its own socket answers.
            holder.close()
            assert pending.result(timeout=WAIT_S)["version"] == 1
        assert reader.log.is_writer
    finally:
        reader.stop()
        holder.close()
