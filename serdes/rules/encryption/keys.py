"""DEKs of the ENCRYPT and ENCRYPT_PAYLOAD rules: found or made in the DEK registry, cached.

Both rules encrypt bytes the same way, so a field and a whole payload share this code and,
in one registry of executors, its caches. Keys follow confluent-kafka's client:

- the KEK (`encrypt.kek.name`) is read from the registry; a producer registers it as
  non-shared from `encrypt.kms.type` and `encrypt.kms.key.id` when it is missing;
- the DEK of (KEK, subject, `encrypt.dek.algorithm`) is version 1, or with
  `encrypt.dek.expiry.days` > 0 the latest, replaced by the next version once older than
  that many days; then each ciphertext carries its DEK version (`0x00`, 4-byte big-endian);
- a producer creates a missing DEK: for a non-shared KEK it generates the key and wraps it
  through the KMS (the registry never sees it), for a shared one the registry does both.

Rule parameters come from the rule's `params`, then the schema's metadata properties. The
rule config (`secret` for the local KMS, `encrypt.alternate.kms.key.ids`) plus a KEK's
`kmsProps` configure the KMS driver.
"""

from __future__ import annotations

import base64
import threading
import time
from collections.abc import Callable, Iterable, Mapping

from serdes.errors import RuleError
from serdes.rules._model import RuleMode
from serdes.rules.context import RuleContext
from serdes.rules.encryption.cryptor import Cipher, check_algorithm, cipher, generate_key
from serdes.rules.encryption.dek_client import Dek, DekConflict, DekRegistryClient, Kek
from serdes.rules.encryption.kms import KekAccess, KmsDriver, LocalKmsDriver, kek_access

KEK_NAME = "encrypt.kek.name"
KMS_TYPE = "encrypt.kms.type"
KMS_KEY_ID = "encrypt.kms.key.id"
DEK_ALGORITHM = "encrypt.dek.algorithm"
DEK_EXPIRY_DAYS = "encrypt.dek.expiry.days"

_VERSION_MAGIC = 0
_VERSION_PREFIX_LEN = 5
_MS_PER_DAY = 24 * 60 * 60 * 1000


