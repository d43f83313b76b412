"""Bearer tokens: keys from a JWKS file or URL, the issuer and audience checks, the claim."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import jwt
import pytest

from registry.security.tokens import BearerSettings, TokenVerifier
from tests.support.certs import TokenIssuer


@pytest.fixture
def issuer(tmp_path: Path) -> TokenIssuer:
    return TokenIssuer(tmp_path)


@pytest.fixture
def jwks_url(issuer: TokenIssuer) -> Iterator[str]:
    """The issuer's key set served over HTTP on 127.0.0.1."""
    body = issuer.jwks_file.read_bytes()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/jwks.json"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def test_keys_from_a_url_and_issuer_checks(issuer: TokenIssuer, jwks_url: str) -> None:
    verifier = TokenVerifier(BearerSettings(jwks_url=jwks_url, issuer="https://idp.test"))
    good = issuer.token("svc", iss="https://idp.test")
    verified = verifier.verify(good)
    assert verified is not None
    assert verified[0] == "svc"
    assert verifier.verify(issuer.token("svc", iss="https://elsewhere")) is None
    assert verifier.verify(issuer.token("svc")) is None  # no issuer at all


def test_the_principal_claim_is_configurable(issuer: TokenIssuer) -> None:
    verifier = TokenVerifier(
        BearerSettings(jwks_file=issuer.jwks_file, principal_claim="client_id")
    )
    assert verifier.verify(issuer.token("user-1", client_id="orders-app")) is not None
    assert verifier.verify(issuer.token("user-1")) is None  # the claim is missing


def test_tokens_signed_by_another_key_unsigned_or_without_exp_are_refused(
    issuer: TokenIssuer, tmp_path: Path
) -> None:
    verifier = TokenVerifier(BearerSettings(jwks_file=issuer.jwks_file))
    assert verifier.verify(issuer.token("svc")) is not None
    (tmp_path / "other").mkdir()
    stranger = TokenIssuer(tmp_path / "other")  # same key id, another key
    assert verifier.verify(stranger.token("svc")) is None
    assert (
        verifier.verify(jwt.encode({"sub": "svc", "exp": 2**40}, key="", algorithm="none")) is None
    )
    assert verifier.verify(issuer.token("svc", lifetime_s=None)) is None
