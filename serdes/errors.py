"""Errors raised by the serializers, the deserializers and the registry client.

    SerdesError                      base; carries topic, partition and offset where known
    ├── FramingError                 the bytes are not a framed record (magic, length, varints)
    ├── PayloadError                 the value does not match its schema (either direction)
    ├── SchemaError                  a schema cannot be used (unparsable, wrong type, no record)
    ├── SerdesConfigError            a serializer or client was configured wrongly (also ValueError)
    ├── SchemaRegistryError          the registry answered with a Confluent error body
    │   ├── UnknownSchemaIdError         no schema has this id (or GUID)
    │   └── UnknownSubjectError          subject, version or schema-under-subject is missing
    ├── RuleError                    a data-contract rule rejected the record or could not run
    │   ├── RuleConditionError           a CONDITION rule evaluated to false
    │   └── KmsAccessDeniedError         the KMS refused access to a KEK's key
    ├── RegistryUnavailableError     retryable: no answer, a timeout or 5xx after every retry
    └── DeadLetterError              retryable: a dead letter was not confirmed written

Callers decide what to do with a record by the class alone: `retryable` is True only for
`RegistryUnavailableError` and `DeadLetterError`, where the same record may succeed once the
registry or broker is back; every other error will fail again on the same bytes and belongs
in a dead-letter topic.

These are the client's view of what a registry answered. The registry server's own domain
errors (`registry.errors`) are a different tree; `SchemaRegistryError` is the name
confluent-kafka gives the same client-side error, which eases switching between the two.
"""

from __future__ import annotations


class SerdesError(Exception):
    """Base class of every error raised by the `serdes` package.

    `topic`, `partition` and `offset` say which record failed, where the caller knows; the
    deserializers fill in the topic and a consumer loop (or `deadletter`) adds the rest.
    """

    retryable: bool = False

    def __init__(
        self,
        message: str,
        *,
        topic: str | None = None,
        partition: int | None = None,
        offset: int | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.topic = topic
        self.partition = partition
        self.offset = offset

    def locate(
        self,
        *,
        topic: str | None = None,
        partition: int | None = None,
        offset: int | None = None,
    ) -> SerdesError:
        """Fill in whichever of topic, partition and offset are still unknown; returns self."""
        if self.topic is None:
            self.topic = topic
        if self.partition is None:
            self.partition = partition
        if self.offset is None:
            self.offset = offset
        return self

    def __str__(self) -> str:
        where = [
            f"{name}={value}"
            for name, value in (
                ("topic", self.topic),
                ("partition", self.partition),
                ("offset", self.offset),
            )
            if value is not None
        ]
        return f"{self.message} ({', '.join(where)})" if where else self.message


class FramingError(SerdesError):
    """The bytes are not a framed record: unknown magic byte, too short, or bad index varints."""


class PayloadError(SerdesError):
    """The value does not match its schema: it cannot be encoded, decoded or validated."""


class SchemaError(SerdesError):
    """A schema cannot be used: it does not parse, has the wrong type or names no record."""


class SerdesConfigError(SerdesError, ValueError):
    """A configuration value is unknown, of the wrong type, or conflicts with another."""


class SchemaRegistryError(SerdesError):
    """The registry answered with an error body (`error_code` and `message`, as Confluent's).

    `status` is the HTTP status and `error_code` Confluent's code (-1 when the body had none).
    """

    def __init__(
        self,
        message: str,
        *,
        status: int,
        error_code: int,
        topic: str | None = None,
        partition: int | None = None,
        offset: int | None = None,
    ) -> None:
        super().__init__(message, topic=topic, partition=partition, offset=offset)
        self.status = status
        self.error_code = error_code


class UnknownSchemaIdError(SchemaRegistryError):
    """No schema is registered with this id (or GUID): Confluent's 40403 on a read by id."""


class UnknownSubjectError(SchemaRegistryError):
    """The registry knows no such subject, version, or this schema under the subject (404xx).

    Raised on a 404 from any subject-scoped call: 40401 (subject), 40402 (version), 40403
    on a lookup (the schema is not registered under the subject).
    """


class RuleError(SerdesError):
    """A rule of the schema's data contract failed and its action was ERROR (or DLQ).

    `rule` is the rule's name and `mode` the mode it ran in (WRITE, READ, UPGRADE,
    DOWNGRADE); the cause (an executor's exception, or a condition's failure) is chained.
    Not retryable: the same record fails the same rule again.
    """

    def __init__(
        self,
        message: str,
        *,
        rule: str | None = None,
        mode: str | None = None,
        topic: str | None = None,
        partition: int | None = None,
        offset: int | None = None,
    ) -> None:
        super().__init__(message, topic=topic, partition=partition, offset=offset)
        self.rule = rule
        self.mode = mode


class KmsAccessDeniedError(RuleError):
    """The KMS refused the caller's credentials access to a KEK's key (not a wrong key)."""


class RuleConditionError(RuleError):
    """A CONDITION rule evaluated to false: the record breaks the contract.

    The message is the rule's `doc`, else "Rule expr failed: <expr>", else
    "Rule failed: <name>", as Confluent's clients word it.
    """


class RegistryUnavailableError(SerdesError):
    """The registry did not answer usefully within the retry budget; the record may succeed later.

    Raised after bounded retries for connection errors, timeouts and 408/429/5xx answers;
    `status` is the last HTTP status seen, None when no answer arrived at all.
    """

    retryable = True

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        topic: str | None = None,
        partition: int | None = None,
        offset: int | None = None,
    ) -> None:
        super().__init__(message, topic=topic, partition=partition, offset=offset)
        self.status = status


class DeadLetterError(SerdesError):
    """A rejected record could not be written to the dead-letter topic; nothing was committed."""

    retryable = True
