"""Credentials already verified, so a known one costs a keyed hash instead of an argon2 check.

The key of an entry is a keyed BLAKE2b digest of the raw `Authorization` header under a
random per-process key: the memo holds no password or token, and since nobody outside the
process can compute the keys, the timing of its dict lookups tells an attacker nothing.
Only credentials that verified are stored, each with an expiry (a token's `exp`; never for
a password), the memo is bounded (oldest entries go first), and each loaded auth config has
its own, so a reload forgets every credential at once. It is used from the event loop only.
"""

from __future__ import annotations

import hashlib
import math
import secrets
import time

from registry.security.principals import Principal

#: Verified credentials kept per auth config.
MEMO_SIZE = 4096


class CredentialMemo:
    """Keyed digests of verified `Authorization` headers → their principal and expiry."""

    def __init__(self, size: int = MEMO_SIZE) -> None:
        self._key = secrets.token_bytes(32)
        self._size = size
        self._entries: dict[bytes, tuple[Principal, float]] = {}

    def digest(self, header: bytes) -> bytes:
        """The memo key of an `Authorization` header value."""
        return hashlib.blake2b(header, key=self._key, digest_size=32).digest()

    def get(self, digest: bytes) -> Principal | None:
        """The principal remembered for `digest`, unless unknown or expired."""
        entry = self._entries.get(digest)
        if entry is None:
            return None
        principal, expires = entry
        if expires <= time.time():
            del self._entries[digest]
            return None
        return principal

    def put(self, digest: bytes, principal: Principal, *, expires: float = math.inf) -> None:
        """Remember a verified credential until `expires` (seconds since the epoch)."""
        if digest not in self._entries and len(self._entries) >= self._size:
            del self._entries[next(iter(self._entries))]
        self._entries[digest] = (principal, expires)
