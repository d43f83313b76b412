"""Avro serializer and deserializer: options, projection, errors, caching and outages."""

from __future__ import annotations

import itertools
import json
import struct
import uuid
from dataclasses import dataclass
from typing import Any

import pytest
from confluent_kafka.serialization import MessageField as CkField
from confluent_kafka.serialization import SerializationContext as CkContext

from serdes.avro import AvroDeserializer, AvroSerializer
from serdes.client import CachedRegistryClient, InMemoryRegistryClient, Schema, SchemaReference
from serdes.context import MessageField, SerializationContext
from serdes.errors import (
    FramingError,
    PayloadError,
    RegistryUnavailableError,
    SchemaError,
    SerdesConfigError,
    UnknownSchemaIdError,
    UnknownSubjectError,
)
from serdes.framing import VALUE_SCHEMA_ID_HEADER
from tests.serdes.support import Switchable, framed

_names = itertools.count()


def record(
    name: str, *fields: tuple[str, Any] | tuple[str, Any, Any], ns: str = "com.example"
) -> str:
    """Avro record text; a third tuple item is the field's default."""
    out = []
    for spec in fields:
        entry: dict[str, Any] = {"name": spec[0], "type": spec[1]}
        if len(spec) == 3:
            entry["default"] = spec[2]
        out.append(entry)
    return json.dumps({"type": "record", "name": name, "namespace": ns, "fields": out})


V1 = record("Order", ("id", "string"), ("qty", "int"))
V2 = record("Order", ("id", "string"), ("qty", "long"), ("note", "string", "none"))


def topic() -> str:
    return f"orders{next(_names)}"


def ctx(name: str, field: MessageField = MessageField.VALUE) -> SerializationContext:
    return SerializationContext(name, field)


def test_round_trip_and_exact_bytes() -> None:
    client = InMemoryRegistryClient()
    t = topic()
    data = AvroSerializer(client, V1)({"id": "a", "qty": 3}, ctx(t))
    assert data == b"\x00" + struct.pack(">I", 1) + b"\x02a\x06"
    assert AvroDeserializer(client)(data, ctx(t)) == {"id": "a", "qty": 3}
    assert client.get_latest_version(f"{t}-value").schema.schema_str == V1


def test_confluent_kafkas_context_works_and_keys_get_their_own_subject() -> None:
    client = InMemoryRegistryClient()
    t = topic()
    key = AvroSerializer(client, '"string"')("k1", CkContext(t, CkField.KEY))
    assert AvroDeserializer(client)(key, CkContext(t, CkField.KEY)) == "k1"
    assert client.get_latest_version(f"{t}-key").schema.schema_str == '"string"'


def test_none_is_a_tombstone_both_ways() -> None:
    client = InMemoryRegistryClient()
    assert AvroSerializer(client, V1)(None, ctx("t")) is None
    assert AvroDeserializer(client)(None, ctx("t")) is None
    assert client.total_calls == 0


@dataclass(frozen=True)
class Order:
    id: str
    qty: int


def test_to_dict_and_from_dict_hooks_receive_the_context() -> None:
    client = InMemoryRegistryClient()
    seen: list[object] = []

    def to_dict(order: Order, c: object) -> dict[str, Any]:
        seen.append(c)
        return {"id": order.id, "qty": order.qty}

    def from_dict(d: dict[str, Any], c: object) -> Order:
        seen.append(c)
        return Order(**d)

    c = ctx(topic())
    data = AvroSerializer(client, V1, to_dict)(Order("x", 1), c)
    assert AvroDeserializer(client, None, from_dict)(data, c) == Order("x", 1)
    assert seen == [c, c]


def test_old_data_is_projected_into_the_reader_schema() -> None:
    client = InMemoryRegistryClient()
    t = topic()
    old = AvroSerializer(client, V1)({"id": "a", "qty": 3}, ctx(t))
    reader = AvroDeserializer(client, V2)
    assert reader(old, ctx(t)) == {"id": "a", "qty": 3, "note": "none"}


def test_use_latest_version_on_both_sides() -> None:
    client = CachedRegistryClient(InMemoryRegistryClient(), latest_ttl_s=0)
    t = topic()
    old = AvroSerializer(client, V1)({"id": "a", "qty": 3}, ctx(t))
    client.register_schema(f"{t}-value", Schema(V2))
    latest = AvroSerializer(client, None, conf={"use.latest.version": True})
    new = framed(latest({"id": "b", "qty": 4, "note": "hi"}, ctx(t)))
    assert new[:5] == b"\x00\x00\x00\x00\x02"
    reader = AvroDeserializer(client, conf={"use.latest.version": True})
    assert reader(old, ctx(t)) == {"id": "a", "qty": 3, "note": "none"}
    assert reader(new, ctx(t)) == {"id": "b", "qty": 4, "note": "hi"}


