"""The DEK registry's errors, with Confluent's statuses, `error_code`s and messages.

    RegistryError (registry.errors)
    ├── NotFoundError
    │   ├── KeyNotFoundError            404 / 40470 no such KEK or DEK
    │   ├── KeyNotSoftDeletedError      404 / 40471 permanent delete before a soft one
    │   └── KeySoftDeletedError         404 / 40472 the KEK must be undeleted first
    ├── KeyExistsError                  409 / 40971
    ├── TooManyKeysError                409 / 40972
    ├── UnprocessableError
    │   ├── InvalidKeyError             422 / 42271 a missing or invalid field
    │   └── KeyReferenceExistsError     422 / 42272 DEKs still use the KEK
    ├── KmsAccessDeniedError            403 / 40370 the KMS refused the registry access
    └── KmsError                        500 / 50070 the KMS could not do it (shared KEKs)

The two KMS errors arise only for shared KEKs, where the registry itself calls the KMS;
they carry the KMS's own explanation, since that is what the operator has to fix.

They are separate from `registry.errors` only to keep that module short; the HTTP layer
renders them like every other `RegistryError`.
"""

from __future__ import annotations

from registry.errors import NotFoundError, RegistryError, UnprocessableError


class KeyNotFoundError(NotFoundError):
    """No KEK or DEK by that name (or not a live one)."""

    code = 40470

    def __init__(self, name: str) -> None:
        super().__init__(f"Key '{name}' not found")


class KeyNotSoftDeletedError(NotFoundError):
    """A permanent delete of a key that was not soft-deleted first."""

    code = 40471

    def __init__(self, name: str) -> None:
        super().__init__(f"Key '{name}' was not deleted first before being permanently deleted")


class KeySoftDeletedError(NotFoundError):
    """Undeleting a DEK of a soft-deleted KEK."""

    code = 40472

    def __init__(self, name: str) -> None:
        super().__init__(f"Key '{name}' must be undeleted first")


class KeyExistsError(RegistryError):
    """Creating a key that exists (with different content, or not deleted)."""

    status = 409
    code = 40971

    def __init__(self, name: str) -> None:
        super().__init__(f"Key '{name}' already exists; use a different value")


class TooManyKeysError(RegistryError):
    """The registry holds as many KEKs (or DEKs) as it allows."""

    status = 409
    code = 40972

    def __init__(self, limit: int) -> None:
        super().__init__(f"A maximum of {limit} keys already exist")


class InvalidKeyError(UnprocessableError):
    """A field of a KEK or DEK request is missing or invalid; `detail` overrides the text."""

    code = 42271

    def __init__(self, field: str, detail: str | None = None) -> None:
        super().__init__(detail or f"Invalid or missing value for field '{field}' of key")


class KeyReferenceExistsError(UnprocessableError):
    """Deleting a KEK that DEKs still reference."""

    code = 42272

    def __init__(self, name: str) -> None:
        super().__init__(f"One or more references exist to the key '{name}'")


class KmsAccessDeniedError(RegistryError):
    """The KMS refused the registry's credentials access to a shared KEK's key."""

    status = 403
    code = 40370

    def __init__(self, detail: str) -> None:
        super().__init__(f"Access to the KMS key was denied: {detail}")


class KmsError(RegistryError):
    """The KMS (or its configuration on this server) failed for a shared KEK."""

    status = 500
    code = 50070

    def __init__(self, detail: str) -> None:
        super().__init__(f"KMS operation failed: {detail}")
