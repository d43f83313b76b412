"""The caching layer: one inner call per question, a lock per key, ids per context, TTL on latest."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable

import pytest

from serdes.client import CachedRegistryClient, InMemoryRegistryClient, Schema
from serdes.client._cached import context_of
from serdes.errors import UnknownSchemaIdError
from tests.serdes.support import WAIT_S, Background, Gated

A = Schema('{"type":"string"}')
B = Schema('{"type":"int"}')


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


# -- concurrency: each key locks alone -------------------------------------------------------


def _two_schemas(registry: Gated) -> tuple[int, int]:
    first = registry.inner.register_schema("s", A).schema_id
    second = registry.inner.register_schema("s", B).schema_id
    return first, second


#: (question held back, the slow call, another call that must not wait for it).
_Case = tuple[
    tuple[str, object],
    Callable[[CachedRegistryClient], object],
    Callable[[CachedRegistryClient], object],
]
_CASES: dict[str, _Case] = {
    "ids": (
        ("get_schema", 1),
        lambda c: c.get_schema(1),
        lambda c: c.get_schema(2),
    ),
    "guid and id": (
        ("get_schema_by_guid", InMemoryRegistryClient.guid_of(1)),
        lambda c: c.get_schema_by_guid(InMemoryRegistryClient.guid_of(1)),
        lambda c: c.get_schema(2),
    ),
    "registrations": (
        ("register_schema", ("s", A.schema_str)),
        lambda c: c.register_schema("s", A),
        lambda c: c.register_schema("s", B),
    ),
    "lookups": (
        ("lookup_schema", ("s", A.schema_str)),
        lambda c: c.lookup_schema("s", A),
        lambda c: c.lookup_schema("s", B),
    ),
    "latest": (
        ("get_latest_version", "s"),
        lambda c: c.get_latest_version("s"),
        lambda c: c.get_latest_with_metadata("s", {}),
    ),
    "versions": (
        ("get_version", "s"),
        lambda c: c.get_version("s", 1),
        lambda c: c.get_schema(1),
    ),
}


@pytest.mark.parametrize("case", _CASES.values(), ids=list(_CASES))
def test_a_slow_miss_does_not_hold_up_a_miss_of_another_key(case: _Case) -> None:
    (method, arg), slow_call, other_call = case
    registry = Gated()
    _two_schemas(registry)
    cached = CachedRegistryClient(registry)
    hold = registry.hold(method, arg)
    slow = Background(lambda: slow_call(cached))
    try:
        assert hold.entered.wait(WAIT_S)
        other = Background(lambda: other_call(cached))
        assert other.finished(), "another key's miss waited for the slow one"
        other.value()
        assert not slow.done.is_set()
    finally:
        hold.release.set()
    slow.value()


_SAME: dict[str, tuple[tuple[str, object], Callable[[CachedRegistryClient], object]]] = {
    "id": (("get_schema", 1), lambda c: c.get_schema(1)),
    "guid": (
        ("get_schema_by_guid", InMemoryRegistryClient.guid_of(1)),
        lambda c: c.get_schema_by_guid(InMemoryRegistryClient.guid_of(1)),
    ),
    "registration": (
        ("register_schema", ("s", A.schema_str)),
        lambda c: c.register_schema("s", A),
    ),
    "lookup": (("lookup_schema", ("s", A.schema_str)), lambda c: c.lookup_schema("s", A)),
    "latest": (("get_latest_version", "s"), lambda c: c.get_latest_version("s")),
    "version": (("get_version", "s"), lambda c: c.get_version("s", 1)),
}


@pytest.mark.parametrize("case", _SAME.values(), ids=list(_SAME))
def test_threads_missing_the_same_key_cause_one_fetch(
    case: tuple[tuple[str, object], Callable[[CachedRegistryClient], object]],
) -> None:
    question, call = case
    registry = Gated()
    _two_schemas(registry)
    cached = CachedRegistryClient(registry)
    hold = registry.hold(*question)
    start = threading.Barrier(8, timeout=WAIT_S)

    def miss() -> object:
        start.wait()
        return call(cached)

    try:
        callers = [Background(miss) for _ in range(8)]
        assert hold.entered.wait(WAIT_S)
    finally:
        hold.release.set()
    results = [caller.value() for caller in callers]
    assert results == [results[0]] * 8
    assert registry.asked[question] == 1


def test_a_failed_fetch_is_not_shared_with_later_callers() -> None:
    registry = Gated()
    cached = CachedRegistryClient(registry)
    hold = registry.hold("get_schema", 7)
    first = Background(lambda: cached.get_schema(7))
    assert hold.entered.wait(WAIT_S)
    second = Background(lambda: cached.get_schema(7))
    hold.release.set()
    for caller in (first, second):
        with pytest.raises(UnknownSchemaIdError):
            caller.value()
    assert registry.asked[("get_schema", 7)] == 2


# -- contexts ----------------------------------------------------------------------------------


class _PerContext:
    """An inner client whose id 1 is a different schema in every context."""

    def __init__(self) -> None:
        self.asked: list[str | None] = []

    def get_schema(self, schema_id: int, *, subject: str | None = None) -> Schema:
        self.asked.append(subject)
        return Schema(json.dumps({"type": "string", "doc": str(subject)}))


@pytest.mark.parametrize(
    ("subject", "context"),
    [(None, "."), ("s", "."), (":.:s", "."), (":.a:s", ".a"), (":.a.b:s", ".a.b"), (":.x", ".")],
)
def test_context_of_a_subject(subject: str | None, context: str) -> None:
    assert context_of(subject) == context


def test_ids_are_cached_per_context() -> None:
    inner = _PerContext()
    cached = CachedRegistryClient(inner)  # type: ignore[arg-type]
    in_a = cached.get_schema(1, subject=":.a:s")
    in_b = cached.get_schema(1, subject=":.b:s")
    assert in_a != in_b
    assert cached.get_schema(1, subject=":.a:other") == in_a
    default = cached.get_schema(1)
    assert cached.get_schema(1, subject="s") == default
    assert inner.asked == [":.a:s", ":.b:s", None]


def test_a_registration_names_its_id_only_in_its_own_context() -> None:
    registry = Gated()
    cached = CachedRegistryClient(registry)
    schema_id = cached.register_schema(":.a:s", A).schema_id
    assert cached.get_schema(schema_id, subject=":.a:t") == A
    assert registry.asked[("get_schema", schema_id)] == 0
    assert cached.get_schema(schema_id) == A
    assert registry.asked[("get_schema", schema_id)] == 1
