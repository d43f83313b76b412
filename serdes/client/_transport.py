"""Sending one HTTP request: the only place the registry client touches the network.

A transport is pluggable so tests can inject failures (refused connections, 503s, slow
answers) without patching; the default uses `http.client` from the standard library.
"""

from __future__ import annotations

import http.client
import ssl
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol
from urllib.parse import urlsplit


@dataclass(frozen=True, slots=True)
class Response:
    """An HTTP answer: status and body bytes."""

    status: int
    body: bytes


class Transport(Protocol):
    """Sends one request; raises `OSError` (or `http.client.HTTPException`) when no answer came."""

    def send(
        self,
        method: str,
        url: str,
        headers: Mapping[str, str],
        body: bytes | None,
        timeout_s: float,
    ) -> Response:
        """Send `method url` and return the answer; transport failures raise."""


@dataclass(frozen=True, slots=True)
class TlsSettings:
    """Trust and client identity for `https` URLs."""

    ca_file: str | None = None
    cert_file: str | None = None
    key_file: str | None = None
    key_password: str | None = None
    verify: bool = True

    def context(self) -> ssl.SSLContext:
        """An SSL context with these settings (system trust store when no CA file is given)."""
        context = ssl.create_default_context(cafile=self.ca_file)
        if not self.verify:
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
        if self.cert_file:
            context.load_cert_chain(self.cert_file, self.key_file, self.key_password)
        return context


class HttpClientTransport:
    """A transport over `http.client`: one connection per request, TLS from `TlsSettings`.

    Requests are rare (the cache answers almost every call), so pooling would buy little.
    """

    __slots__ = ("_context",)

    def __init__(self, tls: TlsSettings | None = None) -> None:
        self._context = (tls or TlsSettings()).context()

    def send(
        self,
        method: str,
        url: str,
        headers: Mapping[str, str],
        body: bytes | None,
        timeout_s: float,
    ) -> Response:
        """Send one request with `timeout_s` on connect and on each read."""
        parts = urlsplit(url)
        target = parts.path or "/"
        if parts.query:
            target += "?" + parts.query
        connection: http.client.HTTPConnection
        if parts.scheme == "https":
            connection = http.client.HTTPSConnection(
                parts.netloc, timeout=timeout_s, context=self._context
            )
        elif parts.scheme == "http":
            connection = http.client.HTTPConnection(parts.netloc, timeout=timeout_s)
        else:
            raise ValueError(f"unsupported URL scheme in {url!r}")
        try:
            connection.request(method, target, body=body, headers=dict(headers))
            answer = connection.getresponse()
            return Response(answer.status, answer.read())
        finally:
            connection.close()
