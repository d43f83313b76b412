"""Shared KEKs' KMS access, through the serdes' KMS drivers (the registry's one KMS door).

The drivers are the ones producers and consumers use (`local-kms`, and `aws-kms` with
boto3 installed), so a DEK the registry wraps unwraps in any client and the other way
round. Their settings come from the KEK's `kmsProps` over the server's environment: the
local KMS's `LOCAL_SECRET`, AWS's usual credential chain and `AWS_ROLE_*`. Importing this
module needs tink (the `rules` extra); `registry.key_custody.default_key_custody` copes
with its absence.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TypeVar

from registry.dek_errors import InvalidKeyError, KmsAccessDeniedError, KmsError
from registry.dek_records import Kek
from serdes.errors import KmsAccessDeniedError as DriverAccessDeniedError
from serdes.errors import RuleError
from serdes.rules.encryption import default_drivers
from serdes.rules.encryption.cryptor import generate_key
from serdes.rules.encryption.kms import KekAccess, KmsDriver, kek_access

T = TypeVar("T")


class DriverCustody:
    """`KeyCustody` over KMS drivers; driver errors become the registry's KMS errors.

    A KEK no driver here can use (an unknown `kmsType`, a malformed key id, no local
    secret) is the request's problem: 422 42271. A KMS call that fails is the KMS's: 500
    50070, or 403 40370 when it refused the credentials.
    """

    __slots__ = ("_drivers",)

    def __init__(self, drivers: tuple[KmsDriver, ...]) -> None:
        self._drivers = drivers

    @classmethod
    def from_environment(cls, environ: Mapping[str, str]) -> DriverCustody:
        """The drivers installed here, configured from `environ` (pass `os.environ`)."""
        return cls(default_drivers(environ))

    def generate(self, algorithm: str) -> bytes:
        """New key material for `algorithm`."""
        return _kms_call(lambda: generate_key(algorithm))

    def wrap(self, kek: Kek, raw: bytes) -> bytes:
        """`raw` wrapped by the KEK's key."""
        return _kms_call(lambda: self._access(kek).wrap(raw))

    def unwrap(self, kek: Kek, wrapped: bytes) -> bytes:
        """The key material in `wrapped`, by the KEK's key or an alternate."""
        return _kms_call(lambda: self._access(kek).unwrap(wrapped))

    def _access(self, kek: Kek) -> KekAccess:
        try:
            return kek_access(
                self._drivers,
                {},
                kek_name=kek.name,
                kms_type=kek.kms_type,
                kms_key_id=kek.kms_key_id,
                kms_props=kek.kms_props,
            )
        except RuleError as exc:
            detail = f"this registry cannot use the KMS key of '{kek.name}': {exc}"
            raise InvalidKeyError("kmsKeyId", detail) from exc


def _kms_call(call: Callable[[], T]) -> T:
    try:
        return call()
    except DriverAccessDeniedError as exc:
        raise KmsAccessDeniedError(str(exc)) from exc
    except RuleError as exc:
        raise KmsError(str(exc)) from exc
