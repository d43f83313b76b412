"""Bearer tokens: JWTs signed by a configured key set; the one home of pyjwt.

The `[bearer]` table names the keys (`jwks_file`, a local JSON Web Key Set, or `jwks_url`,
fetched and cached by pyjwt), the checks (`issuer`, `audience`, `algorithms`) and the claim
that names the principal (`principal_claim`, `sub` by default). Tokens must carry `exp`.

The authentication layer remembers a verified token until its `exp` (`memo.py`), so a
client reusing its token pays one signature check, not one per request.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jwt

from registry.security.errors import AuthConfigError

DEFAULT_ALGORITHMS = ("RS256", "RS384", "RS512", "ES256", "ES384", "PS256")


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

    def __init__(self, settings: BearerSettings) -> None:
        self._settings = settings
        self._client: jwt.PyJWKClient | None = None
        self._keys: dict[str, jwt.PyJWK] = {}
        if settings.jwks_file is not None:
            self._keys = _load_jwks(settings.jwks_file)
        else:
            assert settings.jwks_url is not None
            self._client = jwt.PyJWKClient(settings.jwks_url, cache_keys=True)

    def verify(self, token: str) -> tuple[str, float] | None:
        """The token's principal and expiry (`exp`), or None when it is invalid, expired or
        lacks the claim. May block (a key-set fetch): call it from a worker thread."""
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
        return principal, float(claims["exp"])

    def _signing_key(self, token: str) -> Any:
        if self._client is not None:
            return self._client.get_signing_key_from_jwt(token).key
        kid = jwt.get_unverified_header(token).get("kid")
        if kid is None and len(self._keys) == 1:
            return next(iter(self._keys.values())).key
        return self._keys[str(kid)].key


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
