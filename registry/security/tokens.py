"""Bearer tokens: JWTs signed by a configured key set; the one home of pyjwt.

The `[bearer]` table names the keys (`jwks_file`, a local JSON Web Key Set, or `jwks_url`,
fetched and cached by pyjwt), the checks (`issuer`, `audience`, `algorithms`) and the claim
that names the principal (`principal_claim`, `sub` by default). Tokens must carry `exp`.

A verified token is remembered until it expires (keyed by an HMAC under a per-process key,
bounded), so a client reusing its token pays one signature check, not one per request.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jwt

from registry.security.errors import AuthConfigError

DEFAULT_ALGORITHMS = ("RS256", "RS384", "RS512", "ES256", "ES384", "PS256")
CACHE_SIZE = 4096


@dataclass(frozen=True, slots=True, kw_only=True)
class BearerSettings:
    """The `[bearer]` table of the auth config."""

    jwks_file: Path | None = None
    jwks_url: str | None = None
    issuer: str | None = None
    audience: str | None = None
    principal_claim: str = "sub"
    algorithms: tuple[str, ...] = DEFAULT_ALGORITHMS

    def __post_init__(self) -> None:
        if (self.jwks_file is None) == (self.jwks_url is None):
            raise AuthConfigError("[bearer] needs exactly one of jwks_file and jwks_url")
        if not self.algorithms or any(a.upper().startswith("HS") for a in self.algorithms):
            raise AuthConfigError("[bearer] algorithms must be public-key algorithms")


class TokenVerifier:
    """Checks bearer tokens against the configured keys and claims."""

    def __init__(self, settings: BearerSettings, *, cache_size: int = CACHE_SIZE) -> None:
        self._settings = settings
        self._client: jwt.PyJWKClient | None = None
        self._keys: dict[str, jwt.PyJWK] = {}
        if settings.jwks_file is not None:
            self._keys = _load_jwks(settings.jwks_file)
        else:
            assert settings.jwks_url is not None
            self._client = jwt.PyJWKClient(settings.jwks_url, cache_keys=True)
        self._key = secrets.token_bytes(32)
        self._verified: OrderedDict[bytes, tuple[str, float]] = OrderedDict()
        self._cache_size = cache_size
        self._lock = threading.Lock()

    def remembered(self, token: str) -> str | None:
        """The principal of a token verified before and not yet expired (cheap)."""
        key = self._key_of(token)
        with self._lock:
            found = self._verified.get(key)
            if found is None:
                return None
            principal, expires = found
            if time.time() >= expires:
                del self._verified[key]
                return None
            self._verified.move_to_end(key)
            return principal

    def verify(self, token: str) -> str | None:
        """The token's principal, or None when it is invalid, expired or lacks the claim.
        May block (a key-set fetch): call it from a worker thread."""
        known = self.remembered(token)
        if known is not None:
            return known
        settings = self._settings
        try:
            claims = jwt.decode(
                token,
                self._signing_key(token),
                algorithms=list(settings.algorithms),
                audience=settings.audience,
                issuer=settings.issuer,
                options={"require": ["exp"], "verify_aud": settings.audience is not None},
            )
        except (jwt.PyJWTError, KeyError, ValueError):
            return None
        principal = claims.get(settings.principal_claim)
        if not isinstance(principal, str) or not principal:
            return None
        with self._lock:
            self._verified[self._key_of(token)] = (principal, float(claims["exp"]))
            if len(self._verified) > self._cache_size:
                self._verified.popitem(last=False)
        return principal

    def _signing_key(self, token: str) -> Any:
        if self._client is not None:
            return self._client.get_signing_key_from_jwt(token).key
        kid = jwt.get_unverified_header(token).get("kid")
        if kid is None and len(self._keys) == 1:
            return next(iter(self._keys.values())).key
        return self._keys[str(kid)].key

    def _key_of(self, token: str) -> bytes:
        return hmac.new(self._key, token.encode(), hashlib.sha256).digest()


def _load_jwks(path: Path) -> dict[str, jwt.PyJWK]:
    try:
        data = json.loads(path.read_text())
        key_set = jwt.PyJWKSet.from_dict(data)
    except (OSError, ValueError, jwt.PyJWTError) as exc:
        raise AuthConfigError(f"cannot load the key set {path}: {exc}") from exc
    keys: dict[str, jwt.PyJWK] = {}
    for index, key in enumerate(key_set.keys):
        keys[str(key.key_id) if key.key_id is not None else f"#{index}"] = key
    return keys
