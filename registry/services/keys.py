"""The DEK registry: key encryption keys (KEKs) and the data encryption keys (DEKs) under them.

A KEK names a key in a KMS (`kmsType`, `kmsKeyId`); a DEK is key material for one subject,
algorithm and version, stored only as wrapped by its KEK (`encryptedKeyMaterial`). Clients
generate and wrap DEKs themselves, so the registry never holds a plaintext key.

A *shared* KEK is one whose KMS key the registry may use: it then generates and wraps DEKs
itself and returns their `keyMaterial` on reads (`registry.services.shared_keys`), as
Confluent's server does; only wrapped material is ever stored.

Semantics follow Confluent: creating an existing key is 409 40971, unless the request only
differs from the stored key by `deleted`, where it acts as an undelete; a permanent delete
needs a soft delete first (40471); a KEK cannot be deleted while DEKs use it (42272: live
DEKs for a soft delete, any DEK for a permanent one); DEKs of a soft-deleted KEK cannot be
undeleted (40472). Deletes and undeletes of keys that do not exist succeed silently, as in
Confluent (the HTTP layer checks the KEK first).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from registry.dek_errors import (
    InvalidKeyError,
    KeyExistsError,
    KeyNotFoundError,
    KeyNotSoftDeletedError,
    KeyReferenceExistsError,
    KeySoftDeletedError,
    TooManyKeysError,
)
from registry.dek_records import (
    ALGORITHMS,
    DEFAULT_ALGORITHM,
    Dek,
    DekKey,
    Kek,
    KekKey,
    encode_key,
    encode_value,
)
from registry.dek_state import KeyState
from registry.services.shared_keys import SharedKeys
from registry.services.writes import WriteSupport
from registry.subjects import LATEST

#: Confluent's `dek.registry.max.keys` default: KEKs and DEKs are counted separately.
MAX_KEYS = 20_000
#: Confluent's longest KEK name.
NAME_MAX_LENGTH = 256
#: The lock all KEK and DEK writes share: they are rare, and one lock keeps the
#: read-check-write of a create atomic across KEKs and the DEKs that depend on them.
_LOCK = "\0dek-registry"
#: A record to write: a key and its new value, or None for a tombstone.
KeyWrite = tuple[KekKey, Kek | None] | tuple[DekKey, Dek | None]


@dataclass(frozen=True, slots=True)
class DekAnswer:
    """A DEK for a client: `key_material` (base64) only for a shared KEK's DEK."""

    dek: Dek
    key_material: str | None = None

    def to_json(self) -> dict[str, Any]:
        """Confluent's Dek entity."""
        return self.dek.to_json(self.key_material)


@dataclass(frozen=True, slots=True, kw_only=True)
class KekRequest:
    """`POST /dek-registry/v1/keks`: a KEK to create."""

    name: str | None
    kms_type: str | None
    kms_key_id: str | None
    kms_props: Mapping[str, str] | None = None
    doc: str | None = None
    shared: bool = False
    deleted: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class KekUpdate:
    """`PUT /dek-registry/v1/keks/{name}`: fields to change; absent (unset) fields are kept."""

    kms_props: Mapping[str, str] | None = None
    doc: str | None = None
    shared: bool | None = None
    kms_props_set: bool = False
    doc_set: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class DekRequest:
    """`POST /dek-registry/v1/keks/{name}/deks[/{subject}]`: a DEK to create."""

    subject: str | None
    version: int | None = None
    algorithm: str | None = None
    encrypted_key_material: str | None = None
    deleted: bool = False


def check_name(name: str | None) -> str:
    """Confluent's KEK name rule: a letter or `_`, then letters, digits, `_` or `-`."""
    if not name or len(name) > NAME_MAX_LENGTH:
        raise InvalidKeyError("name")
    if not (name[0].isalpha() or name[0] == "_"):
        raise InvalidKeyError("name")
    if not all(ch.isalnum() or ch in "_-" for ch in name[1:]):
        raise InvalidKeyError("name")
    return name


def check_subject(subject: str | None) -> str:
    """A DEK subject: not empty, no control characters."""
    if not subject or any(unicodedata.category(ch) == "Cc" for ch in subject):
        raise InvalidKeyError("subject")
    return subject


def check_algorithm(algorithm: str | None) -> str:
    """One of Confluent's `DekFormat`s; absent means AES256_GCM."""
    if algorithm is None:
        return DEFAULT_ALGORITHM
    if algorithm not in ALGORITHMS:
        raise InvalidKeyError("algorithm")
    return algorithm


def normalize_kms_type(kms_type: str) -> str:
    """Confluent's spelling of the cloud KMS types (`AWS` → `aws-kms`); others as given."""
    lowered = kms_type.lower()
    for cloud in ("aws", "azure", "gcp"):
        if lowered.startswith(cloud):
            return f"{cloud}-kms"
    return kms_type


