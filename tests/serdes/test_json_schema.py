"""JSON Schema serializer and deserializer: validation both ways, drafts, references, caching."""

from __future__ import annotations

import importlib.util
import itertools
import json
from typing import Any

import pytest
from confluent_kafka.serialization import MessageField as CkField
from confluent_kafka.serialization import SerializationContext as CkContext

from serdes.client import CachedRegistryClient, InMemoryRegistryClient, Schema, SchemaReference
from serdes.context import SerializationContext
from serdes.errors import (
    PayloadError,
    RegistryUnavailableError,
    SchemaError,
    SerdesConfigError,
)
from serdes.json_schema import JSONDeserializer, JSONSerializer
from tests.serdes.support import Switchable, framed

_names = itertools.count()
HAS_FASTJSONSCHEMA = importlib.util.find_spec("fastjsonschema") is not None


def person(draft: str = "http://json-schema.org/draft-07/schema#", **extra: Any) -> str:
    return json.dumps(
        {
            "$schema": draft,
            "title": "Person",
            "type": "object",
            "properties": {"name": {"type": "string"}, "age": {"type": "integer", "minimum": 0}},
            "required": ["name"],
            **extra,
        }
    )


def ctx(topic: str | None = None) -> SerializationContext:
    return SerializationContext(topic or f"people{next(_names)}")


@pytest.mark.parametrize("compiled", [True, False])
@pytest.mark.parametrize(
    "draft",
    [
        "http://json-schema.org/draft-04/schema#",
        "http://json-schema.org/draft-07/schema#",
        "https://json-schema.org/draft/2020-12/schema",
    ],
)
def test_round_trip_and_validation_in_each_draft(draft: str, compiled: bool) -> None:
    client = InMemoryRegistryClient()
    c = ctx()
    serializer = JSONSerializer(person(draft), client, compiled_validation=compiled)
    data = serializer({"name": "Ann", "age": 30}, c)
    assert data == b'\x00\x00\x00\x00\x01{"name":"Ann","age":30}'
    deserializer = JSONDeserializer(
        None, schema_registry_client=client, compiled_validation=compiled
    )
    assert deserializer(data, c) == {"name": "Ann", "age": 30}
    for bad in ({"age": 3}, {"name": "Bo", "age": -1}, {"name": 7}):
        with pytest.raises(PayloadError, match="does not match"):
            serializer(bad, c)


def test_non_ascii_is_written_as_utf8() -> None:
    data = framed(JSONSerializer(person(), InMemoryRegistryClient())({"name": "Zoë"}, ctx()))
    assert data[5:].decode("utf-8") == '{"name":"Zoë"}'


def test_validation_can_be_switched_off_on_produce() -> None:
    serializer = JSONSerializer(person(), InMemoryRegistryClient(), conf={"validate": False})
    assert framed(serializer({"age": "x"}, ctx()))[5:] == b'{"age":"x"}'


def test_consume_validation_is_optional() -> None:
    client = InMemoryRegistryClient()
    c = ctx()
    data = JSONSerializer(person(), client, conf={"validate": False})({"age": "x"}, c)
    with pytest.raises(PayloadError) as info:
        JSONDeserializer(None, schema_registry_client=client)(data, c)
    assert info.value.topic == c.topic
    relaxed = JSONDeserializer(None, schema_registry_client=client, conf={"validate": False})
    assert relaxed(data, c) == {"age": "x"}


def test_reader_schema_given_validates_without_asking_the_registry() -> None:
    client = InMemoryRegistryClient()
    c = ctx()
    data = JSONSerializer(person(), client)({"name": "A"}, c)
    before = client.total_calls
    strict = JSONDeserializer(person(required=["name", "age"]), schema_registry_client=client)
    with pytest.raises(PayloadError):
        strict(data, c)
    assert JSONDeserializer(person())(data, c) == {"name": "A"}  # no client at all
    assert client.total_calls == before


def test_a_client_is_needed_when_the_writer_schema_is() -> None:
    with pytest.raises(SerdesConfigError):
        JSONDeserializer(None)


def test_bad_json_payload_is_a_payload_error() -> None:
    client = InMemoryRegistryClient()
    JSONSerializer(person(), client)({"name": "A"}, ctx())
    with pytest.raises(PayloadError, match="not JSON"):
        JSONDeserializer(None, schema_registry_client=client)(b"\x00\x00\x00\x00\x01{nope", ctx())


