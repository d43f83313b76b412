"""Protobuf serializer and deserializer: indexes, imports as references, dynamic messages."""

from __future__ import annotations

import base64
import itertools
from typing import Any

import pytest
from google.protobuf.descriptor_pb2 import FileDescriptorProto
from google.protobuf.message import Message

from compat.formats import ResolvedReference
from compat.protobuf import ParsedProtobuf, ProtobufFormat
from serdes.client import CachedRegistryClient, InMemoryRegistryClient, Schema
from serdes.context import SerializationContext
from serdes.errors import FramingError, PayloadError, SerdesConfigError, UnknownSchemaIdError
from serdes.framing import VALUE_SCHEMA_ID_HEADER, read_prefix
from serdes.protobuf import ProtobufDeserializer, ProtobufSerializer, message_class
from tests.serdes.support import framed

_names = itertools.count()
FORMAT = ProtobufFormat()
SHOP = """
syntax = "proto3";
package shop;
import "google/protobuf/timestamp.proto";
message Order {
  string id = 1;
  int64 qty = 2;
  google.protobuf.Timestamp at = 3;
  message Line { string sku = 1; }
  repeated Line lines = 4;
}
message Refund { string order_id = 1; }
"""


@pytest.fixture(scope="module")
def shop() -> ParsedProtobuf:
    return FORMAT.parse(SHOP)


def ctx() -> SerializationContext:
    return SerializationContext(f"shop{next(_names)}")


def test_round_trip_with_message_indexes(shop: ParsedProtobuf) -> None:
    order_cls = message_class(shop, "shop.Order")
    refund_cls = message_class(shop, "shop.Refund")
    line_cls = message_class(shop, "shop.Order.Line")
    client = InMemoryRegistryClient()
    c = ctx()
    order: Any = order_cls(id="o1", qty=3)
    order.at.seconds = 1_700_000_000
    order.lines.add(sku="s1")
    data = ProtobufSerializer(order_cls, client)(order, c)
    assert data is not None
    assert data[5:6] == b"\x00"  # [0], the first message, as the single zero byte
    assert data[6:] == order.SerializeToString()
    refund = ProtobufSerializer(refund_cls, client)(refund_cls(order_id="o1"), ctx())
    assert refund is not None
    assert read_prefix(refund, with_indexes=True).indexes == (1,)
    line = ProtobufSerializer(line_cls, client)(line_cls(sku="x"), ctx())
    assert line is not None
    assert read_prefix(line, with_indexes=True).indexes == (0, 0)

    dynamic = ProtobufDeserializer(None, schema_registry_client=client)
    back = dynamic(data, c)
    assert type(back).DESCRIPTOR.full_name == "shop.Order"
    assert (back.id, back.qty, back.at.seconds, back.lines[0].sku) == ("o1", 3, 1_700_000_000, "s1")
    assert dynamic(line, c).sku == "x"
    assert ProtobufDeserializer(order_cls)(data, c) == order


def test_the_registered_schema_is_the_base64_descriptor(shop: ParsedProtobuf) -> None:
    client = InMemoryRegistryClient()
    order_cls = message_class(shop, "shop.Order")
    c = ctx()
    ProtobufSerializer(order_cls, client)(order_cls(id="x"), c)
    registered = client.get_latest_version(f"{c.topic}-value")
    assert registered.schema.schema_type == "PROTOBUF"
    assert registered.schema.references == ()  # the well-known import needs no reference
    file = FileDescriptorProto.FromString(base64.b64decode(registered.schema.schema_str))
    assert [m.name for m in file.message_type] == ["Order", "Refund"]


def test_imports_are_registered_first_as_references() -> None:
    common_text = 'syntax = "proto3"; package common; message Money { int64 cents = 1; }'
    common = FORMAT.parse(common_text)
    ref = ResolvedReference("common/money.proto", "common/money.proto", 1, common)
    priced = FORMAT.parse(
        'syntax = "proto3"; package shop; import "common/money.proto"; '
        "message Priced { common.Money price = 1; }",
        [ref],
    )
    priced_cls = message_class(priced, "shop.Priced")
    client = InMemoryRegistryClient()
    c = ctx()
    message: Any = priced_cls()
    message.price.cents = 250
    data = ProtobufSerializer(priced_cls, client)(message, c)
    registered = client.get_latest_version(f"{c.topic}-value")
    [reference] = registered.schema.references
    assert (reference.name, reference.subject, reference.version) == (
        "common/money.proto",
        "common/money.proto",
        1,
    )
    back = ProtobufDeserializer(None, schema_registry_client=client)(data, c)
    assert back.price.cents == 250


