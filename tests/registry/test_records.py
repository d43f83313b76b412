"""The `_schemas` record formats: exact key bytes and lenient decoding."""

from __future__ import annotations

import pytest

from compat.types import SchemaType
from registry.records import (
    ClearSubjectKey,
    ConfigKey,
    ConfigValue,
    ContextKey,
    ContextValue,
    DeleteSubjectKey,
    DeleteSubjectValue,
    IdFloorKey,
    IdFloorValue,
    ModeKey,
    ModeValue,
    NoopKey,
    RecordError,
    RecordKey,
    RecordValue,
    Reference,
    SchemaKey,
    SchemaValue,
    decode_key,
    decode_value,
    encode_key,
    encode_value,
    legacy_global_keys,
)


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        (
            SchemaKey("orders-value", 3),
            b'{"keytype":"SCHEMA","subject":"orders-value","version":3,"magic":1}',
        ),
        (ConfigKey("s"), b'{"keytype":"CONFIG","subject":"s","magic":0}'),
        (ConfigKey(None), b'{"keytype":"CONFIG","magic":0}'),
        (ModeKey("s"), b'{"keytype":"MODE","subject":"s","magic":0}'),
        (ModeKey(None), b'{"keytype":"MODE","magic":0}'),
        (DeleteSubjectKey("s"), b'{"keytype":"DELETE_SUBJECT","subject":"s","magic":0}'),
        (ClearSubjectKey("s"), b'{"keytype":"CLEAR_SUBJECT","subject":"s","magic":0}'),
        (
            ContextKey(".ctx"),
            b'{"keytype":"CONTEXT","tenant":"default","context":".ctx","magic":0}',
        ),
        (NoopKey(), b'{"keytype":"NOOP","magic":0}'),
    ],
)
def test_keys_are_byte_identical_to_confluent_and_round_trip(key: object, expected: bytes) -> None:
    assert encode_key(key) == expected  # type: ignore[arg-type]
    assert decode_key(expected) == key


def test_both_global_config_key_forms_decode_to_one_key() -> None:
    assert decode_key(b'{"keytype":"CONFIG","subject":null,"magic":0}') == ConfigKey(None)
    assert decode_key(b'{"keytype":"CONFIG","magic":0}') == ConfigKey(None)
    assert legacy_global_keys(ConfigKey(None)) == [
        b'{"keytype":"CONFIG","magic":0}',
        b'{"keytype":"CONFIG","subject":null,"magic":0}',
    ]


def test_schema_value_field_order_and_round_trip() -> None:
    value = SchemaValue(
        subject="s",
        version=2,
        id=7,
        schema='"string"',
        schema_type=SchemaType.AVRO,
        references=(Reference("a.B", "b", 1),),
    )
    raw = encode_value(value)
    assert raw == (
        b'{"subject":"s","version":2,"id":7,"schemaType":"AVRO",'
        b'"references":[{"name":"a.B","subject":"b","version":1}],'
        b'"schema":"\\"string\\"","deleted":false}'
    )
    assert decode_value(SchemaKey("s", 2), raw) == value


def test_confluent_7_schema_value_without_schema_type_is_avro() -> None:
    raw = b'{"subject":"orders-value","version":1,"id":1,"schema":"\\"string\\"","deleted":false}'
    value = decode_value(SchemaKey("orders-value", 1), raw)
    assert isinstance(value, SchemaValue)
    assert value.schema_type is SchemaType.AVRO
    assert value.schema == '"string"'


def test_other_values_round_trip() -> None:
    cases: list[tuple[RecordKey, RecordValue]] = [
        (ConfigKey("s"), ConfigValue("s", {"compatibilityLevel": "FULL"})),
        (ConfigKey(None), ConfigValue(None, {"compatibilityLevel": "NONE"})),
        (ModeKey(None), ModeValue(None, "READONLY")),
        (DeleteSubjectKey("s"), DeleteSubjectValue("s", 4)),
        (ContextKey(".c"), ContextValue(".c")),
    ]
    for key, value in cases:
        assert decode_value(key, encode_value(value)) == value


def test_old_config_value_without_subject_takes_it_from_the_key() -> None:
    value = decode_value(ConfigKey("s"), b'{"compatibilityLevel":"FULL"}')
    assert value == ConfigValue("s", {"compatibilityLevel": "FULL"})


@pytest.mark.parametrize(
    "raw",
    [
        b"not json",
        b"[1,2]",
        b'{"keytype":"ASSOC","magic":0}',
        b'{"keytype":"SCHEMA","subject":"s","version":1,"magic":2}',
        b'{"keytype":"SCHEMA","subject":"s","version":"one","magic":1}',
        b"\xff\xfe",
    ],
)
def test_unusable_keys_raise_record_error(raw: bytes) -> None:
    with pytest.raises(RecordError):
        decode_key(raw)


def test_schema_value_with_unknown_type_raises_record_error() -> None:
    with pytest.raises(RecordError):
        decode_value(SchemaKey("s", 1), b'{"version":1,"id":1,"schema":"x","schemaType":"XML"}')


def test_id_floor_record_round_trips() -> None:
    key = IdFloorKey(".")
    raw_key = encode_key(key)
    # A NOOP key, which Confluent's reader skips (an unknown key type would stop it).
    assert raw_key == b'{"keytype":"NOOP","magic":0,"cairn":"ID_FLOOR","context":"."}'
    assert decode_key(raw_key) == key
    assert decode_key(b'{"keytype":"NOOP","magic":0}') == NoopKey()
    # The key type logs written by earlier versions used is still read.
    assert decode_key(b'{"keytype":"CAIRN_ID_FLOOR","context":".","magic":0}') == key
    value = IdFloorValue(".", 41)
    assert decode_value(key, encode_value(value)) == value
