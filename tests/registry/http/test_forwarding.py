"""`LeaderGate` on a follower: what reaches the leader, what comes back, and what stays local.

The leader is a small recording HTTP server on 127.0.0.1 started by each test; the gate wraps
the real registry app over an in-memory log, so requests that are not forwarded get real
answers from this node.
"""

from __future__ import annotations

import http.server
import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from starlette.testclient import TestClient

from registry.http.forwarding import FORWARDED_HEADER, LEADER_PATH, LeaderGate
from registry.log.memory import MemoryLog
from registry.server import build_app
from registry.settings import Settings

CT = "application/vnd.schemaregistry.v1+json"
SCHEMA = json.dumps({"type": "record", "name": "Fw", "fields": [{"name": "a", "type": "int"}]})
#: What the recording leader answers to every request: an unusual status, type and body, so
#: the test can tell they were passed back as they are.
LEADER_STATUS = 422
LEADER_TYPE = "application/x-leader-answer"
LEADER_BODY = b'{"error_code":42201,"message":"from the leader"}'
#: The gate's forwarding timeout; a refused connection must fail long before it.
FORWARD_TIMEOUT_S = 60.0
MARKER = FORWARDED_HEADER.decode()


@dataclass(frozen=True, slots=True)
class Received:
    """One request as the leader saw it."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass(slots=True)
class Recorder:
    """The requests the recording leader received, shared with its handler threads."""

    requests: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, received: Received) -> None:
        """Keep one request."""
        with self.lock:
            self.requests.append(received)

    def taken(self) -> list[Received]:
        """A copy of the requests so far."""
        with self.lock:
            return list(self.requests)


def recording_handler(recorder: Recorder) -> type[http.server.BaseHTTPRequestHandler]:
    """A handler class that records every request and answers the fixed leader reply."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def _answer(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            headers = {key.lower(): value for key, value in self.headers.items()}
            recorder.add(Received(self.command, self.path, headers, body))
            self.send_response(LEADER_STATUS)
            self.send_header("Content-Type", LEADER_TYPE)
            self.send_header("Content-Length", str(len(LEADER_BODY)))
            self.end_headers()
            self.wfile.write(LEADER_BODY)

        def do_GET(self) -> None:
            self._answer()

        def do_POST(self) -> None:
            self._answer()

        def do_PUT(self) -> None:
            self._answer()

        def do_DELETE(self) -> None:
            self._answer()

        def log_message(self, format: str, *args: object) -> None:
            """Keep the test output quiet."""

    return Handler


@dataclass(frozen=True, slots=True)
class Leader:
    """The running recording leader."""

    url: str
    recorder: Recorder


@pytest.fixture
def leader() -> Iterator[Leader]:
    """A recording HTTP server on 127.0.0.1 in a thread, shut down after the test."""
    recorder = Recorder()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), recording_handler(recorder))
    thread = threading.Thread(target=server.serve_forever, name="recording-leader", daemon=True)
    thread.start()
    host, port = server.server_address[:2]
    try:
        yield Leader(f"http://{host!s}:{port}", recorder)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@dataclass(slots=True)
class StubLeadership:
    """A fixed answer to who leads."""

    url: str | None
    leading: bool = False
    office_term: int = 1

    @property
    def is_leader(self) -> bool:
        """Whether this node leads."""
        return self.leading

    @property
    def term(self) -> int:
        """The term of office (fixed)."""
        return self.office_term

    def leader_url(self) -> str | None:
        """The configured leader URL."""
        return self.url


GateFactory = Callable[..., TestClient]


@pytest.fixture
def make_gate() -> Iterator[GateFactory]:
    """Start test clients over gated apps (the real app on a memory log), closed afterwards."""
    clients: list[TestClient] = []

    def build(leadership: StubLeadership, **settings: Any) -> TestClient:
        app = build_app(MemoryLog(), Settings(**settings))
        gate = LeaderGate(app, leadership, timeout_s=FORWARD_TIMEOUT_S)
        client = TestClient(gate)
        client.__enter__()
        clients.append(client)
        return client

    yield build
    for client in clients:
        client.__exit__(None, None, None)


