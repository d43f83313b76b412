"""confluent-kafka's JSON Schema serdes and references against a real Cairn process."""

from __future__ import annotations

import itertools
import json
import struct
from collections.abc import Iterator
from typing import Any

import pytest
from confluent_kafka.schema_registry import (
    Schema,
    SchemaReference,
    SchemaRegistryClient,
    SchemaRegistryError,
)
from confluent_kafka.schema_registry.json_schema import JSONDeserializer, JSONSerializer
from confluent_kafka.serialization import MessageField, SerializationContext, SerializationError

pytestmark = pytest.mark.integration

_names = itertools.count()


@pytest.fixture
def client(registry_url: str) -> Iterator[SchemaRegistryClient]:
    """A fresh confluent-kafka client (its own caches) for the module's server."""
    client = SchemaRegistryClient({"url": registry_url})
    yield client
    client.close()


@pytest.fixture
def topic(request: pytest.FixtureRequest) -> str:
    """A topic name unique to the test, so subjects are never shared."""
    return f"json-{request.node.name[:40]}-{next(_names)}"


def _object(title: str, properties: dict[str, Any], required: list[str]) -> str:
    return json.dumps(
        {
            "$schema": "http://json-schema.org/draft-07/schema#",
            "title": title,
            "type": "object",
            "properties": properties,
            "required": required,
            "additionalProperties": False,
        }
    )


ORDER_V1 = _object(
    "Order",
    {"id": {"type": "string"}, "qty": {"type": "integer", "minimum": 1}},
    ["id", "qty"],
)
#: Adds an optional property: a backward-compatible change for a closed content model.
ORDER_V2 = _object(
    "Order",
    {
        "id": {"type": "string"},
        "qty": {"type": "integer", "minimum": 1},
        "note": {"type": "string"},
    },
    ["id", "qty"],
)


def _value_ctx(topic: str) -> SerializationContext:
    return SerializationContext(topic, MessageField.VALUE)


def test_auto_register_round_trip(client: SchemaRegistryClient, topic: str) -> None:
    serializer = JSONSerializer(ORDER_V1, client)
    deserializer = JSONDeserializer(ORDER_V1, schema_registry_client=client)
    record = {"id": "o-1", "qty": 3}
    payload = serializer(record, _value_ctx(topic))
    assert payload is not None
    magic, schema_id = struct.unpack(">bI", payload[:5])
    registered = client.get_latest_version(f"{topic}-value")
    assert (magic, schema_id) == (0, registered.schema_id)
    assert registered.schema.schema_type == "JSON"
    assert deserializer(payload, _value_ctx(topic)) == record


def test_serializer_validates_before_writing(client: SchemaRegistryClient, topic: str) -> None:
    serializer = JSONSerializer(ORDER_V1, client)
    with pytest.raises(SerializationError):
        serializer({"id": "o-1", "qty": 0}, _value_ctx(topic))


def test_use_latest_version_without_auto_register(client: SchemaRegistryClient, topic: str) -> None:
    subject = f"{topic}-value"
    client.register_schema(subject, Schema(ORDER_V1, "JSON"))
    v2 = client.register_schema(subject, Schema(ORDER_V2, "JSON"))
    serializer = JSONSerializer(
        ORDER_V1, client, conf={"auto.register.schemas": False, "use.latest.version": True}
    )
    payload = serializer({"id": "o-2", "qty": 1, "note": "gift"}, _value_ctx(topic))
    assert payload is not None
    assert struct.unpack(">bI", payload[:5]) == (0, v2)
    reader = JSONDeserializer(None, schema_registry_client=client)
    assert reader(payload, _value_ctx(topic)) == {"id": "o-2", "qty": 1, "note": "gift"}


def test_incompatible_change_is_refused_with_409(client: SchemaRegistryClient, topic: str) -> None:
    subject = f"{topic}-value"
    client.register_schema(subject, Schema(ORDER_V2, "JSON"))
    # Removing a property from a closed model breaks readers of data that carries it.
    with pytest.raises(SchemaRegistryError) as info:
        client.register_schema(subject, Schema(ORDER_V1, "JSON"))
    assert info.value.http_status_code == 409
    assert client.test_compatibility(subject, Schema(ORDER_V1, "JSON")) is False


def test_references_register_resolve_and_serialize(
    client: SchemaRegistryClient, topic: str
) -> None:
    address_subject = f"{topic}-address"
    address = json.dumps(
        {
            "$id": "https://example.com/address.schema.json",
            "type": "object",
            "properties": {"street": {"type": "string"}, "zip": {"type": "string"}},
            "required": ["street"],
        }
    )
    address_id = client.register_schema(address_subject, Schema(address, "JSON"))
    customer = json.dumps(
        {
            "type": "object",
            "properties": {
                "name": {"type": "string"},
                "address": {"$ref": "address.schema.json"},
            },
            "required": ["name", "address"],
        }
    )
    references = [SchemaReference("address.schema.json", address_subject, 1)]
    schema = Schema(customer, "JSON", references)
    subject = f"{topic}-value"
    customer_id = client.register_schema(subject, schema)
    assert customer_id != address_id
    fetched = client.get_schema(customer_id)
    assert [(r.name, r.subject, r.version) for r in fetched.references or []] == [
        ("address.schema.json", address_subject, 1)
    ]
    assert client.lookup_schema(subject, schema).schema_id == customer_id
    assert client.get_referenced_by(address_subject, 1) == [customer_id]

    # A reference that names nothing registered is refused with a clear 422.
    broken = Schema(customer, "JSON", [SchemaReference("address.schema.json", "nope", 1)])
    with pytest.raises(SchemaRegistryError) as info:
        client.register_schema(f"{topic}-broken", broken)
    assert info.value.http_status_code in (404, 422)

    serializer = JSONSerializer(schema, client, conf={"auto.register.schemas": False})
    record = {"name": "Ada", "address": {"street": "1 Main St", "zip": "0101"}}
    payload = serializer(record, _value_ctx(topic))
    assert payload is not None
    assert struct.unpack(">bI", payload[:5]) == (0, customer_id)
    deserializer = JSONDeserializer(schema, schema_registry_client=client)
    assert deserializer(payload, _value_ctx(topic)) == record
    with pytest.raises(SerializationError):
        serializer({"name": "Ada", "address": {"zip": "0101"}}, _value_ctx(topic))