def test_record_strategy_uses_the_full_message_name(shop: ParsedProtobuf) -> None:
    client = InMemoryRegistryClient()
    refund_cls = message_class(shop, "shop.Refund")
    ProtobufSerializer(refund_cls, client, {"subject.name.strategy": "RecordNameStrategy"})(
        refund_cls(order_id="r"), ctx()
    )
    assert client.get_latest_version("shop.Refund").schema_id == 1


def test_wrong_messages_and_bad_bytes_are_typed_errors(shop: ParsedProtobuf) -> None:
    client = InMemoryRegistryClient()
    order_cls = message_class(shop, "shop.Order")
    refund_cls = message_class(shop, "shop.Refund")
    serializer = ProtobufSerializer(order_cls, client)
    with pytest.raises(PayloadError, match=r"expected a shop\.Order"):
        serializer(refund_cls(), ctx())
    c = ctx()
    data = serializer(order_cls(id="a"), c)
    assert data is not None
    reader = ProtobufDeserializer(None, schema_registry_client=client)
    with pytest.raises(PayloadError):
        reader(data[:6] + b"\x0a\x05ab", c)  # a string field cut short
    with pytest.raises(FramingError):
        reader(data[:5] + b"\x02\x10", c)  # index 8 in a file with two messages
    with pytest.raises(FramingError):
        reader(data[:5] + b"\x80", c)
    with pytest.raises(UnknownSchemaIdError):
        reader(b"\x00\x00\x00\x00\x63\x00", c)


def test_configuration_checks() -> None:
    with pytest.raises(SerdesConfigError):
        ProtobufDeserializer(None)
    with pytest.raises(SerdesConfigError):
        ProtobufDeserializer(None, {"use.deprecated.format": True}, InMemoryRegistryClient())
    assert ProtobufDeserializer(Message, {"use.deprecated.format": False}) is not None


def test_100k_records_make_exactly_one_registry_call_each_way(shop: ParsedProtobuf) -> None:
    inner = InMemoryRegistryClient()
    order_cls = message_class(shop, "shop.Order")
    serializer = ProtobufSerializer(order_cls, CachedRegistryClient(inner))
    c = ctx()
    frames = [serializer(order_cls(id="o", qty=i), c) for i in range(100_000)]
    assert inner.calls == {"register_schema": 1}
    reader = ProtobufDeserializer(None, schema_registry_client=CachedRegistryClient(inner))
    assert sum(reader(f, c).qty for f in frames) == sum(range(100_000))
    assert inner.calls == {"register_schema": 1, "get_schema": 1}


def test_header_framing_and_bad_ids(shop: ParsedProtobuf) -> None:
    client = InMemoryRegistryClient()
    refund_cls = message_class(shop, "shop.Refund")
    c = ctx()
    data = framed(ProtobufSerializer(refund_cls, client)(refund_cls(order_id="h"), c))
    reader = ProtobufDeserializer(None, schema_registry_client=client)
    headers = [(VALUE_SCHEMA_ID_HEADER, data[:7])]  # id prefix plus the index array [1]
    back = reader(data[7:], SerializationContext(c.topic, headers=headers))
    assert back.order_id == "h"
    with pytest.raises(FramingError, match="negative"):
        reader(b"\x00\xff\xff\xff\xff\x00", c)


def test_use_latest_and_fixed_ids_find_the_message_in_the_registered_schema(
    shop: ParsedProtobuf,
) -> None:
    client = InMemoryRegistryClient()
    refund_cls = message_class(shop, "shop.Refund")
    c = ctx()
    first = framed(ProtobufSerializer(refund_cls, client)(refund_cls(order_id="a"), c))
    # A later version of the file puts a new message first: Refund moves to index 2.
    moved = FORMAT.parse(
        SHOP.replace("message Order {", "message Audit { string who = 1; }\nmessage Order {")
    )
    moved_id = client.register_schema(
        f"{c.topic}-value", Schema(moved.canonical, "PROTOBUF")
    ).schema_id
    latest = ProtobufSerializer(refund_cls, client, {"use.latest.version": True})
    data = framed(latest(refund_cls(order_id="b"), c))
    frame = read_prefix(data, with_indexes=True)
    assert (frame.schema_id, frame.indexes) == (moved_id, (2,))
    fixed = ProtobufSerializer(refund_cls, client, {"use.schema.id": 1})
    assert read_prefix(framed(fixed(refund_cls(order_id="c"), c)), with_indexes=True).indexes == (
        1,
    )
    reader = ProtobufDeserializer(None, schema_registry_client=client)
    assert reader(data, c).order_id == "b"
    assert reader(first, c).order_id == "a"
