"""The error tree: location details, retryability, and what subclasses what."""

from __future__ import annotations

import inspect

import serdes
import serdes.errors
from serdes.errors import (
    DeadLetterError,
    FramingError,
    PayloadError,
    RegistryUnavailableError,
    SchemaError,
    SchemaRegistryError,
    SerdesConfigError,
    SerdesError,
    UnknownSchemaIdError,
    UnknownSubjectError,
)


def test_every_error_is_a_serdes_error() -> None:
    for kind in (
        FramingError,
        PayloadError,
        SchemaError,
        SerdesConfigError,
        SchemaRegistryError,
        UnknownSchemaIdError,
        UnknownSubjectError,
        RegistryUnavailableError,
        DeadLetterError,
    ):
        assert issubclass(kind, SerdesError), kind
    assert issubclass(UnknownSchemaIdError, SchemaRegistryError)
    assert issubclass(UnknownSubjectError, SchemaRegistryError)
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
    error = UnknownSubjectError("Subject 'x' not found.", status=404, error_code=40401)
    assert (error.status, error.error_code, error.message) == (404, 40401, "Subject 'x' not found.")


def test_the_tree_in_the_docstring_and_the_package_name_every_error() -> None:
    classes = [
        value
        for value in vars(serdes.errors).values()
        if inspect.isclass(value) and issubclass(value, SerdesError)
    ]
    assert len(classes) == 13
    doc = serdes.errors.__doc__ or ""
    for kind in classes:
        assert f" {kind.__name__} " in doc, kind
        assert kind.__name__ in serdes.__all__, kind
