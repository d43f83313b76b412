"""KEK and DEK records: their bytes, and how the state applies them beside `_schemas` records."""

from __future__ import annotations

import dataclasses
import json

import pytest

from registry.dek_records import (
    Dek,
    DekKey,
    Kek,
    KekKey,
    decode_key,
    decode_value,
    encode_key,
    encode_value,
    is_key_record,
)
from registry.log.base import LogRecord
from registry.records import NoopKey
from registry.records import decode_key as decode_schemas_key
from registry.state import RegistryState

KEK = Kek("k1", "local-kms", "key-1", {"b": "2", "a": "1"}, "doc", shared=True)
DEK = Dek("k1", "orders-value", 2, "AES256_SIV", "d3JhcHBlZA==")


def test_keys_lead_with_the_noop_header_then_confluents_key_fields() -> None:
    assert encode_key(KekKey("k1")) == (
        b'{"keytype":"NOOP","magic":0,"type":"KEK","tenant":"default","name":"k1"}'
    )
    assert json.loads(encode_key(DekKey("k1", "s", "AES256_GCM", 3))) == {
        "keytype": "NOOP",
        "magic": 0,
        "type": "DEK",
        "tenant": "default",
        "kekName": "k1",
        "subject": "s",
        "algorithm": "AES256_GCM",
        "version": 3,
    }


def test_a_schemas_reader_sees_them_as_noop_records() -> None:
    # Cairn's own `_schemas` decoder, like Confluent's, reads the header and nothing more.
    assert decode_schemas_key(encode_key(KekKey("k1"))) == NoopKey()
    assert not is_key_record(b'{"keytype":"NOOP","magic":0}')
    assert is_key_record(encode_key(DekKey("k", "s", "AES256_GCM", 1)))


@pytest.mark.parametrize(
    ("key", "value"), [(KekKey("k1"), KEK), (DekKey("k1", "orders-value", "AES256_SIV", 2), DEK)]
)
def test_values_round_trip_with_the_record_timestamp(
    key: KekKey | DekKey, value: Kek | Dek
) -> None:
    raw = encode_value(value)
    assert b'"ts"' not in raw
    decoded = decode_value(decode_key(encode_key(key)), raw, 1234)
    assert decoded.ts == 1234
    assert decoded.to_json() == {**value.to_json(), "ts": 1234}


def _record(offset: int, key: bytes, value: bytes | None) -> LogRecord:
    return LogRecord(offset=offset, key=key, value=value, timestamp_ms=1000 + offset)


def test_state_applies_puts_and_tombstones_and_skips_garbage() -> None:
    state = RegistryState()
    kek_key = encode_key(KekKey("k1"))
    dek_key = encode_key(DekKey("k1", "orders-value", "AES256_SIV", 2))
    state.apply(_record(0, kek_key, encode_value(KEK)))
    state.apply(_record(1, dek_key, encode_value(DEK)))
    state.apply(_record(2, b'{"keytype":"NOOP","magic":0,"type":"DEK"}', b"{}"))
    state.apply(_record(3, dek_key, b"not json"))
    assert state.skipped_records == 2
    assert state.keys.kek("k1") == dataclasses.replace(KEK, ts=1000)
    assert [d.version for d in state.keys.deks("k1")] == [2]
    state.apply(_record(4, dek_key, None))
    assert state.keys.deks("k1") == []
    assert list(state.subjects()) == []
