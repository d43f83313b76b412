"""The error tree: location details, retryability, and what subclasses what."""

from __future__ import annotations

from serdes.errors import (
    DeadLetterError,
    FramingError,
    PayloadError,
    RegistryError,
    RegistryUnavailableError,
    SchemaError,
    SerdesConfigError,
    SerdesError,
    SubjectNotFoundError,
    UnknownSchemaIdError,
)


def test_every_error_is_a_serdes_error() -> None:
    for kind in (
        FramingError,
        PayloadError,
        SchemaError,
        SerdesConfigError,
        RegistryError,
        UnknownSchemaIdError,
        SubjectNotFoundError,
        RegistryUnavailableError,
        DeadLetterError,
    ):
        assert issubclass(kind, SerdesError), kind
    assert issubclass(UnknownSchemaIdError, RegistryError)
    assert issubclass(SerdesConfigError, ValueError)


def test_only_outages_are_retryable() -> None:
    assert RegistryUnavailableError("down").retryable
    assert DeadLetterError("not written").retryable
    assert not FramingError("bad").retryable
    assert not UnknownSchemaIdError("gone", status=404, error_code=40403).retryable


def test_locate_fills_only_unknown_fields_and_shows_them() -> None:
    error = PayloadError("bad value", topic="orders")
    assert error.locate(topic="other", partition=2, offset=17) is error
    assert (error.topic, error.partition, error.offset) == ("orders", 2, 17)
    assert str(error) == "bad value (topic=orders, partition=2, offset=17)"
    assert str(FramingError("plain")) == "plain"


def test_registry_errors_carry_status_and_code() -> None:
    error = SubjectNotFoundError("Subject 'x' not found.", status=404, error_code=40401)
    assert (error.status, error.error_code, error.message) == (404, 40401, "Subject 'x' not found.")
