"""The HTTP client over TLS: a private CA file, and a client certificate the server requires."""

from __future__ import annotations

import json
import shutil
import ssl
import subprocess
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from serdes.client import HttpRegistryClient, HttpSettings
from serdes.errors import RegistryUnavailableError

pytestmark = pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl tool")


def _self_signed(directory: Path, name: str) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 signed by its own key (it is its own CA)."""
    cert, key = directory / f"{name}.pem", directory / f"{name}.key"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )
    return cert, key


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # http.server names its handlers this way
        data = json.dumps({"schema": '"string"'}).encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def tls_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path, Path, Path]]:
    """An https server on 127.0.0.1 requiring a client certificate; yields URL and files."""
    directory = tmp_path_factory.mktemp("tls")
    server_cert, server_key = _self_signed(directory, "server")
    client_cert, client_key = _self_signed(directory, "client")
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(server_cert, server_key)
    context.verify_mode = ssl.CERT_REQUIRED
    context.load_verify_locations(client_cert)
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    httpd.socket = context.wrap_socket(httpd.socket, server_side=True)
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"https://127.0.0.1:{httpd.server_address[1]}", server_cert, client_cert, client_key
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(5)


def test_ca_file_and_client_certificate(tls_server: tuple[str, Path, Path, Path]) -> None:
    url, ca, cert, key = tls_server
    settings = HttpSettings.from_conf(
        {
            "url": url,
            "ssl.ca.location": str(ca),
            "ssl.certificate.location": str(cert),
            "ssl.key.location": str(key),
        }
    )
    assert HttpRegistryClient(settings).get_schema(1).schema_str == '"string"'


def test_an_untrusted_server_is_refused(tls_server: tuple[str, Path, Path, Path]) -> None:
    url, _ca, cert, key = tls_server
    settings = HttpSettings.from_conf(
        {
            "url": url,
            "ssl.certificate.location": str(cert),
            "ssl.key.location": str(key),
            "max.retries": 0,
        }
    )
    with pytest.raises(RegistryUnavailableError, match=r"CERTIFICATE_VERIFY_FAILED|certificate"):
        HttpRegistryClient(settings).get_schema(1)
