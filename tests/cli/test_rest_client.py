"""The commands' REST client against a local HTTP server: auth, path encoding, error translation."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from cli.errors import (
    EXIT_REGISTRY,
    EXIT_USAGE,
    InputError,
    RegistryFailedError,
    RegistryRefusedError,
)
from cli.rest_client import (
    ADVICE,
    Connection,
    RegistryRestClient,
    advice,
    own_config_or_mode,
    resource_path,
    segment,
)


class _Handler(BaseHTTPRequestHandler):
    """Answers by path: /ok echoes the request, /missing 404s, /boom 500s, /auth 401s."""

    def do_GET(self) -> None:
        if self.path.startswith("/ok"):
            self._reply(200, {"path": self.path, "auth": self.headers.get("Authorization")})
        elif self.path.startswith("/missing"):
            self._reply(404, {"error_code": 40401, "message": "Subject 'x' not found."})
        elif self.path.startswith("/auth"):
            self._reply(401, {"message": "Unauthorized"})
        elif self.path.startswith("/text"):
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"<html>")
        else:
            self._reply(500, {"error_code": 50001, "message": "store failed"})

    def _reply(self, status: int, body: object) -> None:
        raw = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)

    def log_message(self, format: str, *args: object) -> None:
        """Keep test output quiet."""


@pytest.fixture
def url() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def test_basic_auth_and_encoded_segments(url: str) -> None:
    client = RegistryRestClient(Connection(url=url, user="ann", password="s3cret"))
    answer = client.get(f"/ok/{segment('a/b:c d')}", {"deleted": True})
    assert answer == {"path": "/ok/a%2Fb%3Ac%20d?deleted=true", "auth": "Basic YW5uOnMzY3JldA=="}


def test_confluent_error_body_becomes_a_refusal(url: str) -> None:
    with pytest.raises(RegistryRefusedError) as caught:
        RegistryRestClient(Connection(url=url)).get("/missing")
    assert caught.value.error_code == 40401
    assert caught.value.exit_code == EXIT_USAGE
    assert "Subject 'x' not found." in caught.value.format_message()


def test_server_errors_and_bad_credentials_exit_three(url: str) -> None:
    client = RegistryRestClient(Connection(url=url))
    with pytest.raises(RegistryFailedError, match="50001") as caught:
        client.get("/boom")
    assert caught.value.exit_code == EXIT_REGISTRY
    with pytest.raises(RegistryFailedError, match="CAIRN_USER"):
        client.get("/auth")
    with pytest.raises(RegistryFailedError, match="not JSON"):
        client.get("/text")


def test_unreachable_registry(url: str) -> None:
    client = RegistryRestClient(Connection(url="http://127.0.0.1:9", timeout=2))
    with pytest.raises(RegistryFailedError, match="Cannot reach the registry"):
        client.get("/")


def test_bad_tls_files_are_a_usage_error(tmp_path: Path) -> None:
    missing = tmp_path / "none.pem"
    with pytest.raises(InputError, match="--ca-cert"):
        RegistryRestClient(Connection(url="https://127.0.0.1:9", ca_cert=missing))


def test_resource_path_is_registry_wide_or_one_encoded_subject() -> None:
    assert resource_path("config", None) == "/config"
    assert resource_path("mode", "a/b:c") == "/mode/a%2Fb%3Ac"


def test_a_scope_without_its_own_config_or_mode_has_none(url: str) -> None:
    client = RegistryRestClient(Connection(url=url))
    # The handler answers /missing with 40401 (no such subject): nothing set there.
    assert own_config_or_mode(client, "missing", None) is None
    assert own_config_or_mode(client, "ok", "s") == {"path": "/ok/s", "auth": None}
    with pytest.raises(RegistryFailedError, match="50001"):
        own_config_or_mode(client, "boom", None)


def test_advice_names_the_requests_subject_and_never_a_placeholder() -> None:
    assert advice(40402, "/subjects/orders%20value/versions/9") == (
        ". List the versions with `cairn versions 'orders value' --deleted`."
    )
    assert "orders-value" in advice(40408, "/config/orders-value")
    # Without a subject in the path, advice that needs one is left out.
    assert advice(40402, "/schemas/ids/3/versions") == ""
    for code in ADVICE:
        for path in ("/subjects/s/versions", "/schemas/ids/1", "/config"):
            assert not re.search(r"\b(SUBJECT|FILE|OLD|NEW)\b", advice(code, path))