def test_values_json_cannot_express_are_payload_errors() -> None:
    serializer = JSONSerializer(person(), InMemoryRegistryClient(), conf={"validate": False})
    with pytest.raises(PayloadError, match="cannot be written"):
        serializer({"name": object()}, ctx())


def test_title_is_the_record_name() -> None:
    client = InMemoryRegistryClient()
    JSONSerializer(person(), client, conf={"subject.name.strategy": "RecordNameStrategy"})(
        {"name": "A"}, ctx()
    )
    assert client.get_latest_version("Person").schema.schema_type == "JSON"


def test_invalid_schemas_fail_at_construction() -> None:
    with pytest.raises(SchemaError):
        JSONSerializer('{"type": 12}', InMemoryRegistryClient())
    with pytest.raises(SchemaError):
        JSONSerializer(Schema('"string"', "AVRO"), InMemoryRegistryClient())


def test_references_are_resolved_from_the_registry() -> None:
    client = InMemoryRegistryClient()
    address = json.dumps(
        {"type": "object", "properties": {"zip": {"type": "string"}}, "required": ["zip"]}
    )
    client.register_schema("address", Schema(address, "JSON"))
    customer = Schema(
        json.dumps(
            {
                "$schema": "http://json-schema.org/draft-07/schema#",
                "type": "object",
                "properties": {"address": {"$ref": "address.json"}},
            }
        ),
        "JSON",
        (SchemaReference("address.json", "address", 1),),
    )
    c = ctx()
    serializer = JSONSerializer(customer, client)
    data = serializer({"address": {"zip": "123"}}, c)
    assert JSONDeserializer(None, schema_registry_client=client)(data, c) == {
        "address": {"zip": "123"}
    }
    with pytest.raises(PayloadError):
        serializer({"address": {}}, c)


@pytest.mark.skipif(not HAS_FASTJSONSCHEMA, reason="fastjsonschema is not installed")
def test_compiled_validator_never_fetches_remote_refs() -> None:
    schema = json.dumps(
        {
            "$schema": "http://json-schema.org/draft-07/schema#",
            "$ref": "http://example.invalid/x.json",
        }
    )
    # The compiler resolves refs at build time; refused remote refs fall back to jsonschema,
    # which (with no such resource registered) also refuses rather than fetching.
    with pytest.raises((SchemaError, PayloadError)):
        JSONSerializer(schema, InMemoryRegistryClient())({"a": 1}, ctx())


def test_100k_records_make_exactly_one_registry_call_each_way() -> None:
    inner = InMemoryRegistryClient()
    serializer = JSONSerializer(person(), CachedRegistryClient(inner))
    c = CkContext(f"people{next(_names)}", CkField.VALUE)
    frames = [serializer({"name": "n", "age": i}, c) for i in range(100_000)]
    assert inner.calls == {"register_schema": 1}
    deserializer = JSONDeserializer(None, schema_registry_client=CachedRegistryClient(inner))
    assert sum(deserializer(f, c)["age"] for f in frames) == sum(range(100_000))
    assert inner.calls == {"register_schema": 1, "get_schema": 1}


def test_cached_schemas_keep_flowing_through_an_outage() -> None:
    registry = Switchable()
    client = CachedRegistryClient(registry)
    c = ctx()
    serializer = JSONSerializer(person(), client)
    serializer({"name": "warm"}, c)
    registry.down = True
    assert framed(serializer({"name": "still"}, c))[5:] == b'{"name":"still"}'
    with pytest.raises(RegistryUnavailableError):
        JSONSerializer(person(title="Other"), client)({"name": "x"}, c)


def test_use_latest_version_validates_against_the_newest_schema() -> None:
    client = CachedRegistryClient(InMemoryRegistryClient())
    c = ctx()
    data = framed(JSONSerializer(person(), client)({"name": "A"}, c))
    stricter = person(required=["name", "age"])
    client.register_schema(f"{c.topic}-value", Schema(stricter, "JSON"))
    latest = JSONDeserializer(
        None, schema_registry_client=client, conf={"use.latest.version": True}
    )
    with pytest.raises(PayloadError):
        latest(data, c)
    writer = JSONSerializer(
        None, client, conf={"use.latest.version": True, "auto.register.schemas": False}
    )
    assert framed(writer({"name": "B", "age": 2}, c))[:5] == b"\x00\x00\x00\x00\x02"