def closed_port() -> int:
    """A port on 127.0.0.1 that nothing listens on (bound, then released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def test_forwarded_write_carries_the_callers_headers(
    leader: Leader, make_gate: GateFactory
) -> None:
    client = make_gate(StubLeadership(leader.url))
    body = json.dumps({"schema": SCHEMA}).encode()
    response = client.post(
        "/subjects/fw-headers-value/versions?normalize=true",
        content=body,
        headers={
            "Content-Type": CT,
            "Authorization": "Basic dXNlcjpzZWNyZXQ=",
            "X-Request-Id": "req-123",
            "Accept": CT,
            "Connection": "keep-alive",
        },
    )
    [received] = leader.recorder.taken()
    assert received.method == "POST"
    assert received.path == "/subjects/fw-headers-value/versions?normalize=true"
    assert received.body == body
    assert received.headers["authorization"] == "Basic dXNlcjpzZWNyZXQ="
    assert received.headers["x-request-id"] == "req-123"
    assert received.headers["content-type"] == CT
    assert received.headers["accept"] == CT
    assert received.headers[MARKER] == "1"
    # Hop-by-hop and recomputed headers are the forwarding client's own, not the caller's.
    assert received.headers["host"] == leader.url.removeprefix("http://")
    assert received.headers["content-length"] == str(len(body))
    assert received.headers.get("connection") != "keep-alive"
    # The leader's answer comes back as it is.
    assert response.status_code == LEADER_STATUS
    assert response.headers["content-type"] == LEADER_TYPE
    assert response.content == LEADER_BODY
    assert response.headers["x-request-id"] == "req-123"


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("PUT", "/config/fw-put-value"),
        ("DELETE", "/subjects/fw-delete-value"),
        ("DELETE", "/subjects/fw-delete-value/versions/1?permanent=true"),
        ("PUT", "/mode"),
    ],
)
def test_every_write_method_is_forwarded(
    leader: Leader, make_gate: GateFactory, method: str, path: str
) -> None:
    client = make_gate(StubLeadership(leader.url))
    content = b'{"compatibility":"NONE"}' if method == "PUT" else b""
    response = client.request(method, path, content=content, headers={"Content-Type": CT})
    [received] = leader.recorder.taken()
    assert (received.method, received.path, received.body) == (method, path, content)
    # Without the caller's id the follower makes one: the leader logs it, the caller gets it.
    assert received.headers["x-request-id"] == response.headers["x-request-id"]
    assert response.status_code == LEADER_STATUS
    assert response.content == LEADER_BODY


def test_read_only_posts_and_reads_stay_local(leader: Leader, make_gate: GateFactory) -> None:
    client = make_gate(StubLeadership(leader.url))
    body = {"schema": SCHEMA}
    lookup = client.post("/subjects/fw-local-value", json=body, headers={"Content-Type": CT})
    check = client.post(
        "/compatibility/subjects/fw-local-value/versions/latest",
        json=body,
        headers={"Content-Type": CT},
    )
    listing = client.get("/subjects")
    assert leader.recorder.taken() == []
    # This node's own answers: the subject is unknown here.
    assert lookup.status_code == 404
    assert lookup.json()["error_code"] == 40401
    assert check.status_code == 200
    assert check.json()["is_compatible"] is True
    assert listing.status_code == 200
    assert listing.json() == []


def test_unreachable_leader_answers_50003_without_waiting_for_the_timeout(
    make_gate: GateFactory,
) -> None:
    client = make_gate(StubLeadership(f"http://127.0.0.1:{closed_port()}"))
    started = time.monotonic()
    response = client.post(
        "/subjects/fw-down-value/versions", json={"schema": SCHEMA}, headers={"Content-Type": CT}
    )
    elapsed = time.monotonic() - started
    assert response.status_code == 500
    assert response.json()["error_code"] == 50003
    # A refused connection fails at once; only a hung leader waits for the timeout.
    assert elapsed < FORWARD_TIMEOUT_S / 2


def test_no_leader_answers_50004(make_gate: GateFactory) -> None:
    client = make_gate(StubLeadership(None))
    response = client.post(
        "/subjects/fw-none-value/versions", json={"schema": SCHEMA}, headers={"Content-Type": CT}
    )
    assert response.status_code == 500
    assert response.json()["error_code"] == 50004
    assert response.headers["x-request-id"]


def test_a_forwarded_request_is_not_forwarded_again(leader: Leader, make_gate: GateFactory) -> None:
    client = make_gate(StubLeadership(leader.url))
    response = client.post(
        "/subjects/fw-twice-value/versions",
        json={"schema": SCHEMA},
        headers={"Content-Type": CT, MARKER: "1"},
    )
    assert leader.recorder.taken() == []
    assert response.status_code == 500
    assert response.json()["error_code"] == 50004


def test_the_leader_writes_locally(leader: Leader, make_gate: GateFactory) -> None:
    client = make_gate(StubLeadership(leader.url, leading=True))
    response = client.post(
        "/subjects/fw-lead-value/versions", json={"schema": SCHEMA}, headers={"Content-Type": CT}
    )
    assert leader.recorder.taken() == []
    assert response.status_code == 200
    assert client.get("/subjects").json() == ["fw-lead-value"]


def test_leader_path_describes_the_leader(leader: Leader, make_gate: GateFactory) -> None:
    client = make_gate(StubLeadership(leader.url))
    response = client.get(LEADER_PATH)
    assert response.json() == {"leader": leader.url, "isLeader": False}
    assert leader.recorder.taken() == []


def test_a_chunked_body_is_forwarded_whole_with_its_length(
    leader: Leader, make_gate: GateFactory
) -> None:
    client = make_gate(StubLeadership(leader.url))
    body = json.dumps({"schema": SCHEMA}).encode()
    chunks = iter([body[:10], body[10:]])
    response = client.post(
        "/subjects/fw-chunked-value/versions", content=chunks, headers={"Content-Type": CT}
    )
    [received] = leader.recorder.taken()
    assert received.body == body
    assert "transfer-encoding" not in received.headers
    assert received.headers["content-length"] == str(len(body))
    assert response.status_code == LEADER_STATUS


def test_a_follower_refuses_a_body_over_the_limit_without_forwarding_it(
    leader: Leader, make_gate: GateFactory
) -> None:
    client = make_gate(StubLeadership(leader.url), max_request_bytes=64)
    body = json.dumps({"schema": SCHEMA}).encode()
    assert len(body) > 64
    declared = client.post(
        "/subjects/fw-big-value/versions", content=body, headers={"Content-Type": CT}
    )
    chunked = client.post(
        "/subjects/fw-big-value/versions",
        content=iter([body[:40], body[40:]]),
        headers={"Content-Type": CT},
    )
    assert leader.recorder.taken() == []
    for response in (declared, chunked):
        assert response.status_code == 413
        assert response.json()["error_code"] == 413
