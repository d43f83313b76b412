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
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Protocol

from tink import aead
from tink.core import Registry
from tink.proto import aes_gcm_pb2, tink_pb2

from serdes.errors import KmsAccessDeniedError, RuleError

LOCAL_PREFIX = "local-kms://"
AWS_PREFIX = "aws-kms://"
#: Further key ids a KEK's DEKs may be wrapped with (after a KMS key rotation), comma
#: separated, in the KEK's `kmsProps` or the rule config.
ALTERNATE_KEY_IDS = "encrypt.alternate.kms.key.ids"


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


@dataclass(frozen=True, slots=True)
class KekAccess:
    """The KMS side of one KEK: wraps with its key, unwraps with its key or an alternate."""

    kek_name: str
    aeads: tuple[Aead, ...]

    def wrap(self, raw: bytes) -> bytes:
        """`raw` wrapped by the first key that can (empty associated data, as Confluent)."""
        return self._first(lambda a: a.encrypt(raw, b""))

    def unwrap(self, wrapped: bytes) -> bytes:
        """The key in `wrapped`, from the first key id that unwraps it."""
        return self._first(lambda a: a.decrypt(wrapped, b""))

    def _first(self, use: Callable[[Aead], bytes]) -> bytes:
        problem: Exception | None = None
        for candidate in self.aeads:
            try:
                return use(candidate)
            except Exception as exc:  # a wrong key: try the next key id
                problem = exc
        message = f"no KMS key of KEK {self.kek_name} could wrap or unwrap the DEK: {problem}"
        if isinstance(problem, KmsAccessDeniedError):
            raise KmsAccessDeniedError(message) from problem
        raise RuleError(message) from problem


def kek_access(
    drivers: Iterable[KmsDriver],
    conf: Mapping[str, str],
    *,
    kek_name: str,
    kms_type: str,
    kms_key_id: str,
    kms_props: Mapping[str, str],
) -> KekAccess:
    """The AEADs of a KEK: its own key id first, then the alternates.

    `conf` (a rule config, or a server's KMS settings) is overlaid by the KEK's `kmsProps`;
    the alternates come from `kmsProps`, else `conf`.
    """
    settings = {**conf, **kms_props}
    key_ids = [kms_key_id]
    alternates = kms_props.get(ALTERNATE_KEY_IDS) or conf.get(ALTERNATE_KEY_IDS)
    if alternates:
        key_ids += [k.strip() for k in alternates.split(",") if k.strip()]
    drivers = tuple(drivers)
    aeads = []
    for key_id in key_ids:
        url = f"{kms_type}://{key_id}"
        driver = next((d for d in drivers if url.startswith(d.prefix)), None)
        if driver is None:
            raise RuleError(f"no KMS driver for {kms_type} (KEK {kek_name})")
        aeads.append(driver.aead(settings, url))
    return KekAccess(kek_name, tuple(aeads))
