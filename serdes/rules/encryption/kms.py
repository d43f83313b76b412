"""Key-encryption keys behind a KMS: the driver interface and the local driver.

A KEK names a KMS (`kmsType`) and a key in it (`kmsKeyId`); the key URL is
`<kmsType>://<kmsKeyId>`. A driver turns a key URL into an AEAD that wraps and unwraps
DEKs. `LocalKmsDriver` keeps the KEK in configuration (`secret`, else the `LOCAL_SECRET`
environment variable) and derives it the way confluent-kafka's local KMS does, so DEKs
wrapped by either client unwrap in the other: AES-128-GCM under
HKDF-SHA256(secret, no salt, no info). Good for tests and small setups, not for secrets
that matter.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from typing import Protocol

from tink import aead
from tink.core import Registry
from tink.proto import aes_gcm_pb2, tink_pb2

from serdes.errors import RuleError

LOCAL_PREFIX = "local-kms://"


class Aead(Protocol):
    """Authenticated encryption with associated data (tink's `Aead` fits)."""

    def encrypt(self, plaintext: bytes, associated_data: bytes) -> bytes:
        """The ciphertext of `plaintext`."""

    def decrypt(self, ciphertext: bytes, associated_data: bytes) -> bytes:
        """The plaintext of `ciphertext`; raises when it does not authenticate."""


class KmsDriver(Protocol):
    """Makes AEADs for the key URLs that start with `prefix`."""

    @property
    def prefix(self) -> str:
        """The key URL prefix it serves, such as `local-kms://`."""

    def aead(self, conf: Mapping[str, str], key_url: str) -> Aead:
        """The AEAD of `key_url`, configured from the rule config and the KEK's `kmsProps`."""


def _hkdf_sha256(secret: bytes, length: int) -> bytes:
    """RFC 5869 HKDF with an empty salt and empty info (what the local KMS derives)."""
    prk = hmac.new(b"\x00" * hashlib.sha256().digest_size, secret, hashlib.sha256).digest()
    out, block, counter = b"", b"", 1
    while len(out) < length:
        block = hmac.new(prk, block + bytes([counter]), hashlib.sha256).digest()
        out += block
        counter += 1
    return out[:length]


def local_kek(secret: str) -> Aead:
    """The local KMS's KEK for `secret`: AES-128-GCM (tink, raw output)."""
    key = aes_gcm_pb2.AesGcmKey(version=0, key_value=_hkdf_sha256(secret.encode("utf-8"), 16))
    key_data = tink_pb2.KeyData(
        type_url=aead.aead_key_templates.AES128_GCM_RAW.type_url,
        value=key.SerializeToString(),
        key_material_type=tink_pb2.KeyData.SYMMETRIC,
    )
    primitive: Aead = Registry.primitive(key_data, aead.Aead)
    return primitive


class LocalKmsDriver:
    """The `local-kms` driver: one KEK derived from a configured secret; key ids are ignored.

    `environ` is where `LOCAL_SECRET` is looked up when the config has no `secret` (pass
    `os.environ`, or nothing to require the config key).
    """

    __slots__ = ("_cache", "_environ")

    prefix = LOCAL_PREFIX

    def __init__(self, environ: Mapping[str, str] | None = None) -> None:
        self._environ = environ or {}
        self._cache: dict[str, Aead] = {}

    def aead(self, conf: Mapping[str, str], key_url: str) -> Aead:
        """The KEK AEAD for the configured secret (derived once per secret)."""
        secret = conf.get("secret") or self._environ.get("LOCAL_SECRET")
        if not secret:
            raise RuleError("cannot load secret: set 'secret' in the rule config or LOCAL_SECRET")
        found = self._cache.get(secret)
        if found is None:
            found = self._cache[secret] = local_kek(secret)
        return found
