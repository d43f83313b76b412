"""The in-memory registry users test with: ids, versions, lookups and call counts."""

from __future__ import annotations

import pytest

from serdes.client import InMemoryRegistryClient, Schema
from serdes.errors import UnknownSchemaIdError, UnknownSubjectError

A = Schema('{"type":"string"}')
B = Schema('{"type":"int"}')


def test_register_is_idempotent_and_ids_are_shared_across_subjects() -> None:
    client = InMemoryRegistryClient()
    first = client.register_schema("s-value", A)
    assert client.register_schema("s-value", A) == first
    assert (first.schema_id, first.version) == (1, 1)
    other = client.register_schema("t-value", A)
    assert (other.schema_id, other.version) == (1, 1)
    second = client.register_schema("s-value", B)
    assert (second.schema_id, second.version) == (2, 2)


def test_reads_by_id_guid_version_and_latest() -> None:
    client = InMemoryRegistryClient()
    client.register_schema("s", A)
    registered = client.register_schema("s", B)
    assert client.get_schema(registered.schema_id) == B
    assert registered.guid is not None
    assert client.get_schema_by_guid(registered.guid) == B
    assert client.get_version("s", 1).schema == A
    assert client.get_latest_version("s") == registered
    assert client.lookup_schema("s", A).version == 1


def test_missing_things_raise_typed_errors() -> None:
    client = InMemoryRegistryClient()
    with pytest.raises(UnknownSchemaIdError):
        client.get_schema(99)
    with pytest.raises(UnknownSubjectError) as info:
        client.lookup_schema("nope", A)
    assert info.value.error_code == 40401
    client.register_schema("s", A)
    with pytest.raises(UnknownSubjectError) as info:
        client.lookup_schema("s", B)
    assert info.value.error_code == 40403
    with pytest.raises(UnknownSubjectError):
        client.get_version("s", 2)


def test_latest_with_metadata_matches_properties() -> None:
    client = InMemoryRegistryClient()
    v1 = Schema('{"type":"string"}', metadata={"properties": {"app": "x", "major": "1"}})
    v2 = Schema('{"type":"long"}', metadata={"properties": {"app": "x", "major": "2"}})
    client.register_schema("s", v1)
    client.register_schema("s", v2)
    assert client.get_latest_with_metadata("s", {"major": "1"}).schema == v1
    assert client.get_latest_with_metadata("s", {"app": "x"}).schema == v2
    with pytest.raises(UnknownSubjectError):
        client.get_latest_with_metadata("s", {"major": "3"})


def test_calls_are_counted() -> None:
    client = InMemoryRegistryClient()
    client.register_schema("s", A)
    client.get_schema(1)
    client.get_schema(1)
    assert client.calls == {"register_schema": 1, "get_schema": 2}
    assert client.total_calls == 3
