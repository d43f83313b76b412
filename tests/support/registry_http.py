"""An in-process registry reachable over real HTTP, for command-line tests.

The commands speak HTTP through their own client; a small threaded server relays each
request to the registry's ASGI app through starlette's `TestClient`, so a test gets a URL
on 127.0.0.1 without starting a `cairn serve` process.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, HTTPServer

from starlette.testclient import TestClient

#: How long to wait for the serving thread once the server is shut down.
STOP_TIMEOUT_S = 5.0


class _Bridge(BaseHTTPRequestHandler):
    """Relays each request to the registry behind `registry`."""

    registry: TestClient

    def do_GET(self) -> None:
        self._relay()

    def do_POST(self) -> None:
        self._relay()

    def do_PUT(self) -> None:
        self._relay()

    def do_DELETE(self) -> None:
        self._relay()

    def _relay(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        answer = self.registry.request(
            self.command,
            self.path,
            content=self.rfile.read(length) if length else None,
            headers={"Content-Type": self.headers.get("Content-Type", "application/json")},
        )
        self.send_response(answer.status_code)
        self.send_header("Content-Length", str(len(answer.content)))
        self.end_headers()
        self.wfile.write(answer.content)

    def log_message(self, format: str, *args: object) -> None:
        """Keep test output quiet."""


@contextmanager
def registry_over_http(registry: TestClient) -> Iterator[str]:
    """The base URL of an HTTP server on 127.0.0.1 relaying to `registry` (already started)."""
    handler = type("Bridge", (_Bridge,), {"registry": registry})
    server = HTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=STOP_TIMEOUT_S)
