"""Who is calling: the principal a request authenticated as, and the credentials it sent.

Principal names are what ACL entries match: a user's name for HTTP basic auth, the
configured claim of a bearer token, and `cert:CN` for a client certificate (mutual TLS).
"""

from __future__ import annotations

import base64
import binascii
import enum
from dataclasses import dataclass

CERT_PREFIX = "cert:"


class Method(enum.Enum):
    """How a principal proved who it is."""

    PASSWORD = "password"
    BEARER = "bearer"
    CERTIFICATE = "certificate"


@dataclass(frozen=True, slots=True)
class Principal:
    """An authenticated caller."""

    name: str
    method: Method


@dataclass(frozen=True, slots=True)
class BasicCredentials:
    """`Authorization: Basic ...`: a user name and a password."""

    user: str
    password: str = ""

    def __repr__(self) -> str:
        return f"BasicCredentials(user={self.user!r}, password=***)"


@dataclass(frozen=True, slots=True)
class BearerCredentials:
    """`Authorization: Bearer ...`: a token."""

    token: str

    def __repr__(self) -> str:
        return "BearerCredentials(token=***)"


Credentials = BasicCredentials | BearerCredentials


class MalformedCredentialsError(ValueError):
    """The Authorization header is present but cannot be read."""


def parse_authorization(value: bytes) -> Credentials:
    """The credentials of an `Authorization` header value (Basic or Bearer, any case)."""
    scheme, _, rest = value.strip().partition(b" ")
    rest = rest.strip()
    kind = scheme.lower()
    if kind == b"basic":
        try:
            decoded = base64.b64decode(rest, validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError) as exc:
            raise MalformedCredentialsError("basic credentials are not base64 UTF-8") from exc
        user, sep, password = decoded.partition(":")
        if not sep:
            raise MalformedCredentialsError("basic credentials lack a ':'")
        return BasicCredentials(user, password)
    if kind == b"bearer" and rest:
        try:
            return BearerCredentials(rest.decode("ascii"))
        except UnicodeDecodeError as exc:
            raise MalformedCredentialsError("a bearer token must be ASCII") from exc
    raise MalformedCredentialsError("unsupported authorization scheme")


def common_name(rfc4514_name: str) -> str | None:
    """The first CN attribute of an RFC 4514 distinguished name, unescaped; None if absent."""
    for rdn in _split_unescaped(rfc4514_name, ","):
        for attribute in _split_unescaped(rdn, "+"):
            key, sep, value = attribute.partition("=")
            if sep and key.strip().upper() == "CN":
                return _unescape(value.strip())
    return None


def _split_unescaped(text: str, separator: str) -> list[str]:
    parts, current, escaped = [], [], False
    for ch in text:
        if escaped:
            current.append("\\" + ch)
            escaped = False
        elif ch == "\\":
            escaped = True
        elif ch == separator:
            parts.append("".join(current))
            current = []
        else:
            current.append(ch)
    parts.append("".join(current))
    return parts


def _unescape(value: str) -> str:
    """RFC 4514 escapes: `\\,` for a special character, `\\c3\\a9` for UTF-8 bytes."""
    out = bytearray()
    i = 0
    while i < len(value):
        ch = value[i]
        if ch == "\\" and i + 1 < len(value):
            pair = value[i + 1 : i + 3]
            if len(pair) == 2 and all(c in "0123456789abcdefABCDEF" for c in pair):
                out.append(int(pair, 16))
                i += 3
                continue
            out += value[i + 1].encode()
            i += 2
            continue
        out += ch.encode()
        i += 1
    return out.decode("utf-8", errors="replace")
