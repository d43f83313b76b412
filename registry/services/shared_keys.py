"""The registry's side of shared KEKs: it generates, wraps and unwraps their DEKs itself.

A KEK marked `shared` is one whose KMS key the registry may use, so clients without KMS
access can still encrypt: on a create without material the registry generates the DEK and
stores it wrapped; every read returns the unwrapped `keyMaterial` next to the wrapped one.
The log only ever holds wrapped material. Unwrapped keys are remembered in memory (a bounded
map) so that reads do not call the KMS each time.

KMS calls can block on the network, so they run in a worker thread, off the event loop.
Without a `KeyCustody` (tink not installed) the operations that need the KMS are refused
with 422 42271 saying why; reads then return the wrapped material only.
"""

from __future__ import annotations

import asyncio
import base64

from registry.dek_errors import InvalidKeyError, KmsError
from registry.dek_records import DEFAULT_ALGORITHM, Dek, Kek
from registry.key_custody import CustodyLoader, KeyCustody

#: How many unwrapped DEKs are remembered before the memory starts over.
_REMEMBERED = 10_000
_NO_KMS = (
    "this registry has no KMS access (install cairn-registry[rules]), so it cannot {what} "
    "for key '{name}'; use a KEK with shared=false, whose clients wrap DEKs themselves"
)


class SharedKeys:
    """KMS work for shared KEKs, through the custody `load` gives (None: no KMS access).

    `load` runs on the first shared-KEK operation, in a worker thread: the KMS libraries it
    imports cost a start-up most registries, without shared KEKs, need not pay.
    """

    __slots__ = ("_custody", "_load", "_loading", "_unwrapped")

    def __init__(self, load: CustodyLoader | None) -> None:
        self._load = load
        self._loading = asyncio.Lock()
        self._custody: KeyCustody | None = None
        self._unwrapped: dict[tuple[str, str, str, str], bytes] = {}

    async def _current(self) -> KeyCustody | None:
        if self._load is not None:
            async with self._loading:  # concurrent first uses wait for the one load
                if self._load is not None:
                    self._custody = await asyncio.to_thread(self._load)
                    self._load = None
        return self._custody

    async def _need(self, what: str, name: str) -> KeyCustody:
        custody = await self._current()
        if custody is None:
            raise InvalidKeyError("shared", _NO_KMS.format(what=what, name=name))
        return custody

    async def test(self, kek: Kek) -> None:
        """Prove the KMS key works: wrap and unwrap a throw-away AES256_GCM key."""
        custody = await self._need("test sharing", kek.name)
        raw = await asyncio.to_thread(custody.generate, DEFAULT_ALGORITHM)
        wrapped = await asyncio.to_thread(custody.wrap, kek, raw)
        if await asyncio.to_thread(custody.unwrap, kek, wrapped) != raw:
            raise InvalidKeyError("shared", f"the KMS key of '{kek.name}' did not round-trip")

    async def new_material(self, kek: Kek, algorithm: str, rewrap_of: Dek | None) -> str:
        """Wrapped material (base64) for a DEK: fresh, or `rewrap_of`'s key wrapped anew."""
        what = "rewrap a DEK" if rewrap_of is not None else "generate a DEK"
        custody = await self._need(what, kek.name)
        if rewrap_of is not None and rewrap_of.encrypted_key_material:
            raw = await self._unwrap(custody, kek, rewrap_of.encrypted_key_material)
        else:
            raw = await asyncio.to_thread(custody.generate, algorithm)
        wrapped = await asyncio.to_thread(custody.wrap, kek, raw)
        material = base64.b64encode(wrapped).decode("ascii")
        self._remember(kek, material, raw)
        return material

    async def check_material(self, kek: Kek, material: str) -> None:
        """Refuse (42271) client-wrapped material that the shared KEK's key cannot unwrap,
        so that no read of it fails later; without KMS access it is stored as it is."""
        custody = await self._current()
        if custody is None:
            return
        try:
            await self._unwrap(custody, kek, material)
        except KmsError as exc:
            detail = f"encryptedKeyMaterial does not unwrap with the key of '{kek.name}': {exc}"
            raise InvalidKeyError("encryptedKeyMaterial", detail) from exc

    async def key_material(self, kek: Kek | None, dek: Dek) -> str | None:
        """The DEK's plaintext (base64) for a shared KEK's DEK; None for any other."""
        if kek is None or not kek.shared or not dek.encrypted_key_material:
            return None
        custody = await self._current()
        if custody is None:
            return None
        raw = await self._unwrap(custody, kek, dek.encrypted_key_material)
        return base64.b64encode(raw).decode("ascii")

    async def _unwrap(self, custody: KeyCustody, kek: Kek, material: str) -> bytes:
        slot = (kek.name, kek.kms_type, kek.kms_key_id, material)
        raw = self._unwrapped.get(slot)
        if raw is None:
            try:
                wrapped = base64.b64decode(material, validate=True)
            except ValueError:
                raise InvalidKeyError("encryptedKeyMaterial") from None
            raw = await asyncio.to_thread(custody.unwrap, kek, wrapped)
            self._remember(kek, material, raw)
        return raw

    def _remember(self, kek: Kek, material: str, raw: bytes) -> None:
        if len(self._unwrapped) >= _REMEMBERED:
            self._unwrapped.clear()
        self._unwrapped[(kek.name, kek.kms_type, kek.kms_key_id, material)] = raw
