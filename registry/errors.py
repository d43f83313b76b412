"""The registry's errors, each carrying Confluent's HTTP status and `error_code`.

    RegistryError                       status, error_code, message
    ├── BadRequestError                 400 / 400   malformed JSON or wrong body shape
    ├── UnauthorizedError               401 / 401   no or wrong credentials
    ├── ForbiddenError                  403 / 40301 the principal lacks the permission
    ├── NotFoundError                   404 / 404   unknown path
    │   ├── SubjectNotFoundError        404 / 40401
    │   ├── VersionNotFoundError        404 / 40402
    │   ├── SchemaNotFoundError         404 / 40403
    │   ├── SubjectSoftDeletedError     404 / 40404
    │   ├── SubjectNotSoftDeletedError  404 / 40405
    │   ├── VersionSoftDeletedError     404 / 40406
    │   ├── VersionNotSoftDeletedError  404 / 40407
    │   ├── SubjectConfigNotFoundError  404 / 40408
    │   └── SubjectModeNotFoundError    404 / 40409
    ├── MethodNotAllowedError           405 / 405
    ├── NotAcceptableError              406 / 406
    ├── IncompatibleSchemaError         409 / 409 or 40901 (configurable)
    ├── PayloadTooLargeError            413 / 413
    ├── UnsupportedMediaTypeError       415 / 415
    ├── UnprocessableError              422 / 422   request-level validation
    │   ├── InvalidSchemaError          422 / 42201
    │   ├── InvalidVersionError         422 / 42202
    │   ├── InvalidCompatibilityError   422 / 42203
    │   ├── InvalidModeError            422 / 42204
    │   ├── OperationNotPermittedError  422 / 42205
    │   ├── ReferenceExistsError        422 / 42206
    │   ├── InvalidSubjectError         422 / 42208
    │   ├── SchemaTooLargeError         422 / 42209
    │   ├── InvalidRuleSetError         422 / 42210
    │   └── ContextNotEmptyError        422 / 42211
    ├── CompatibilityCheckError         500 / 500   the check failed inside (no verdict)
    ├── StoreError                      500 / 50001
    │   └── StoreTimeoutError           500 / 50002
    ├── RequestForwardingError          500 / 50003 the leader could not be reached
    └── UnknownLeaderError              500 / 50004 no leader is known

The DEK registry's errors (404 4047x, 409 4097x, 422 4227x) subclass these in
`registry.dek_errors`. The HTTP layer renders every one of them, in one place, as
`{"error_code", "message"}`.
"""

from __future__ import annotations

from typing import ClassVar


class RegistryError(Exception):
    """Base class: an error the API reports with a status and a Confluent error code."""

    status: ClassVar[int] = 500
    code: ClassVar[int] = 500

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    @property
    def error_code(self) -> int:
        """The `error_code` field of the response body."""
        return self.code


class BadRequestError(RegistryError):
    """The body is not JSON or does not have the expected shape."""

    status = 400
    code = 400


class UnauthorizedError(RegistryError):
    """The request carries no credentials, or credentials that do not authenticate."""

    status = 401
    code = 401

    def __init__(self, message: str = "Unauthorized") -> None:
        super().__init__(message)


class ForbiddenError(RegistryError):
    """The authenticated principal lacks the permission the request needs."""

    status = 403
    code = 40301


class NotFoundError(RegistryError):
    """No such path."""

    status = 404
    code = 404


class SubjectNotFoundError(NotFoundError):
    """The subject does not exist (or has no versions visible to the request)."""

    code = 40401

    def __init__(self, subject: str) -> None:
        super().__init__(f"Subject '{subject}' not found.")


class VersionNotFoundError(NotFoundError):
    """The subject exists but not that version."""

    code = 40402

    def __init__(self, version: int | str) -> None:
        super().__init__(f"Version {version} not found.")


class SchemaNotFoundError(NotFoundError):
    """No schema with that id, or no version of the subject matches the schema."""

    code = 40403


class SubjectSoftDeletedError(NotFoundError):
    """A soft delete of a subject that is already soft-deleted."""

    code = 40404

    def __init__(self, subject: str) -> None:
        # Confluent's text has no space after the full stop; clients match on it.
        super().__init__(
            f"Subject '{subject}' was soft deleted.Set permanent=true to delete permanently"
        )


class SubjectNotSoftDeletedError(NotFoundError):
    """A permanent delete of a subject that still has live versions."""

    code = 40405

    def __init__(self, subject: str) -> None:
        super().__init__(
            f"Subject '{subject}' was not deleted first before being permanently deleted"
        )


class VersionSoftDeletedError(NotFoundError):
    """A soft delete of a version that is already soft-deleted."""

    code = 40406

    def __init__(self, subject: str, version: int) -> None:
        super().__init__(
            f"Subject '{subject}' Version {version} was soft deleted."
            "Set permanent=true to delete permanently"
        )


