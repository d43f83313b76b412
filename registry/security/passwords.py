"""Users and their argon2id password hashes; the one home of argon2-cffi.

An argon2id check costs tens of milliseconds on purpose, which a registry cannot pay on
every request: the authentication layer remembers verified credentials (`memo.py`), so a
client pays it once per password per loaded config.

Checks take the same time whether or not the user exists: an unknown user is verified
against a dummy hash of the same parameters, and argon2 compares digests in constant time.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

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
    """The configured users; verifies their passwords."""

    def __init__(self, hashes: Mapping[str, str]) -> None:
        self._hashes = dict(hashes)
        self._dummy = hash_password(secrets.token_hex(16))

    def __len__(self) -> int:
        return len(self._hashes)

    def verify(self, user: str, password: str) -> bool:
        """Whether `password` is `user`'s. Slow on purpose and blocking: call it from a
        worker thread."""
        stored = self._hashes.get(user)
        try:
            ok = _HASHER.verify(stored or self._dummy, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False
        return ok and stored is not None
