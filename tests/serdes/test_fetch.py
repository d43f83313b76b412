"""The deserializers' shared schema fetch: by id or GUID, latest, once per key, a lock per key."""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Callable
from typing import Any

import pytest

from compat.protobuf import ProtobufFormat
from serdes._codec import Register
from serdes._fetch import SchemaFetcher
from serdes.avro import AvroDeserializer, AvroSerializer
from serdes.client import InMemoryRegistryClient, RegistryClient, Schema
from serdes.context import SerializationContext
from serdes.json_schema import JSONDeserializer, JSONSerializer
from serdes.protobuf import ProtobufDeserializer, ProtobufSerializer, message_class
from tests.serdes.support import WAIT_S, Background, Gated, framed

A = Schema('"string"')
B = Schema('"int"')
CTX = SerializationContext("fetched")


class _Texts:
    """A codec whose prepared form is the schema text; counts what it parses."""

    def __init__(self) -> None:
        self.parsed: list[str] = []

    def parse(self, schema: Schema) -> str:
        self.parsed.append(schema.schema_str)
        return schema.schema_str

    def record_name(self, parsed: str) -> str | None:
        return None

    def prefix(self, schema_id: int, parsed: str) -> bytes:
        return b""

    def with_references(self, schema: Schema, register: Register) -> Schema:
        return schema


def test_writer_schemas_are_fetched_and_parsed_once_per_id_or_guid() -> None:
    inner = InMemoryRegistryClient()
    schema_id = inner.register_schema("s", A).schema_id
    codec = _Texts()
    fetcher = SchemaFetcher(inner, codec)
    guid = uuid.UUID(inner.guid_of(schema_id))
    assert fetcher.get(schema_id) is None
    for _ in range(10):
        assert fetcher.writer(schema_id) == A.schema_str
        assert fetcher.writer(guid) == A.schema_str
    assert fetcher.get(schema_id) == A.schema_str
    assert inner.calls == {"register_schema": 1, "get_schema": 1, "get_schema_by_guid": 1}
    assert codec.parsed == [A.schema_str, A.schema_str]


def test_latest_is_asked_every_time_and_parsed_once_per_version() -> None:
    inner = InMemoryRegistryClient()
    inner.register_schema("s", A)
    codec = _Texts()
    fetcher = SchemaFetcher(inner, codec)
    for _ in range(3):
        latest = fetcher.latest("s")
        assert fetcher.parsed("s", latest) == A.schema_str
    inner.register_schema("s", B)
    assert fetcher.parsed("s", fetcher.latest("s")) == B.schema_str
    assert inner.calls["get_latest_version"] == 4
    assert codec.parsed == [A.schema_str, B.schema_str]


def test_latest_with_metadata_asks_for_the_matching_version() -> None:
    inner = InMemoryRegistryClient()
    inner.register_schema("s", Schema(A.schema_str, metadata={"properties": {"v": "1"}}))
    inner.register_schema("s", Schema(B.schema_str, metadata={"properties": {"v": "2"}}))
    fetcher = SchemaFetcher(inner, _Texts(), latest_metadata={"v": "1"})
    assert fetcher.parsed("s", fetcher.latest("s")) == A.schema_str
    assert "get_latest_version" not in inner.calls


def test_a_slow_fetch_does_not_hold_up_another_schema() -> None:
    registry = Gated()
    registry.inner.register_schema("s", A)
    registry.inner.register_schema("s", B)
    fetcher = SchemaFetcher(registry, _Texts())
    hold = registry.hold("get_schema", 1)
    slow = Background(lambda: fetcher.writer(1))
    try:
        assert hold.entered.wait(WAIT_S)
        other = Background(lambda: fetcher.writer(2))
        assert other.finished(), "schema 2 waited for the fetch of schema 1"
        assert other.value() == B.schema_str
    finally:
        hold.release.set()
    assert slow.value() == A.schema_str


# -- the three deserializers use it ----------------------------------------------------------

Deserializer = Callable[[bytes, SerializationContext], Any]


def _avro(
    inner: InMemoryRegistryClient,
) -> tuple[bytes, bytes, Callable[[RegistryClient], Deserializer]]:
    first = framed(AvroSerializer(inner, '"string"')("a", SerializationContext("a")))
    second = framed(AvroSerializer(inner, '"int"')(2, SerializationContext("b")))
    return first, second, AvroDeserializer


def _json(
    inner: InMemoryRegistryClient,
) -> tuple[bytes, bytes, Callable[[RegistryClient], Deserializer]]:
    string = json.dumps({"type": "string"})
    number = json.dumps({"type": "integer"})
    first = framed(JSONSerializer(string, inner)("a", SerializationContext("a")))
    second = framed(JSONSerializer(number, inner)(2, SerializationContext("b")))
    return first, second, lambda client: JSONDeserializer(None, None, client)


def _protobuf(
    inner: InMemoryRegistryClient,
) -> tuple[bytes, bytes, Callable[[RegistryClient], Deserializer]]:
    proto = ProtobufFormat()
    a = message_class(
        proto.parse('syntax = "proto3"; package fa; message A { string s = 1; }'), "fa.A"
    )
    b = message_class(
        proto.parse('syntax = "proto3"; package fb; message B { int64 n = 1; }'), "fb.B"
    )
    first = framed(ProtobufSerializer(a, inner)(a(s="a"), SerializationContext("a")))
    second = framed(ProtobufSerializer(b, inner)(b(n=2), SerializationContext("b")))
    return first, second, lambda client: ProtobufDeserializer(None, schema_registry_client=client)


_FORMATS = {"avro": _avro, "json": _json, "protobuf": _protobuf}
Setup = Callable[
    [InMemoryRegistryClient], tuple[bytes, bytes, Callable[[RegistryClient], Deserializer]]
]


@pytest.mark.parametrize("setup", _FORMATS.values(), ids=list(_FORMATS))
def test_a_slow_writer_schema_does_not_hold_up_records_of_another(setup: Setup) -> None:
    registry = Gated()
    first, second, make = setup(registry.inner)
    deserializer = make(registry)
    hold = registry.hold("get_schema", 1)
    slow = Background(lambda: deserializer(first, CTX))
    try:
        assert hold.entered.wait(WAIT_S)
        other = Background(lambda: deserializer(second, CTX))
        assert other.finished(), "a record of schema 2 waited for the fetch of schema 1"
        other.value()
        assert not slow.done.is_set()
    finally:
        hold.release.set()
    slow.value()


@pytest.mark.parametrize("setup", _FORMATS.values(), ids=list(_FORMATS))
def test_threads_reading_a_new_schema_fetch_it_once(setup: Setup) -> None:
    registry = Gated()
    first, _, make = setup(registry.inner)
    deserializer = make(registry)
    hold = registry.hold("get_schema", 1)
    start = threading.Barrier(8, timeout=WAIT_S)

    def read() -> object:
        start.wait()
        return deserializer(first, CTX)

    try:
        readers = [Background(read) for _ in range(8)]
        assert hold.entered.wait(WAIT_S)
    finally:
        hold.release.set()
    values = [reader.value() for reader in readers]
    assert values == [values[0]] * 8
    assert registry.asked[("get_schema", 1)] == 1
