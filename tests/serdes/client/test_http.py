"""The HTTP client against a scripted local server and an injected failing transport."""

from __future__ import annotations

import base64
import json
import socket
import threading
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from serdes.client import (
    HttpRegistryClient,
    HttpSettings,
    Response,
    Schema,
    SchemaReference,
    registry_client,
)
from serdes.errors import (
    RegistryUnavailableError,
    SchemaRegistryError,
    SerdesConfigError,
    UnknownSchemaIdError,
    UnknownSubjectError,
)


@dataclass
class Seen:
    """One request the server received."""

    method: str
    path: str
    headers: dict[str, str]
    body: Any


@dataclass
class Script:
    """Answers in order (the last one repeats) and the requests seen."""

    answers: list[tuple[int, Any]] = field(default_factory=list)
    seen: list[Seen] = field(default_factory=list)

    def next(self) -> tuple[int, Any]:
        return self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]


def _handler(script: Script) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            script.seen.append(
                Seen(self.command, self.path, dict(self.headers), json.loads(raw) if raw else None)
            )
            status, body = script.next()
            data = body if isinstance(body, bytes) else json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/vnd.schemaregistry.v1+json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = _answer  # noqa: N815 (http.server's method names)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


@pytest.fixture
def server() -> Iterator[tuple[str, Script]]:
    script = Script()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(script))
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}", script
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(5)


def _client(url: str, **conf: object) -> tuple[HttpRegistryClient, list[float]]:
    sleeps: list[float] = []
    settings = HttpSettings.from_conf({"url": url, **conf})
    return HttpRegistryClient(settings, sleep=sleeps.append, jitter=lambda: 1.0), sleeps


def test_register_sends_confluents_request(server: tuple[str, Script]) -> None:
    url, script = server
    script.answers = [(200, {"id": 7})]
    client, _ = _client(url, **{"basic.auth.user.info": "fred:secret"})
    schema = Schema('{"type":"string"}', "JSON", (SchemaReference("a.json", "a", 2),))
    registered = client.register_schema("orders/value", schema, normalize=True)
    assert (registered.schema_id, registered.subject, registered.schema) == (
        7,
        "orders/value",
        schema,
    )
    seen = script.seen[0]
    assert (seen.method, seen.path) == ("POST", "/subjects/orders%2Fvalue/versions?normalize=true")
    assert seen.body == {
        "schema": '{"type":"string"}',
        "schemaType": "JSON",
        "references": [{"name": "a.json", "subject": "a", "version": 2}],
    }
    assert seen.headers["Content-Type"] == "application/vnd.schemaregistry.v1+json"
    assert seen.headers["Authorization"] == "Basic " + base64.b64encode(b"fred:secret").decode()


def test_reads_parse_schema_entities(server: tuple[str, Script]) -> None:
    url, script = server
    script.answers = [
        (200, {"schema": '"int"'}),
        (200, {"subject": "s", "version": 3, "id": 9, "schema": '"long"'}),
    ]
    client, _ = _client(url, **{"bearer.auth.token": "tok"})
    assert client.get_schema(5, subject="s") == Schema('"int"', "AVRO")
    latest = client.get_latest_with_metadata("s", {"app": "x"})
    assert (latest.schema_id, latest.version, latest.schema.schema_str) == (9, 3, '"long"')
    assert script.seen[0].path == "/schemas/ids/5?subject=s"
    assert script.seen[1].path == "/subjects/s/metadata?key=app&value=x"
    assert script.seen[1].headers["Authorization"] == "Bearer tok"


def test_confluent_error_bodies_become_typed_errors(server: tuple[str, Script]) -> None:
    url, script = server
    client, sleeps = _client(url)
    script.answers = [(404, {"error_code": 40403, "message": "Schema 5 not found"})]
    with pytest.raises(UnknownSchemaIdError) as unknown:
        client.get_schema(5)
    assert (unknown.value.status, unknown.value.error_code) == (404, 40403)
    script.answers = [(404, {"error_code": 40401, "message": "Subject 's' not found."})]
    with pytest.raises(UnknownSubjectError, match="Subject 's' not found"):
        client.lookup_schema("s", Schema('"int"'))
    script.answers = [(422, {"error_code": 42201, "message": "Invalid schema"})]
    with pytest.raises(SchemaRegistryError) as invalid:
        client.register_schema("s", Schema('"int"'))
    assert invalid.value.error_code == 42201
    script.answers = [(409, b"not json")]
    with pytest.raises(SchemaRegistryError) as unparsable:
        client.register_schema("s", Schema('"int"'))
    assert unparsable.value.error_code == -1
    assert sleeps == []  # client errors are never retried


