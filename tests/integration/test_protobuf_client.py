"""confluent-kafka's Protobuf serdes against a real Cairn process, with references and imports.

Message classes are built at run time: the `.proto` text is compiled with Cairn's own
`compile_proto`, the descriptors go into a fresh pool, and the classes come from
`message_factory`, so the test needs no generated code and no protoc step.
"""

from __future__ import annotations

import itertools
import struct
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from confluent_kafka.schema_registry import Schema, SchemaReference, SchemaRegistryClient
from confluent_kafka.schema_registry.protobuf import ProtobufDeserializer, ProtobufSerializer
from confluent_kafka.serialization import MessageField, SerializationContext
from google.protobuf import descriptor_pool, message_factory
from google.protobuf.message import Message

from compat.protobuf import compile_proto, decode_indexes

pytestmark = pytest.mark.integration

_names = itertools.count()


@pytest.fixture
def client(registry_url: str) -> Iterator[SchemaRegistryClient]:
    """A fresh confluent-kafka client (its own caches) for the module's server."""
    client = SchemaRegistryClient({"url": registry_url})
    yield client
    client.close()


@dataclass(frozen=True)
class Names:
    """Names unique to one test: topic, imported file path and its package."""

    topic: str
    address_file: str
    address_package: str


@pytest.fixture
def names() -> Names:
    """Fresh names, so that subjects (which follow file names) are never shared."""
    n = next(_names)
    return Names(f"proto-{n}", f"geo/address_{n}.proto", f"geo{n}")


def _address(names: Names) -> str:
    return (
        f'syntax = "proto3";\npackage {names.address_package};\n\n'
        "message Address {\n  string city = 1;\n  string zip = 2;\n}\n"
    )


def _order(names: Names) -> str:
    return f"""\
syntax = "proto3";
package shop;

import "{names.address_file}";
import "google/protobuf/timestamp.proto";

message Envelope {{
  string note = 1;
}}

message Order {{
  string id = 1;
  repeated Line lines = 2;

  message Note {{
    string text = 1;
  }}

  message Line {{
    string sku = 1;
    int32 qty = 2;
    {names.address_package}.Address ship_to = 3;
    google.protobuf.Timestamp packed_at = 4;
    map<string, string> tags = 5;
  }}
}}
"""


def _message_class(names: Names, full_name: str) -> type[Message]:
    """The class of `full_name` from the order schema, built from compiled descriptors."""
    compiled = compile_proto(
        _order(names), {names.address_file: _address(names)}, name="shop/order.proto"
    )
    pool = descriptor_pool.DescriptorPool()
    for file in (*compiled.dependencies, compiled.file):
        pool.Add(file)
    return message_factory.GetMessageClass(pool.FindMessageTypeByName(full_name))


def _ctx(topic: str) -> SerializationContext:
    return SerializationContext(topic, MessageField.VALUE)


def test_nested_message_round_trip_with_reference_and_well_known_import(
    client: SchemaRegistryClient, names: Names, registry_url: str
) -> None:
    # The imported file is registered first, under the subject its import path names.
    address_id = client.register_schema(names.address_file, Schema(_address(names), "PROTOBUF"))
    line_class = _message_class(names, "shop.Order.Line")

    serializer = ProtobufSerializer(line_class, client)
    # The consumer has its own client: confluent-kafka caches schemas by id whatever the
    # format asked for, and the deserializer needs the `serialized` view of the writer schema.
    consumer_client = SchemaRegistryClient({"url": registry_url})
    deserializer = ProtobufDeserializer(line_class, schema_registry_client=consumer_client)
    line = line_class(sku="sku-1", qty=3)
    line.ship_to.city = "Lyon"  # type: ignore[attr-defined]
    line.ship_to.zip = "69001"  # type: ignore[attr-defined]
    line.packed_at.seconds = 1_700_000_000  # type: ignore[attr-defined]
    line.tags["gift"] = "yes"  # type: ignore[attr-defined]

    payload = serializer(line, _ctx(names.topic))
    assert payload is not None
    magic, schema_id = struct.unpack(">bI", payload[:5])
    assert magic == 0
    # Order.Line is the second top-level message's first nested message.
    indexes, _ = decode_indexes(payload, 5)
    assert indexes == [1, 1]

    registered = client.get_latest_version(f"{names.topic}-value")
    assert registered.schema_id == schema_id
    assert registered.schema.schema_type == "PROTOBUF"
    assert registered.schema.references == [
        SchemaReference(names.address_file, names.address_file, 1)
    ]
    text = registered.schema.schema_str
    assert text is not None
    assert f'import "{names.address_file}";\nimport "google/protobuf/timestamp.proto";' in text
    assert f"    {names.address_package}.Address ship_to = 3;" in text
    assert client.get_version(names.address_file, 1).schema_id == address_id

    try:
        decoded = deserializer(payload, _ctx(names.topic))
    finally:
        consumer_client.close()
    assert decoded == line


def test_registering_the_same_schema_as_text_finds_the_serializers_id(
    client: SchemaRegistryClient, names: Names
) -> None:
    client.register_schema(names.address_file, Schema(_address(names), "PROTOBUF"))
    envelope_class = _message_class(names, "shop.Envelope")
    payload = ProtobufSerializer(envelope_class, client)(
        envelope_class(note="hello"), _ctx(names.topic)
    )
    assert payload is not None
    schema_id = struct.unpack(">bI", payload[:5])[1]
    assert payload[5:6] == b"\x00"  # the [0] shortcut

    refs = [SchemaReference(names.address_file, names.address_file, 1)]
    found = client.lookup_schema(f"{names.topic}-value", Schema(_order(names), "PROTOBUF", refs))
    assert found.schema_id == schema_id
