"""Credentials: header parsing, certificate names, and the password book's memo."""

from __future__ import annotations

import base64

import pytest

from registry.security.authentication import client_certificate_principal
from registry.security.passwords import PasswordBook, hash_password, is_password_hash
from registry.security.principals import (
    BasicCredentials,
    BearerCredentials,
    MalformedCredentialsError,
    Method,
    Principal,
    common_name,
    parse_authorization,
)


def test_authorization_headers_parse() -> None:
    encoded = base64.b64encode(b"al:ice:pa:ss").decode().encode()
    assert parse_authorization(b"Basic " + encoded) == BasicCredentials("al", "ice:pa:ss")
    assert parse_authorization(b"bearer abc.def.ghi") == BearerCredentials("abc.def.ghi")
    for bad in (b"Basic", b"Basic !!!", b"Bearer ", b"Token x", base64.b64encode(b"nocolon")):
        with pytest.raises(MalformedCredentialsError):
            parse_authorization(bad)
    assert "secret" not in repr(BasicCredentials("u", "secret"))


@pytest.mark.parametrize(
    ("name", "cn"),
    [
        ("CN=alice,O=Cairn Tests", "alice"),
        ("O=x,CN=a\\,b", "a,b"),
        ("CN=caf\\c3\\a9+UID=1", "café"),
        ("O=only", None),
    ],
)
def test_common_names_come_out_of_rfc4514_names(name: str, cn: str | None) -> None:
    assert common_name(name) == cn


def test_the_tls_extension_names_a_certificate_principal() -> None:
    scope = {"extensions": {"tls": {"client_cert_name": "CN=svc-orders,O=Cairn"}}}
    assert client_certificate_principal(scope) == Principal("cert:svc-orders", Method.CERTIFICATE)
    assert client_certificate_principal({"extensions": {"tls": {"client_cert_name": None}}}) is None
    assert client_certificate_principal({}) is None


def test_the_password_book_remembers_only_verified_credentials() -> None:
    hashed = hash_password("s3cret")
    assert is_password_hash(hashed)
    assert not is_password_hash("$argon2i$v=19$m=1,t=1,p=1$x$y")
    book = PasswordBook({"alice": hashed}, cache_size=1)
    assert not book.remembered("alice", "s3cret")
    assert not book.verify("alice", "wrong")
    assert not book.verify("bob", "s3cret")  # unknown user: checked against a dummy hash
    assert not book.remembered("alice", "wrong")
    assert book.verify("alice", "s3cret")
    assert book.remembered("alice", "s3cret")
    # A fresh book (a reload) forgets: its HMAC key is new.
    assert not PasswordBook({"alice": hashed}).remembered("alice", "s3cret")