def test_use_latest_with_metadata_picks_the_matching_version() -> None:
    client = InMemoryRegistryClient()
    t = topic()
    client.register_schema(f"{t}-value", Schema(V1, metadata={"properties": {"major": "1"}}))
    client.register_schema(f"{t}-value", Schema(V2, metadata={"properties": {"major": "2"}}))
    serializer = AvroSerializer(client, None, conf={"use.latest.with.metadata": {"major": "1"}})
    assert framed(serializer({"id": "a", "qty": 1}, ctx(t)))[:5] == b"\x00\x00\x00\x00\x01"


def test_use_schema_id_writes_that_id_with_its_schema() -> None:
    client = InMemoryRegistryClient()
    fixed = client.register_schema("elsewhere", Schema(V2)).schema_id
    serializer = AvroSerializer(client, V1, conf={"use.schema.id": fixed})
    data = framed(serializer({"id": "a", "qty": 2, "note": "n"}, ctx(topic())))
    assert data[:5] == b"\x00" + struct.pack(">I", fixed)
    assert AvroDeserializer(client)(data, ctx("x"))["note"] == "n"
    assert "register_schema" not in {k for k, v in client.calls.items() if v > 1}


def test_without_auto_register_the_schema_must_exist() -> None:
    client = InMemoryRegistryClient()
    t = topic()
    lookup = AvroSerializer(client, V1, conf={"auto.register.schemas": False})
    with pytest.raises(UnknownSubjectError) as info:
        lookup({"id": "a", "qty": 1}, ctx(t))
    assert info.value.topic == t
    registered = client.register_schema(f"{t}-value", Schema(V1)).schema_id
    assert framed(lookup({"id": "a", "qty": 1}, ctx(t)))[1:5] == struct.pack(">I", registered)


def test_record_strategies_use_the_full_name() -> None:
    client = InMemoryRegistryClient()
    t = topic()
    AvroSerializer(client, V1, conf={"subject.name.strategy": "RecordNameStrategy"})(
        {"id": "a", "qty": 1}, ctx(t)
    )
    AvroSerializer(client, V1, conf={"subject.name.strategy": "TopicRecordNameStrategy"})(
        {"id": "a", "qty": 1}, ctx(t)
    )
    custom = AvroSerializer(
        client, V1, conf={"subject.name.strategy": lambda c, name: f"x.{c.topic}.{name}"}
    )
    custom({"id": "a", "qty": 1}, ctx(t))
    for subject in ("com.example.Order", f"{t}-com.example.Order", f"x.{t}.com.example.Order"):
        assert client.get_latest_version(subject).schema_id == 1


@pytest.mark.parametrize(
    "conf",
    [
        {"auto.register.schemas": "yes"},
        {"use.latest.version": True, "auto.register.schemas": True},
        {"use.schema.id": -1},
        {"use.schema.id": 1, "use.latest.version": True},
        {"use.latest.with.metadata": {"a": 1}},
        {"no.such.key": True},
    ],
)
def test_bad_configuration_fails_at_construction(conf: dict[str, object]) -> None:
    with pytest.raises(SerdesConfigError):
        AvroSerializer(InMemoryRegistryClient(), V1, conf=conf)


def test_invalid_schemas_fail_at_construction() -> None:
    with pytest.raises(SchemaError):
        AvroSerializer(InMemoryRegistryClient(), '{"type": "record", "name": "R"}')
    with pytest.raises(SchemaError):
        AvroSerializer(InMemoryRegistryClient(), Schema('{"type":"string"}', "JSON"))
    with pytest.raises(SerdesConfigError):
        AvroSerializer(InMemoryRegistryClient(), None)


def test_a_value_that_does_not_fit_is_a_payload_error() -> None:
    t = topic()
    with pytest.raises(PayloadError, match="schema id 1") as info:
        AvroSerializer(InMemoryRegistryClient(), V1)({"id": "a", "qty": "three"}, ctx(t))
    assert info.value.topic == t


def test_bad_bytes_are_typed_errors_with_their_location() -> None:
    client = InMemoryRegistryClient()
    t = topic()
    good = framed(AvroSerializer(client, V1)({"id": "abc", "qty": 1}, ctx(t)))
    reader = AvroDeserializer(client)
    where = SerializationContext(t, partition=4, offset=99)
    with pytest.raises(FramingError) as framing:
        reader(b"\x07" + good[1:], where)
    assert (framing.value.topic, framing.value.partition, framing.value.offset) == (t, 4, 99)
    with pytest.raises(FramingError):
        reader(good[:3], where)
    with pytest.raises(PayloadError):
        reader(good[:7], where)  # the string is cut short
    with pytest.raises(UnknownSchemaIdError) as unknown:
        reader(b"\x00\x00\x00\x03\xe7" + good[5:], where)
    assert unknown.value.offset == 99


