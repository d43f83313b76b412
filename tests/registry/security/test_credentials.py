"""Credentials: header parsing, certificate names, and the password book's memo."""

from __future__ import annotations

import base64
import time

import pytest

from registry.security.authentication import client_certificate_principal
from registry.security.memo import CredentialMemo
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


def test_the_password_book_checks_argon2id_hashes() -> None:
    hashed = hash_password("s3cret")
    assert is_password_hash(hashed)
    assert not is_password_hash("$argon2i$v=19$m=1,t=1,p=1$x$y")
    book = PasswordBook({"alice": hashed})
    assert book.verify("alice", "s3cret")
    assert not book.verify("alice", "wrong")
    assert not book.verify("bob", "s3cret")  # unknown user: checked against a dummy hash


def test_the_memo_keeps_verified_credentials_until_they_expire() -> None:
    memo = CredentialMemo(size=2)
    alice, bob, carol = (Principal(n, Method.PASSWORD) for n in ("alice", "bob", "carol"))
    digest = memo.digest(b"Basic YWxpY2U6eA==")
    assert digest != CredentialMemo().digest(b"Basic YWxpY2U6eA==")  # keyed per memo
    assert memo.get(digest) is None
    memo.put(digest, alice)
    assert memo.get(digest) == alice
    memo.put(memo.digest(b"bob"), bob, expires=time.time() - 1)
    assert memo.get(memo.digest(b"bob")) is None  # expired
    memo.put(memo.digest(b"bob"), bob)
    memo.put(memo.digest(b"carol"), carol)  # full: the oldest entry goes
    assert memo.get(digest) is None
    assert memo.get(memo.digest(b"carol")) == carol
