"""The DEK algorithms of the ENCRYPT rule, through tink with raw output and empty AAD.

`AES128_GCM` and `AES256_GCM` are AEADs (12-byte IV, ciphertext, 16-byte tag);
`AES256_SIV` is deterministic (equal plaintexts give equal ciphertexts, so the field can
still be joined on). A DEK's bytes are tink's serialized key proto (`KeyData.value`), as
confluent-kafka stores them, so keys move between the two clients unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tink import aead, daead
from tink.core import Registry
from tink.proto import aes_siv_pb2, tink_pb2

from serdes.errors import RuleError

aead.register()
daead.register()

_EMPTY_AAD = b""


def _siv_template() -> tink_pb2.KeyTemplate:
    # tink has no raw AES256_SIV template: two 256-bit keys, no output prefix.
    return tink_pb2.KeyTemplate(
        type_url=daead.deterministic_aead_key_templates.AES256_SIV.type_url,
        output_prefix_type=tink_pb2.RAW,
        value=aes_siv_pb2.AesSivKeyFormat(key_size=64).SerializeToString(),
    )


_TEMPLATES = {
    "AES128_GCM": aead.aead_key_templates.AES128_GCM_RAW,
    "AES256_GCM": aead.aead_key_templates.AES256_GCM_RAW,
    "AES256_SIV": _siv_template(),
}


@dataclass(frozen=True, slots=True)
class Cipher:
    """One DEK ready to use: encrypt and decrypt bytes with it."""

    primitive: Any
    deterministic: bool

    def encrypt(self, plaintext: bytes) -> bytes:
        """The ciphertext of `plaintext` (random IV unless deterministic)."""
        if self.deterministic:
            return bytes(self.primitive.encrypt_deterministically(plaintext, _EMPTY_AAD))
        return bytes(self.primitive.encrypt(plaintext, _EMPTY_AAD))

    def decrypt(self, ciphertext: bytes) -> bytes:
        """The plaintext; a `RuleError` when the ciphertext does not authenticate."""
        try:
            if self.deterministic:
                return bytes(self.primitive.decrypt_deterministically(ciphertext, _EMPTY_AAD))
            return bytes(self.primitive.decrypt(ciphertext, _EMPTY_AAD))
        except Exception as exc:
            raise RuleError(f"cannot decrypt: {exc}") from exc


def check_algorithm(name: str) -> str:
    """`name` if it is a DEK algorithm, else a `RuleError` naming the valid ones."""
    if name not in _TEMPLATES:
        raise RuleError(f"invalid DEK algorithm {name!r}: use one of {', '.join(_TEMPLATES)}")
    return name


def generate_key(algorithm: str) -> bytes:
    """A fresh DEK for `algorithm` (tink's serialized key)."""
    data: tink_pb2.KeyData = Registry.new_key_data(_TEMPLATES[check_algorithm(algorithm)])
    return bytes(data.value)


def cipher(algorithm: str, key: bytes) -> Cipher:
    """The primitive of a DEK's bytes under `algorithm`."""
    template = _TEMPLATES[check_algorithm(algorithm)]
    data = tink_pb2.KeyData(
        type_url=template.type_url, value=key, key_material_type=tink_pb2.KeyData.SYMMETRIC
    )
    deterministic = algorithm == "AES256_SIV"
    kind = daead.DeterministicAead if deterministic else aead.Aead
    try:
        return Cipher(Registry.primitive(data, kind), deterministic)
    except Exception as exc:
        raise RuleError(f"invalid {algorithm} key material: {exc}") from exc