def test_guid_prefix_and_header_forms_are_read() -> None:
    client = InMemoryRegistryClient()
    t = topic()
    data = framed(AvroSerializer(client, V1)({"id": "g", "qty": 5}, ctx(t)))
    guid = uuid.UUID(client.guid_of(1))
    reader = AvroDeserializer(client)
    assert reader(b"\x01" + guid.bytes + data[5:], ctx(t)) == {"id": "g", "qty": 5}
    headers = [(VALUE_SCHEMA_ID_HEADER, b"\x01" + guid.bytes)]
    assert reader(data[5:], SerializationContext(t, headers=headers)) == {"id": "g", "qty": 5}


def test_referenced_named_types_are_resolved() -> None:
    client = InMemoryRegistryClient()
    money = record("Money", ("cents", "long"))
    client.register_schema("money", Schema(money))
    order = Schema(
        record("Priced", ("id", "string"), ("price", "com.example.Money")),
        references=(SchemaReference("com.example.Money", "money", 1),),
    )
    t = topic()
    data = AvroSerializer(client, order)({"id": "p", "price": {"cents": 250}}, ctx(t))
    assert AvroDeserializer(client)(data, ctx(t)) == {"id": "p", "price": {"cents": 250}}


def test_100k_records_make_exactly_one_registry_call_each_way() -> None:
    inner = InMemoryRegistryClient()
    client = CachedRegistryClient(inner)
    serializer = AvroSerializer(client, V1)
    t = topic()
    frames = [
        serializer({"id": "r", "qty": i}, CkContext(t, CkField.VALUE)) for i in range(100_000)
    ]
    assert inner.calls == {"register_schema": 1}
    fresh = InMemoryRegistryClient()
    fresh.register_schema(f"{t}-value", Schema(V1))
    before = fresh.total_calls
    deserializer = AvroDeserializer(CachedRegistryClient(fresh))
    assert [deserializer(f, CkContext(t, CkField.VALUE))["qty"] for f in frames] == list(
        range(100_000)
    )
    assert fresh.total_calls - before == 1
    assert fresh.calls["get_schema"] == 1


def test_one_call_per_subject_even_without_a_caching_client() -> None:
    inner = InMemoryRegistryClient()
    serializer = AvroSerializer(inner, V1)
    for i in range(1000):
        serializer({"id": "r", "qty": i}, ctx("a" if i % 2 else "b"))
    assert inner.calls == {"register_schema": 2}


def test_cached_schemas_keep_flowing_through_an_outage() -> None:
    registry = Switchable()
    client = CachedRegistryClient(registry)
    t = topic()
    serializer = AvroSerializer(client, V1)
    deserializer = AvroDeserializer(client)
    warm = serializer({"id": "a", "qty": 1}, ctx(t))
    deserializer(warm, ctx(t))
    other = AvroSerializer(registry.inner, V2)({"id": "b", "qty": 2}, ctx(topic()))
    registry.down = True
    for i in range(100):
        data = serializer({"id": "a", "qty": i}, ctx(t))
        assert deserializer(data, ctx(t))["qty"] == i
    with pytest.raises(RegistryUnavailableError) as info:
        deserializer(other, ctx(t))
    assert info.value.retryable
    assert info.value.topic == t
    with pytest.raises(RegistryUnavailableError):
        AvroSerializer(client, V2)({"id": "b", "qty": 2}, ctx(t))
    registry.down = False
    assert deserializer(other, ctx(t))["qty"] == 2


def test_use_latest_version_follows_new_versions_through_the_clients_cache() -> None:
    now = [0.0]
    inner = InMemoryRegistryClient()
    client = CachedRegistryClient(inner, latest_ttl_s=60, clock=lambda: now[0])
    t = topic()
    inner.register_schema(f"{t}-value", Schema(V1))
    serializer = AvroSerializer(client, None, conf={"use.latest.version": True})
    assert framed(serializer({"id": "a", "qty": 1}, ctx(t)))[1:5] == struct.pack(">I", 1)
    inner.register_schema(f"{t}-value", Schema(V2))
    for _ in range(100):
        assert framed(serializer({"id": "a", "qty": 1}, ctx(t)))[1:5] == struct.pack(">I", 1)
    now[0] = 61.0
    data = framed(serializer({"id": "b", "qty": 2, "note": "new"}, ctx(t)))
    assert data[1:5] == struct.pack(">I", 2)
    assert inner.calls["get_latest_version"] == 2
