"""Users and their argon2id password hashes; the one home of argon2-cffi.

An argon2id check costs tens of milliseconds on purpose, which a registry cannot pay on
every request. `PasswordBook` therefore remembers credentials it has verified: the key is
an HMAC-SHA256 of the user and password under a random per-process key, so the memo holds
no password and its dict lookups reveal nothing an attacker can steer (they cannot compute
the keys). Only successes are remembered, the memo is bounded, and a reload builds a new
book, so a changed or removed password stops working at once.

Checks take the same time whether or not the user exists: an unknown user is verified
against a dummy hash of the same parameters.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
from collections import OrderedDict
from collections.abc import Mapping

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

#: Verified credentials kept per process (least recently used dropped first).
CACHE_SIZE = 4096

_HASHER = PasswordHasher()


def hash_password(password: str) -> str:
    """An argon2id hash of `password` with argon2-cffi's recommended parameters."""
    return _HASHER.hash(password)


def is_password_hash(text: str) -> bool:
    """Whether `text` is an argon2id hash string this module can verify."""
    if not text.startswith("$argon2id$"):
        return False
    try:
        _HASHER.check_needs_rehash(text)
    except (InvalidHashError, ValueError):
        return False
    return True


class PasswordBook:
    """The configured users; verifies passwords and remembers the ones that matched."""

    def __init__(self, hashes: Mapping[str, str], *, cache_size: int = CACHE_SIZE) -> None:
        self._hashes = dict(hashes)
        self._dummy = hash_password(secrets.token_hex(16))
        self._key = secrets.token_bytes(32)
        self._verified: OrderedDict[bytes, str] = OrderedDict()
        self._cache_size = cache_size
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._hashes)

    def remembered(self, user: str, password: str) -> bool:
        """Whether these credentials were verified before (cheap; no argon2 hash)."""
        key = self._key_of(user, password)
        with self._lock:
            if self._verified.get(key) != user:
                return False
            self._verified.move_to_end(key)
            return True

    def verify(self, user: str, password: str) -> bool:
        """Whether `password` is `user`'s (an argon2 check unless remembered). Blocking:
        call it from a worker thread."""
        if self.remembered(user, password):
            return True
        stored = self._hashes.get(user)
        try:
            ok = _HASHER.verify(stored or self._dummy, password) and stored is not None
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            ok = False
        if ok:
            key = self._key_of(user, password)
            with self._lock:
                self._verified[key] = user
                if len(self._verified) > self._cache_size:
                    self._verified.popitem(last=False)
        return ok

    def _key_of(self, user: str, password: str) -> bytes:
        message = user.encode() + b"\x00" + password.encode()
        return hmac.new(self._key, message, hashlib.sha256).digest()
