"""What the DEK registry needs of a KMS to serve shared KEKs, as an interface.

For a shared KEK the registry itself generates DEKs, wraps them with the KEK's key in the
KMS, and unwraps them for clients that have no KMS access of their own. The registry core
sees only this interface, so it knows no KMS library; `registry.kms` implements it with the
serdes' KMS drivers, and a registry built without one refuses shared-KEK operations.

Each call may block on the network (a cloud KMS): the service calls it off the event loop.
Failures raise `registry.dek_errors.KmsError` (500 50070), or `KmsAccessDeniedError`
(403 40370) when the KMS refused the registry's credentials.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Protocol

from registry.dek_records import Kek

logger = logging.getLogger(__name__)


class KeyCustody(Protocol):
    """Generates DEK material and wraps or unwraps it with a KEK's key."""

    def generate(self, algorithm: str) -> bytes:
        """Fresh key material for `algorithm` (tink's serialized key, as clients store it)."""

    def wrap(self, kek: Kek, raw: bytes) -> bytes:
        """`raw` wrapped by the KEK's key."""

    def unwrap(self, kek: Kek, wrapped: bytes) -> bytes:
        """The key material in `wrapped`."""


#: How a registry gets its KMS access when it first needs it (None: it has none).
CustodyLoader = Callable[[], "KeyCustody | None"]


def default_key_custody(environ: Mapping[str, str]) -> KeyCustody | None:
    """The KMS drivers' custody configured from `environ`; None without tink installed."""
    try:
        from registry.kms import DriverCustody  # noqa: PLC0415 (needs the rules extra)
    except ImportError:
        logger.info("tink is not installed (the rules extra): shared KEKs are not served")
        return None
    return DriverCustody.from_environment(environ)
