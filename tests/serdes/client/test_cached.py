"""The caching layer: one inner call per question, hits that survive an outage, TTL on latest."""

from __future__ import annotations

import threading

import pytest

from serdes.client import CachedRegistryClient, InMemoryRegistryClient, Schema
from serdes.errors import UnknownSchemaIdError

A = Schema('{"type":"string"}')


def test_ids_registrations_lookups_and_versions_are_fetched_once() -> None:
    inner = InMemoryRegistryClient()
    schema_id = inner.register_schema("s", A).schema_id
    cached = CachedRegistryClient(inner)
    for _ in range(100):
        assert cached.get_schema(schema_id) == A
        assert cached.lookup_schema("s", A).schema_id == schema_id
        assert cached.register_schema("s", A).schema_id == schema_id
        assert cached.get_version("s", 1).schema == A
    assert inner.calls == {
        "register_schema": 2,  # the setup call, then one through the cache
        "get_schema": 1,
        "lookup_schema": 1,
        "get_version": 1,
    }


def test_a_registration_answers_later_reads_of_its_id() -> None:
    inner = InMemoryRegistryClient()
    cached = CachedRegistryClient(inner)
    schema_id = cached.register_schema("s", A).schema_id
    assert cached.get_schema(schema_id) == A
    assert cached.lookup_schema("s", A).schema_id == schema_id
    assert inner.calls == {"register_schema": 1}


def test_errors_are_not_cached() -> None:
    inner = InMemoryRegistryClient()
    cached = CachedRegistryClient(inner)
    with pytest.raises(UnknownSchemaIdError):
        cached.get_schema(1)
    inner.register_schema("s", A)
    assert cached.get_schema(1) == A


def test_latest_is_refreshed_after_its_ttl() -> None:
    now = [0.0]
    inner = InMemoryRegistryClient()
    inner.register_schema("s", A)
    cached = CachedRegistryClient(inner, latest_ttl_s=10.0, clock=lambda: now[0])
    assert cached.get_latest_version("s").version == 1
    inner.register_schema("s", Schema('{"type":"int"}'))
    now[0] = 9.0
    assert cached.get_latest_version("s").version == 1
    now[0] = 10.5
    assert cached.get_latest_version("s").version == 2
    assert inner.calls["get_latest_version"] == 2


def test_latest_without_ttl_is_kept() -> None:
    inner = InMemoryRegistryClient()
    inner.register_schema("s", A)
    cached = CachedRegistryClient(inner)
    cached.get_latest_version("s")
    inner.register_schema("s", Schema('{"type":"int"}'))
    assert cached.get_latest_version("s").version == 1


class _Gate:
    """An inner client whose get_schema blocks until released, counting calls."""

    def __init__(self) -> None:
        self.calls = 0
        self.entered = threading.Event()
        self.release = threading.Event()

    def get_schema(self, schema_id: int, *, subject: str | None = None) -> Schema:
        self.calls += 1
        self.entered.set()
        assert self.release.wait(10)
        return A


def test_concurrent_misses_for_one_id_cause_one_call() -> None:
    gate = _Gate()
    cached = CachedRegistryClient(gate)  # type: ignore[arg-type]
    results: list[Schema] = []
    threads = [
        threading.Thread(target=lambda: results.append(cached.get_schema(5))) for _ in range(8)
    ]
    for thread in threads:
        thread.start()
    assert gate.entered.wait(10)
    gate.release.set()
    for thread in threads:
        thread.join(10)
    assert results == [A] * 8
    assert gate.calls == 1