class DataKeys:
    """Encrypts and decrypts bytes for a rule; `client` reaches the DEK registry.

    `conf` is the rule config (the local KMS's `secret`, alternate key ids); `drivers`
    default to the local KMS; `clock` gives milliseconds since the epoch and decides when
    a rotating DEK has expired. Unwrapped DEKs are cached; thread-safe.
    """

    def __init__(
        self,
        client: DekRegistryClient | None,
        *,
        conf: Mapping[str, str] | None = None,
        drivers: Iterable[KmsDriver] | None = None,
        clock: Callable[[], int] = lambda: int(time.time() * 1000),
    ) -> None:
        self._client = client
        self._conf = dict(conf or {})
        self._drivers = tuple(drivers) if drivers is not None else (LocalKmsDriver(),)
        self._clock = clock
        self._keks: dict[str, Kek] = {}
        self._deks: dict[tuple[str, str, int, str], tuple[Dek, Cipher]] = {}
        self._latest: dict[tuple[str, str, str], tuple[int, tuple[Dek, Cipher]]] = {}
        self._lock = threading.Lock()

    def check(self, ctx: RuleContext) -> tuple[str, str, int]:
        """The rule's KEK name, DEK algorithm and expiry days; a `RuleError` when invalid."""
        return rule_settings(ctx.rule.type or "ENCRYPT", ctx.parameter)

    def encrypt(self, ctx: RuleContext, plain: bytes) -> bytes:
        """`plain` under the subject's current DEK, with its version first when DEKs rotate."""
        kek, alg, days = self.check(ctx)
        dek, key = self._write_dek(ctx, kek, alg, days)
        out = key.encrypt(plain)
        if days > 0:
            out = bytes([_VERSION_MAGIC]) + dek.version.to_bytes(4, "big") + out
        return out

    def decrypt(self, ctx: RuleContext, data: bytes, what: str) -> bytes:
        """The plaintext of `data` (`what` names it in errors)."""
        kek, alg, days = self.check(ctx)
        version = 1
        if days > 0:
            if len(data) < _VERSION_PREFIX_LEN:
                raise RuleError(f"{what} has no DEK version prefix")
            version = int.from_bytes(data[1:_VERSION_PREFIX_LEN], "big")
            data = data[_VERSION_PREFIX_LEN:]
        return self._read_dek(ctx, kek, alg, version).decrypt(data)

    def _registry(self) -> DekRegistryClient:
        if self._client is None:
            raise RuleError("ENCRYPT rules need the DEK registry: give the rule config a 'url'")
        return self._client

    def _kek(self, ctx: RuleContext, name: str) -> Kek:
        kek = self._keks.get(name)
        if kek is None:
            kek = self._fetch_kek(ctx, name)
            with self._lock:
                self._keks[name] = kek
        kms_type, key_id = ctx.parameter(KMS_TYPE), ctx.parameter(KMS_KEY_ID)
        if kms_type and kek.kms_type != kms_type:
            raise RuleError(f"KEK {name} has KMS type {kek.kms_type}, the rule says {kms_type}")
        if key_id and kek.kms_key_id != key_id:
            raise RuleError(f"KEK {name} has KMS key id {kek.kms_key_id}, the rule says {key_id}")
        return kek

    def _fetch_kek(self, ctx: RuleContext, name: str) -> Kek:
        client = self._registry()
        kek = client.get_kek(name)
        if kek is not None:
            return kek
        if ctx.mode is not RuleMode.WRITE:
            raise RuleError(f"no KEK {name} in the registry to decrypt with")
        kms_type, key_id = ctx.parameter(KMS_TYPE), ctx.parameter(KMS_KEY_ID)
        if not kms_type or not key_id:
            raise RuleError(f"KEK {name} is missing and the rule names no {KMS_TYPE}/{KMS_KEY_ID}")
        try:
            return client.create_kek(name, kms_type, key_id)
        except DekConflict:
            kek = client.get_kek(name)
            if kek is None:
                raise RuleError(f"KEK {name} neither created nor found") from None
            return kek

    def _write_dek(
        self, ctx: RuleContext, kek_name: str, alg: str, days: int
    ) -> tuple[Dek, Cipher]:
        if days == 0:
            return self._cached(ctx, kek_name, alg, 1, create=True)
        # The current DEK is kept until it expires by this executor's clock, so a record
        # with several encrypted fields makes one registry call at most.
        latest = (kek_name, ctx.subject, alg)
        now = self._clock()
        current = self._latest.get(latest)
        if current is not None and now <= current[0]:
            return current[1]
        kek = self._kek(ctx, kek_name)
        client = self._registry()
        dek = client.get_dek(kek.name, ctx.subject, None, alg)
        born = 0 if dek is None else dek.ts
        if dek is None or (now - born) / _MS_PER_DAY > days:
            version = 1 if dek is None else dek.version + 1
            dek = self._create_dek(ctx, kek, alg, version) or dek
            if dek is None:
                raise RuleError(f"no DEK for KEK {kek.name} and subject {ctx.subject}")
            born = now
        entry = self._remember(kek, dek, alg)
        with self._lock:
            self._latest[latest] = (born + days * _MS_PER_DAY, entry)
        return entry

    def _read_dek(self, ctx: RuleContext, kek_name: str, alg: str, version: int) -> Cipher:
        return self._cached(ctx, kek_name, alg, version, create=False)[1]

    def _cached(
        self, ctx: RuleContext, kek_name: str, alg: str, version: int, *, create: bool
    ) -> tuple[Dek, Cipher]:
        found = self._deks.get((kek_name, ctx.subject, version, alg))
        if found is not None:
            return found
        kek = self._kek(ctx, kek_name)
        dek = self._registry().get_dek(kek.name, ctx.subject, version, alg)
        if dek is None and create:
            dek = self._create_dek(ctx, kek, alg, version)
        if dek is None:
            raise RuleError(f"no DEK {version} for KEK {kek.name} and subject {ctx.subject}")
        return self._remember(kek, dek, alg)

    def _create_dek(self, ctx: RuleContext, kek: Kek, alg: str, version: int) -> Dek | None:
        """Register a new DEK version; on a lost race, the one that won (None if neither)."""
        client = self._registry()
        wrapped = None
        if not kek.shared:
            raw = generate_key(alg)
            wrapped = base64.b64encode(self._wrap(kek, raw)).decode("ascii")
        try:
            return client.create_dek(kek.name, ctx.subject, version, alg, wrapped)
        except DekConflict:
            return client.get_dek(kek.name, ctx.subject, version, alg)

    def _remember(self, kek: Kek, dek: Dek, alg: str) -> tuple[Dek, Cipher]:
        if dek.key_material:
            raw = base64.b64decode(dek.key_material)
        elif dek.encrypted_key_material:
            raw = self._unwrap(kek, base64.b64decode(dek.encrypted_key_material))
        else:
            raise RuleError(f"DEK {dek.version} of {dek.subject} has no key material")
        entry = (dek, cipher(alg, raw))
        with self._lock:
            self._deks[(kek.name, dek.subject, dek.version, alg)] = entry
        return entry

    def _access(self, kek: Kek) -> KekAccess:
        return kek_access(
            self._drivers,
            self._conf,
            kek_name=kek.name,
            kms_type=kek.kms_type,
            kms_key_id=kek.kms_key_id,
            kms_props=kek.kms_props,
        )

    def _wrap(self, kek: Kek, raw: bytes) -> bytes:
        return self._access(kek).wrap(raw)

    def _unwrap(self, kek: Kek, wrapped: bytes) -> bytes:
        return self._access(kek).unwrap(wrapped)


def rule_settings(rule_type: str, parameter: Callable[[str], str | None]) -> tuple[str, str, int]:
    """An encryption rule's KEK name, DEK algorithm and DEK expiry days, read with
    `parameter` (the rule's params, then the schema's metadata); a `RuleError` if invalid."""
    kek_name = parameter(KEK_NAME)
    if not kek_name:
        raise RuleError(f"the {rule_type} rule needs a non-empty {KEK_NAME}")
    algorithm = check_algorithm(parameter(DEK_ALGORITHM) or "AES256_GCM")
    return kek_name, algorithm, _expiry_days(parameter(DEK_EXPIRY_DAYS))


def _expiry_days(text: str | None) -> int:
    if text is None:
        return 0
    try:
        days = int(text)
    except ValueError:
        raise RuleError(f"{DEK_EXPIRY_DAYS} must be an integer, not {text!r}") from None
    if days < 0:
        raise RuleError(f"{DEK_EXPIRY_DAYS} must not be negative")
    return days