class KeyRegistryService:
    """Every DEK registry operation; reads come straight from the state's `KeyState`."""

    def __init__(self, writes: WriteSupport, shared: SharedKeys | None = None) -> None:
        self._writes = writes
        self._shared = shared if shared is not None else SharedKeys(None)

    @property
    def _keys(self) -> KeyState:
        return self._writes.store.state.keys

    async def _write(self, writes: Sequence[KeyWrite]) -> None:
        if writes:
            await self._writes.store.write_raw(
                [(encode_key(k), None if v is None else encode_value(v)) for k, v in writes]
            )

    # ----------------------------------------------------------------- KEK reads

    def kek_names(self, subject_prefixes: Sequence[str], *, deleted: bool) -> list[str]:
        """KEK names by name; with prefixes, those with a DEK whose subject matches one."""
        if not subject_prefixes:
            return [k.name for k in self._keys.keks() if deleted or not k.deleted]
        names = {
            d.kek_name
            for d in self._keys.deks()
            if (deleted or not d.deleted) and d.subject.startswith(tuple(subject_prefixes))
        }
        return sorted(names)

    def kek(self, name: str, *, deleted: bool) -> Kek:
        """The KEK by name (40470 when absent, or soft-deleted unless `deleted`)."""
        check_name(name)
        kek = self._keys.kek(name)
        if kek is None or (kek.deleted and not deleted):
            raise KeyNotFoundError(name)
        return kek

    # ----------------------------------------------------------------- KEK writes

    async def create_kek(self, request: KekRequest, *, test_sharing: bool = False) -> Kek:
        """Create a KEK (or undelete an equal one); 40971 if one exists."""
        name = check_name(request.name)
        if not request.kms_key_id:
            raise InvalidKeyError("kmsKeyId")
        if request.kms_type is None:
            raise InvalidKeyError("kmsType")
        kek = Kek(
            name=name,
            kms_type=normalize_kms_type(request.kms_type),
            kms_key_id=request.kms_key_id,
            kms_props=dict(request.kms_props or {}),
            doc=request.doc,
            shared=request.shared,
            deleted=request.deleted,
        )
        if kek.shared and test_sharing:
            await self._shared.test(kek)
        async with self._writes.lock(_LOCK):
            old = self._keys.kek(name)
            if old is None and self._keys.counts()[0] >= MAX_KEYS:
                raise TooManyKeysError(MAX_KEYS)
            if old is not None and (old.deleted == kek.deleted or not old.same_key(kek)):
                raise KeyExistsError(name)
            await self._write([(KekKey(name), kek)])
            return self._stored_kek(name)

    async def update_kek(self, name: str, update: KekUpdate, *, test_sharing: bool) -> Kek:
        """Change a live KEK's `kmsProps`, `doc` or `shared`; `kmsType`/`kmsKeyId` stay."""
        check_name(name)
        async with self._writes.lock(_LOCK):
            old = self._keys.kek(name)
            if old is None or old.deleted:
                raise KeyNotFoundError(name)
            new = replace(
                old,
                kms_props=dict(update.kms_props or {}) if update.kms_props_set else old.kms_props,
                doc=update.doc if update.doc_set else old.doc,
                shared=old.shared if update.shared is None else update.shared,
            )
            if new.shared and test_sharing:
                await self._shared.test(new)
            if new.same_key(old):
                return old
            await self._write([(KekKey(name), new)])
            return self._stored_kek(name)

    async def delete_kek(self, name: str, *, permanent: bool) -> None:
        """Soft-delete a KEK, or remove a soft-deleted one for good."""
        async with self._writes.lock(_LOCK):
            self.kek(name, deleted=True)
            users = self._keys.deks(kek_name=name)
            if any(permanent or not d.deleted for d in users):
                raise KeyReferenceExistsError(name)
            old = self._keys.kek(name)
            assert old is not None
            if permanent:
                if not old.deleted:
                    raise KeyNotSoftDeletedError(name)
                await self._write([(KekKey(name), None)])
            elif not old.deleted:
                await self._write([(KekKey(name), replace(old, deleted=True))])

    async def undelete_kek(self, name: str) -> None:
        """Bring a soft-deleted KEK back."""
        async with self._writes.lock(_LOCK):
            old = self.kek(name, deleted=True)
            if old.deleted:
                await self._write([(KekKey(name), replace(old, deleted=False))])

    async def test_kek(self, name: str) -> Kek:
        """Check that the registry can use a shared KEK's KMS key (42271 if not shared)."""
        kek = self.kek(name, deleted=False)
        if not kek.shared:
            raise InvalidKeyError("shared", f"Key '{name}' is not shared")
        await self._shared.test(kek)
        return kek

    def _stored_kek(self, name: str) -> Kek:
        kek = self._keys.kek(name)
        assert kek is not None, "a KEK just written is in the state"
        return kek

    # ----------------------------------------------------------------- DEK reads

    def dek_subjects(self, kek_name: str, *, deleted: bool) -> list[str]:
        """The subjects with DEKs under a KEK, sorted."""
        self.kek(kek_name, deleted=deleted)
        subjects = {d.subject for d in self._keys.deks(kek_name) if deleted or not d.deleted}
        return sorted(subjects)

    def dek_versions(
        self, kek_name: str, subject: str, algorithm: str | None, *, deleted: bool
    ) -> list[int]:
        """The versions of a subject's DEKs for one algorithm, ascending."""
        self.kek(kek_name, deleted=deleted)
        check_subject(subject)
        deks = self._keys.deks(kek_name, subject, check_algorithm(algorithm))
        return [d.version for d in deks if deleted or not d.deleted]

    def dek(
        self, kek_name: str, subject: str, version: int, algorithm: str | None, *, deleted: bool
    ) -> Dek:
        """A DEK by version (`LATEST` for the highest); 40470 when absent."""
        self.kek(kek_name, deleted=deleted)
        check_subject(subject)
        algo = check_algorithm(algorithm)
        if version == LATEST:
            live = [d for d in self._keys.deks(kek_name, subject, algo) if deleted or not d.deleted]
            found = live[-1] if live else None
        else:
            found = self._keys.dek(DekKey(kek_name, subject, algo, version))
            if found is not None and found.deleted and not deleted:
                found = None
        if found is None:
            raise KeyNotFoundError(subject)
        return found

    # ----------------------------------------------------------------- DEK writes

    async def create_dek(self, kek_name: str, request: DekRequest, *, rewrap: bool) -> DekAnswer:
        """Store a DEK (or undelete an equal one); 40971 if one exists.

        For a non-shared KEK the client sends the wrapped material. For a shared one the
        registry generates it when none is sent, and with `rewrap` wraps the existing key
        again (after a KMS key rotation).
        """
        subject = check_subject(request.subject)
        algorithm = check_algorithm(request.algorithm)
        version = 1 if request.version is None else request.version
        if version < 1:
            raise InvalidKeyError("version")
        slot = DekKey(kek_name, subject, algorithm, version)
        async with self._writes.lock(_LOCK):
            kek = self.kek(kek_name, deleted=request.deleted)
            old = self._keys.dek(slot)
            material = request.encrypted_key_material
            if kek.shared:
                if old is not None and not rewrap:
                    raise KeyExistsError(subject)
                if material is None or rewrap:
                    material = await self._shared.new_material(
                        kek, algorithm, old if rewrap else None
                    )
                else:
                    await self._shared.check_material(kek, material)
            if material is None:
                raise InvalidKeyError("encryptedKeyMaterial")
            dek = Dek(
                kek_name=kek_name,
                subject=subject,
                version=version,
                algorithm=algorithm,
                encrypted_key_material=material,
                deleted=request.deleted,
            )
            if old is None and self._keys.counts()[1] >= MAX_KEYS:
                raise TooManyKeysError(MAX_KEYS)
            if (
                not rewrap
                and old is not None
                and (old.deleted == dek.deleted or not old.same_key(dek))
            ):
                raise KeyExistsError(subject)
            await self._write([(slot, dek)])
            stored = self._keys.dek(slot)
            assert stored is not None, "a DEK just written is in the state"
        return await self.answer(stored)

    async def answer(self, dek: Dek) -> DekAnswer:
        """A DEK as the API returns it: with `keyMaterial` when its KEK is shared."""
        return DekAnswer(dek, await self._shared.key_material(self._keys.kek(dek.kek_name), dek))

    async def delete_deks(
        self,
        kek_name: str,
        subject: str,
        version: int | None,
        algorithm: str | None,
        *,
        permanent: bool,
    ) -> None:
        """Soft-delete a subject's DEKs (one version, or all), or remove soft-deleted ones."""
        check_subject(subject)
        algo = check_algorithm(algorithm)
        async with self._writes.lock(_LOCK):
            self.kek(kek_name, deleted=True)
            deks = self._selected(kek_name, subject, version, algo)
            if not deks:
                raise KeyNotFoundError(subject)
            if permanent:
                if any(not d.deleted for d in deks):
                    raise KeyNotSoftDeletedError(subject)
                await self._write([(self._slot(d), None) for d in deks])
            else:
                live = [d for d in deks if not d.deleted]
                await self._write([(self._slot(d), replace(d, deleted=True)) for d in live])

    async def undelete_deks(
        self, kek_name: str, subject: str, version: int | None, algorithm: str | None
    ) -> None:
        """Bring a subject's soft-deleted DEKs back (one version, or all)."""
        check_subject(subject)
        algo = check_algorithm(algorithm)
        async with self._writes.lock(_LOCK):
            if self.kek(kek_name, deleted=True).deleted:
                raise KeySoftDeletedError(kek_name)
            deks = self._selected(kek_name, subject, version, algo)
            if not deks:
                raise KeyNotFoundError(subject)
            gone = [d for d in deks if d.deleted]
            await self._write([(self._slot(d), replace(d, deleted=False)) for d in gone])

    def _selected(self, kek_name: str, subject: str, version: int | None, algo: str) -> list[Dek]:
        deks = self._keys.deks(kek_name, subject, algo)
        if version is None:
            return deks
        if version == LATEST:
            return deks[-1:]
        return [d for d in deks if d.version == version]

    @staticmethod
    def _slot(dek: Dek) -> DekKey:
        return DekKey(dek.kek_name, dek.subject, dek.algorithm, dek.version)