class VersionNotSoftDeletedError(NotFoundError):
    """A permanent delete of a live version."""

    code = 40407

    def __init__(self, subject: str, version: int) -> None:
        super().__init__(
            f"Subject '{subject}' Version {version} was not deleted first before being "
            "permanently deleted"
        )


class SubjectConfigNotFoundError(NotFoundError):
    """`GET /config/{subject}` for a subject with no subject-level config."""

    code = 40408

    def __init__(self, subject: str) -> None:
        super().__init__(
            f"Subject '{subject}' does not have subject-level compatibility configured"
        )


class SubjectModeNotFoundError(NotFoundError):
    """`GET /mode/{subject}` for a subject with no subject-level mode."""

    code = 40409

    def __init__(self, subject: str) -> None:
        super().__init__(f"Subject '{subject}' does not have subject-level mode configured")


class MethodNotAllowedError(RegistryError):
    """The path exists but not with this method; `allowed` lists the methods it has."""

    status = 405
    code = 405

    def __init__(self, message: str, allowed: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.allowed = allowed


class NotAcceptableError(RegistryError):
    """No response type the client accepts."""

    status = 406
    code = 406


class IncompatibleSchemaError(RegistryError):
    """The schema breaks the subject's compatibility level.

    Confluent answered `error_code` 409 up to 8.1 and 40901 from 8.2; which one is a setting.
    """

    status = 409
    code = 409

    def __init__(self, message: str, *, error_code: int = 409) -> None:
        super().__init__(message)
        self._error_code = error_code

    @property
    def error_code(self) -> int:
        """The configured incompatibility code (409 or 40901)."""
        return self._error_code


class PayloadTooLargeError(RegistryError):
    """The request body is over the configured limit."""

    status = 413
    code = 413


class UnsupportedMediaTypeError(RegistryError):
    """The request's Content-Type is not one the API reads."""

    status = 415
    code = 415


class UnprocessableError(RegistryError):
    """The request is well-formed but its content is invalid."""

    status = 422
    code = 422


class InvalidSchemaError(UnprocessableError):
    """The schema, its type or its references are invalid."""

    code = 42201


class InvalidVersionError(UnprocessableError):
    """A version path parameter that is neither `latest` nor in [1, 2^31-1]."""

    code = 42202

    def __init__(self, version: str) -> None:
        super().__init__(
            f"The specified version '{version}' is not a valid version id. Allowed values are "
            'between [1, 2^31-1] and the string "latest"'
        )


class InvalidCompatibilityError(UnprocessableError):
    """An unknown compatibility level."""

    code = 42203

    def __init__(
        self,
        message: str = (
            "Invalid compatibility level. Valid values are none, backward, forward, full, "
            "backward_transitive, forward_transitive, and full_transitive"
        ),
    ) -> None:
        super().__init__(message)


class InvalidModeError(UnprocessableError):
    """An unknown mode, or a mode not allowed at that scope."""

    code = 42204


class OperationNotPermittedError(UnprocessableError):
    """The mode forbids the operation, or it would overwrite an id."""

    code = 42205


class ReferenceExistsError(UnprocessableError):
    """Another schema still references what is being deleted."""

    code = 42206


class InvalidSubjectError(UnprocessableError):
    """The subject name is not allowed."""

    code = 42208

    def __init__(self, subject: str) -> None:
        super().__init__(f"The specified subject '{subject}' is not a valid.")


class SchemaTooLargeError(UnprocessableError):
    """The schema is over the registry's size limit."""

    code = 42209

    def __init__(self) -> None:
        super().__init__("Register operation failed because schema is too large")


class InvalidRuleSetError(UnprocessableError):
    """The rule set does not validate."""

    code = 42210


class ContextNotEmptyError(UnprocessableError):
    """A context that still holds subjects cannot be deleted."""

    code = 42211

    def __init__(self, context: str) -> None:
        super().__init__(f"The specified context '{context}' is not empty.")


class CompatibilityCheckError(RegistryError):
    """A compatibility check could not be completed: a comparison failed inside.

    Not an incompatibility (409): the schemas were never judged, so a client must not act as
    if they had been. Confluent answers a failure inside a check with its generic server
    error, status 500 and `error_code` 500; the stack is in the log where it was caught.
    """

    status = 500
    code = 500

    def __init__(self, subject: str, reasons: tuple[str, ...]) -> None:
        super().__init__(
            f"Error while checking compatibility for subject '{subject}': " + "; ".join(reasons)
        )


class StoreError(RegistryError):
    """The log could not be written or read."""

    status = 500
    code = 50001


class StoreTimeoutError(StoreError):
    """The log did not confirm a write in time."""

    code = 50002


class RequestForwardingError(RegistryError):
    """A follower could not forward a write to the leader."""

    status = 500
    code = 50003


class UnknownLeaderError(RegistryError):
    """No leader is known, so a write cannot be placed."""

    status = 500
    code = 50004
