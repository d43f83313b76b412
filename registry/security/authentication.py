"""Who sent a request: a password, a bearer token, or a client certificate.

The `Authorization` header wins when present (and must then be valid); otherwise a client
certificate verified during the TLS handshake names the principal `cert:CN`. The
certificate reaches the app as the ASGI TLS extension (`scope["extensions"]["tls"]
["client_cert_name"]`, an RFC 4514 name), which Cairn's server protocol fills in.

A header verified before under the same config is answered from the config's memo
(`memo.py`: one keyed hash, no parsing); an argon2 check or a token's first verification
runs in a worker thread so it never stalls other requests.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

from registry.errors import UnauthorizedError
from registry.security.config import AuthConfig
from registry.security.principals import (
    CERT_PREFIX,
    BasicCredentials,
    MalformedCredentialsError,
    Method,
    Principal,
    common_name,
    parse_authorization,
)

_AUTHORIZATION = b"authorization"


def client_certificate_principal(scope: Mapping[str, Any]) -> Principal | None:
    """`cert:CN` of the client certificate the TLS handshake verified, if any."""
    tls = scope.get("extensions", {}).get("tls")
    if not tls:
        return None
    name = tls.get("client_cert_name")
    if not name:
        return None
    cn = common_name(name)
    return None if cn is None else Principal(CERT_PREFIX + cn, Method.CERTIFICATE)


async def authenticate(config: AuthConfig, scope: Mapping[str, Any]) -> Principal:
    """The request's principal under `config`; `UnauthorizedError` when there is none."""
    header = None
    for name, value in scope["headers"]:
        if name == _AUTHORIZATION:
            header = value
            break
    if header is None:
        principal = client_certificate_principal(scope)
        if principal is None:
            raise UnauthorizedError()
        return principal
    memo = config.memo
    digest = memo.digest(header)
    known = memo.get(digest)
    if known is not None:
        return known
    try:
        credentials = parse_authorization(header)
    except MalformedCredentialsError:
        raise UnauthorizedError() from None
    if isinstance(credentials, BasicCredentials):
        user, password = credentials.user, credentials.password
        if not await asyncio.to_thread(config.passwords.verify, user, password):
            raise UnauthorizedError()
        principal = Principal(user, Method.PASSWORD)
        memo.put(digest, principal)
        return principal
    tokens = config.tokens
    verified = None if tokens is None else await asyncio.to_thread(tokens.verify, credentials.token)
    if verified is None:
        raise UnauthorizedError()
    name, expires = verified
    principal = Principal(name, Method.BEARER)
    memo.put(digest, principal, expires=expires)
    return principal
