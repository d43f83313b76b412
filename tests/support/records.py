"""Records for data-check tests: schemas under several versions, serializers, captured files.

The records are written by confluent-kafka's serializers (what producers in the field use),
against a registry at compatibility NONE so that versions the new schema cannot read can be
registered at all.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from confluent_kafka.schema_registry import SchemaRegistryClient
from confluent_kafka.schema_registry.avro import AvroSerializer
from confluent_kafka.schema_registry.json_schema import JSONSerializer
from confluent_kafka.schema_registry.protobuf import ProtobufSerializer
from confluent_kafka.serialization import MessageField, SerializationContext
from google.protobuf import descriptor_pool, message_factory
from google.protobuf.message import Message

from compat.protobuf import compile_proto

_AUTO = {"auto.register.schemas": True}


def status_enum(*symbols: str) -> dict[str, Any]:
    """An Avro enum `Status` with these symbols."""
    return {"type": "enum", "name": "Status", "symbols": list(symbols)}


def order(id_type: str, status: dict[str, Any] | str, *extra: dict[str, Any]) -> str:
    """An Avro `Order` record: an id, a status enum (or its name) and extra fields."""
    fields = [{"name": "id", "type": id_type}, {"name": "status", "type": status}, *extra]
    return json.dumps({"type": "record", "name": "Order", "namespace": "shop", "fields": fields})


#: Three writer versions, registered in this order at NONE: v2 adds an enum symbol, v3 makes
#: the id a string. The new schema below reads v1 fully, v2 except SHIPPED, v3 not at all.
AVRO_V1 = order("int", status_enum("NEW", "PAID"))
AVRO_V2 = order("int", status_enum("NEW", "PAID", "SHIPPED"))
AVRO_V3 = order("string", status_enum("NEW", "PAID", "SHIPPED"))
AVRO_NEW = order(
    "int", status_enum("NEW", "PAID"), {"name": "note", "type": "string", "default": ""}
)


def avro_serializer(client: SchemaRegistryClient, schema: str) -> AvroSerializer:
    """confluent-kafka's Avro serializer registering `schema` under the topic's subject."""
    serializer: AvroSerializer = AvroSerializer(client, schema, conf=_AUTO)
    return serializer


def json_serializer(client: SchemaRegistryClient, schema: dict[str, Any]) -> JSONSerializer:
    """confluent-kafka's JSON Schema serializer registering `schema`."""
    serializer: JSONSerializer = JSONSerializer(json.dumps(schema), client, conf=_AUTO)
    return serializer


def message_classes(proto: str, *full_names: str) -> list[type[Message]]:
    """Message classes from `.proto` text, compiled by Cairn (no generated code), one pool."""
    compiled = compile_proto(proto, {}, name="shop/order.proto")
    pool = descriptor_pool.DescriptorPool()
    for file in (*compiled.dependencies, compiled.file):
        pool.Add(file)
    return [message_factory.GetMessageClass(pool.FindMessageTypeByName(n)) for n in full_names]


def protobuf_serializer(client: SchemaRegistryClient, cls: type[Message]) -> ProtobufSerializer:
    """confluent-kafka's Protobuf serializer registering the class's file."""
    serializer: ProtobufSerializer = ProtobufSerializer(cls, client, conf=_AUTO)
    return serializer


def value_ctx(topic: str) -> SerializationContext:
    """The context of a record value of `topic`."""
    return SerializationContext(topic, MessageField.VALUE)


@dataclass(frozen=True)
class Captured:
    """One record as a captured-records line holds it."""

    partition: int
    offset: int
    value: bytes | None
    key: bytes | None = None
    headers: Sequence[tuple[str, bytes]] = ()


def _b64(data: bytes | None) -> str | None:
    return None if data is None else base64.b64encode(data).decode("ascii")


def write_captured(path: Path, records: Iterable[Captured]) -> Path:
    """Write `records` as the JSON-lines file `--records` reads."""
    lines = [
        json.dumps(
            {
                "partition": r.partition,
                "offset": r.offset,
                "value": _b64(r.value),
                "key": _b64(r.key),
                "headers": [[name, _b64(value)] for name, value in r.headers],
            }
        )
        for r in records
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
