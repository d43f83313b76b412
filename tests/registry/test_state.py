"""The state machine: replaying `_schemas` records as Confluent and Karapace write them."""

from __future__ import annotations

import logging

import pytest

from registry.log.base import LogRecord
from registry.state import RegistryState

STRING = '"string"'


def replay(*records: tuple[bytes, bytes | None]) -> RegistryState:
    state = RegistryState()
    for offset, (key, value) in enumerate(records):
        state.apply(LogRecord(offset, key, value, 1_700_000_000_000 + offset))
    return state


def schema_key(subject: str, version: int) -> bytes:
    return f'{{"keytype":"SCHEMA","subject":"{subject}","version":{version},"magic":1}}'.encode()


def schema_value(
    subject: str, version: int, schema_id: int, schema: str = STRING, **extra: str
) -> bytes:
    fields = "".join(f',"{k}":{v}' for k, v in extra.items())
    text = schema.replace('"', '\\"')
    return (
        f'{{"subject":"{subject}","version":{version},"id":{schema_id},"schema":"{text}"'
        f'{fields},"deleted":false}}'
    ).encode()


def test_confluent_records_replay_into_subjects_versions_and_ids() -> None:
    state = replay(
        (schema_key("a", 1), schema_value("a", 1, 1)),
        (schema_key("a", 2), schema_value("a", 2, 2, '"int"')),
        (schema_key("b", 1), schema_value("b", 1, 1)),
    )
    assert sorted(state.subjects()) == ["a", "b"]
    assert [v.schema.id for v in state.versions("a").values()] == [1, 2]
    assert state.max_id(".") == 2
    # One schema carried by two subjects is stored once.
    assert state.versions("a")[1].schema is state.versions("b")[1].schema
    assert [(c.subject, c.version) for c in state.carriers(".", 1)] == [("a", 1), ("b", 1)]


def test_delete_subject_marks_versions_up_to_the_given_one() -> None:
    state = replay(
        (schema_key("a", 1), schema_value("a", 1, 1)),
        (schema_key("a", 2), schema_value("a", 2, 2, '"int"')),
        (b'{"keytype":"DELETE_SUBJECT","subject":"a","magic":0}', b'{"subject":"a","version":1}'),
    )
    assert state.versions("a")[1].deleted
    assert not state.versions("a")[2].deleted


def test_schema_tombstone_hard_deletes_and_frees_the_id_when_no_carrier_is_left() -> None:
    state = replay(
        (schema_key("a", 1), schema_value("a", 1, 1)),
        (schema_key("b", 1), schema_value("b", 1, 1)),
        (schema_key("a", 1), None),
    )
    assert "a" not in list(state.subjects())
    assert state.schema(".", 1) is not None
    state.apply(LogRecord(3, schema_key("b", 1), None, 0))
    assert state.schema(".", 1) is None
    assert state.max_id(".") == 1


def test_duplicate_id_with_other_content_is_skipped(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING):
        state = replay(
            (schema_key("a", 1), schema_value("a", 1, 1)),
            (schema_key("b", 1), schema_value("b", 1, 1, '"int"')),
        )
    assert state.versions("b") == {}
    assert state.skipped_records == 1
    assert "already holds another schema" in caplog.text


def test_garbage_records_are_skipped_not_raised() -> None:
    state = replay(
        (b"\x00\x01garbage", b"{}"),
        (b'{"keytype":"ASSOC","magic":0}', b"{}"),
        (schema_key("a", 1), b"not json"),
        (b'{"keytype":"NOOP","magic":0}', None),
        (schema_key("a", 1), schema_value("a", 1, 1)),
    )
    assert state.skipped_records == 3
    assert state.next_offset == 5
    assert list(state.versions("a")) == [1]


def test_global_config_in_both_key_forms_is_one_setting_and_last_wins() -> None:
    state = replay(
        (b'{"keytype":"CONFIG","subject":null,"magic":0}', b'{"compatibilityLevel":"FULL"}'),
        (b'{"keytype":"CONFIG","magic":0}', b'{"compatibilityLevel":"NONE"}'),
    )
    assert state.config(None) == {"compatibilityLevel": "NONE"}
    state.apply(LogRecord(2, b'{"keytype":"CONFIG","subject":null,"magic":0}', None, 0))
    assert state.config(None) is None


def test_modes_and_contexts() -> None:
    state = replay(
        (b'{"keytype":"MODE","subject":"s","magic":0}', b'{"subject":"s","mode":"readonly"}'),
        (
            b'{"keytype":"CONTEXT","tenant":"default","context":".team","magic":0}',
            b'{"tenant":"default","context":".team"}',
        ),
        (schema_key(":.other:x", 1), schema_value(":.other:x", 1, 1)),
    )
    assert state.mode("s") == "READONLY"
    assert state.contexts() == [".", ".other", ".team"]
    assert state.schema(".other", 1) is not None
    assert state.schema(".", 1) is None


def test_references_index_referrers() -> None:
    refs = '[{"name":"b.avsc","subject":"b","version":1}]'
    state = replay(
        (schema_key("b", 1), schema_value("b", 1, 1)),
        (schema_key("a", 1), schema_value("a", 1, 2, '"int"', references=refs)),
    )
    assert [(r.subject, r.version) for r in state.referrers("b", 1)] == [("a", 1)]
    state.apply(LogRecord(2, schema_key("a", 1), None, 0))
    assert state.referrers("b", 1) == []


def test_records_already_applied_are_ignored() -> None:
    state = replay((schema_key("a", 1), schema_value("a", 1, 1)))
    state.apply(LogRecord(0, schema_key("a", 1), None, 0))
    assert list(state.versions("a")) == [1]


def test_karapace_style_records_replay() -> None:
    # Karapace writes sorted keys with spaces, and JSON/PROTOBUF schemas this build may not
    # parse: replay stores them untouched; only the API is strict.
    state = replay(
        (
            b'{"keytype": "SCHEMA", "magic": 1, "subject": "k", "version": 1}',
            b'{"deleted": false, "id": 7, "schema": "{\\"type\\": \\"object\\"}", '
            b'"schemaType": "JSON", "subject": "k", "version": 1}',
        ),
        (b'{"keytype": "CONFIG", "magic": 0, "subject": null}', b'{"compatibilityLevel": "FULL"}'),
        (b'{"keytype": "NOOP", "magic": 0}', None),
    )
    stored = state.schema(".", 7)
    assert stored is not None
    assert stored.schema == '{"type": "object"}'
    assert stored.schema_type.value == "JSON"
    assert state.config(None) == {"compatibilityLevel": "FULL"}
    assert state.max_id(".") == 7