def test_5xx_is_retried_with_exponential_backoff(server: tuple[str, Script]) -> None:
    url, script = server
    script.answers = [(503, {"error_code": 50003, "message": "busy"})] * 2 + [(200, {"id": 1})]
    client, sleeps = _client(url, **{"retries.wait.ms": 100, "retries.max.wait.ms": 1000})
    assert client.register_schema("s", Schema('"int"')).schema_id == 1
    assert len(script.seen) == 3
    assert sleeps == [0.1, 0.2]


def test_retries_are_bounded_then_unavailable(server: tuple[str, Script]) -> None:
    url, script = server
    script.answers = [(500, {"error_code": 50001, "message": "store error"})]
    client, sleeps = _client(url, **{"max.retries": 2, "retries.wait.ms": 100})
    with pytest.raises(RegistryUnavailableError) as info:
        client.get_schema(1)
    assert info.value.retryable
    assert info.value.status == 500
    assert len(script.seen) == 3
    assert sleeps == [0.1, 0.2]


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def test_a_dead_registry_fails_fast_with_a_retryable_error() -> None:
    url = f"http://127.0.0.1:{_closed_port()}"
    client, sleeps = _client(url, **{"max.retries": 3, "timeout": 2})
    with pytest.raises(RegistryUnavailableError, match="unavailable") as info:
        client.get_schema(1)
    assert info.value.status is None
    assert len(sleeps) == 3


def test_the_next_url_is_tried_after_the_first_gives_up(server: tuple[str, Script]) -> None:
    url, script = server
    script.answers = [(200, {"schema": '"int"'})]
    dead = f"http://127.0.0.1:{_closed_port()}"
    client, _ = _client(f"{dead},{url}", **{"max.retries": 1})
    assert client.get_schema(3).schema_str == '"int"'


class _SlowTransport:
    """Never answers in time: every send times out, as a hung registry would."""

    def __init__(self) -> None:
        self.timeouts: list[float] = []

    def send(
        self,
        method: str,
        url: str,
        headers: Mapping[str, str],
        body: bytes | None,
        timeout_s: float,
    ) -> Response:
        self.timeouts.append(timeout_s)
        raise TimeoutError("timed out")


def test_timeouts_are_passed_down_and_bounded() -> None:
    transport = _SlowTransport()
    settings = HttpSettings(("http://registry.invalid",), timeout_s=0.5, max_retries=2)
    client = HttpRegistryClient(settings, transport=transport, sleep=lambda _s: None)
    started = time.monotonic()
    with pytest.raises(RegistryUnavailableError, match="TimeoutError"):
        client.get_schema(1)
    assert transport.timeouts == [0.5, 0.5, 0.5]
    assert time.monotonic() - started < 5


@pytest.mark.parametrize(
    "conf",
    [
        {},
        {"url": "ftp://x"},
        {"url": "http://x", "unknown.key": 1},
        {"url": "http://x", "basic.auth.user.info": "no-colon"},
        {"url": "http://x", "basic.auth.user.info": "a:b", "bearer.auth.token": "t"},
        {"url": "http://x", "timeout": "slow"},
        {"url": "http://x", "timeout": 0},
    ],
)
def test_bad_settings_are_rejected(conf: dict[str, object]) -> None:
    with pytest.raises(SerdesConfigError):
        HttpSettings.from_conf(conf)


def test_registry_client_builds_a_cached_client(server: tuple[str, Script]) -> None:
    url, script = server
    script.answers = [(200, {"schema": '"int"'})]
    client = registry_client({"url": url})
    for _ in range(5):
        assert client.get_schema(4).schema_str == '"int"'
    assert len(script.seen) == 1


def test_version_latest_and_guid_reads(server: tuple[str, Script]) -> None:
    url, script = server
    entity = {"subject": "s/x", "version": 2, "id": 4, "schema": '"int"', "guid": "a-b"}
    script.answers = [(200, entity)]
    client, _ = _client(url)
    assert client.get_version("s/x", 2).version == 2
    assert client.get_latest_version("s/x").schema_id == 4
    assert client.get_schema_by_guid("a-b").schema_str == '"int"'
    assert client.lookup_schema("s/x", Schema('"int"')).guid == "a-b"
    assert [s.path for s in script.seen] == [
        "/subjects/s%2Fx/versions/2?deleted=true",
        "/subjects/s%2Fx/versions/latest",
        "/schemas/guids/a-b",
        "/subjects/s%2Fx?normalize=false",
    ]


def test_credentials_in_the_url_become_basic_auth(server: tuple[str, Script]) -> None:
    url, script = server
    script.answers = [(200, {"schema": '"int"'})]
    with_user = url.replace("http://", "http://fr%40ed:se:cret@")
    settings = HttpSettings.from_conf({"url": with_user + "/"})
    assert settings.urls == (url,)
    HttpRegistryClient(settings).get_schema(1)
    expected = "Basic " + base64.b64encode(b"fr@ed:se:cret").decode()
    assert script.seen[0].headers["Authorization"] == expected
