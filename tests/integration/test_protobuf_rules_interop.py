"""Protobuf data contracts across Cairn's serdes and confluent-kafka's, through `cairn serve`.

JSONata migrations between major versions (`use.latest.with.metadata`), run by whichever
side reads, on the same JSON form of the record; and a CEL_FIELD transform selecting a
field by its inline `confluent.field_meta` tag, applied by both sides.
"""

from __future__ import annotations

import itertools
import time
from typing import Any

import pytest
from confluent_kafka.schema_registry import RuleSet, SchemaRegistryClient, ServerConfig
from confluent_kafka.schema_registry import Schema as CkSchema
from confluent_kafka.schema_registry.protobuf import ProtobufDeserializer as CkProtobufDeserializer
from confluent_kafka.schema_registry.protobuf import ProtobufSerializer as CkProtobufSerializer
from confluent_kafka.schema_registry.rules.cel.cel_field_executor import CelFieldExecutor
from confluent_kafka.schema_registry.rules.jsonata.jsonata_executor import JsonataExecutor
from confluent_kafka.serialization import MessageField, SerializationContext
from google.protobuf.message import Message

from compat.protobuf import ProtobufFormat
from serdes.client import registry_client
from serdes.protobuf import (
    ProtobufDeserializer,
    ProtobufSerializer,
    message_class,
    schema_of_file,
)

pytestmark = pytest.mark.integration

_names = itertools.count()
CK = {"subject.name.strategy.type": "TOPIC", "use.deprecated.format": False}


@pytest.fixture(scope="module", autouse=True)
def confluent_executors() -> None:
    # confluent-kafka's executors live in its process-wide registry, as its docs show.
    CelFieldExecutor.register()  # type: ignore[no-untyped-call]
    JsonataExecutor.register()  # type: ignore[no-untyped-call]


@pytest.fixture
def topic() -> str:
    return f"pbrules{next(_names)}-{int(time.time() * 1000) % 1_000_000}"


def ctx(topic: str) -> SerializationContext:
    return SerializationContext(topic, MessageField.VALUE)


def compiled(text: str, full_name: str) -> type[Message]:
    return message_class(ProtobufFormat().parse(text), full_name)


def register(registry_url: str, subject: str, cls: type[Message], **extra: Any) -> None:
    # Registered as confluent-kafka's serializer registers files (the descriptor in base64),
    # by a client of its own: confluent-kafka's client keeps a registration answer by id,
    # where its Protobuf deserializer wants the base64 form.
    registrar = SchemaRegistryClient({"url": registry_url})
    body = {"schema": schema_of_file(cls.DESCRIPTOR.file).schema_str, "schemaType": "PROTOBUF"}
    registrar.register_schema(subject, CkSchema.from_dict({**body, **extra}))
    registrar.close()


# -- JSONata migrations between major versions -----------------------------------------

PERSON = """
syntax = "proto3";
package people;
message {name} {{
  int32 id = 1;
  string {field} = 2;
  int64 born = 3;
}}
"""
# The record's JSON form, as both sides hand it to JSONata: lowerCamel names, fields at
# their defaults printed, 64-bit integers as strings.
UP = "{'id': id, 'fullName': givenName & '#' & $string(id) & '#' & $type(born), 'born': born}"
DOWN = "{'id': id, 'givenName': fullName & '#' & $type(born), 'born': born}"
MIGRATIONS = {
    "migrationRules": [
        {"name": "up", "kind": "TRANSFORM", "mode": "UPGRADE", "type": "JSONATA", "expr": UP},
        {"name": "down", "kind": "TRANSFORM", "mode": "DOWNGRADE", "type": "JSONATA", "expr": DOWN},
    ]
}


def major(n: int) -> dict[str, Any]:
    return {"use.latest.with.metadata": {"major_version": str(n)}}


def test_jsonata_migrations_across_major_versions_both_ways(
    registry_url: str, ck_client: SchemaRegistryClient, topic: str
) -> None:
    subject = f"{topic}-value"
    name = f"Person{next(_names)}"
    v1 = compiled(PERSON.format(name=name, field="given_name"), f"people.{name}")
    v2 = compiled(PERSON.format(name=name, field="full_name"), f"people.{name}")
    ck_client.set_config(subject, ServerConfig(compatibility_group="major_version"))
    register(registry_url, subject, v1, metadata={"properties": {"major_version": "1"}})
    register(
        registry_url,
        subject,
        v2,
        metadata={"properties": {"major_version": "2"}},
        ruleSet=RuleSet.from_dict(MIGRATIONS).to_dict(),
    )
    ours = registry_client({"url": registry_url})

    def ck_ser(cls: type[Message], n: int) -> Any:
        conf = {**CK, "auto.register.schemas": False, **major(n)}
        return CkProtobufSerializer(cls, ck_client, conf)

    def ck_de(cls: type[Message], n: int) -> Any:
        return CkProtobufDeserializer(cls, {**CK, **major(n)}, ck_client)

    # Upgraded by Cairn: written by confluent-kafka under major version 1.
    old_by_them = ck_ser(v1, 1)(v1(id=0, given_name="Ada", born=1815), ctx(topic))
    read: Any = ProtobufDeserializer(v2, major(2), ours)(old_by_them, ctx(topic))
    assert (read.id, read.full_name, read.born) == (0, "Ada#0#string", 1815)
    assert read.__class__ is v2  # the given class itself
    # Downgraded by confluent-kafka: written by Cairn under major version 2.
    new_by_us = ProtobufSerializer(v2, ours, major(2))(v2(id=2, full_name="Grace"), ctx(topic))
    back: Any = ck_de(v1, 1)(new_by_us, ctx(topic))
    assert (back.id, back.given_name) == (2, "Grace#string")
    # Upgraded by confluent-kafka, downgraded by Cairn: the same expressions on both sides.
    old_by_us = ProtobufSerializer(v1, ours, major(1))(v1(id=3, given_name="Alan"), ctx(topic))
    assert ck_de(v2, 2)(old_by_us, ctx(topic)).full_name == "Alan#3#string"
    new_by_them = ck_ser(v2, 2)(v2(id=4, full_name="Edsger", born=1930), ctx(topic))
    down: Any = ProtobufDeserializer(None, major(1), ours)(new_by_them, ctx(topic))
    assert (down.id, down.given_name, down.born) == (4, "Edsger#string", 1930)


# -- CEL_FIELD on an inline-tagged field -------------------------------------------------

TAGGED = """
syntax = "proto3";
package shop;
import "confluent/meta.proto";
message {name} {{
  string id = 1;
  string email = 2 [(confluent.field_meta).tags = "PII"];
  string note = 3;
}}
"""
# On write and again on read: a value both sides transformed is masked twice.
MASK = {
    "name": "mask",
    "kind": "TRANSFORM",
    "mode": "WRITEREAD",
    "type": "CEL_FIELD",
    "tags": ["PII"],
    "expr": "typeName == 'STRING' ; 'XXX-' + value",
}


def test_cel_field_on_an_inline_tagged_field_both_ways(
    registry_url: str, ck_client: SchemaRegistryClient, topic: str
) -> None:
    name = f"Order{next(_names)}"
    cls = compiled(TAGGED.format(name=name), f"shop.{name}")
    register(registry_url, f"{topic}-value", cls, ruleSet={"domainRules": [MASK]})
    ours = registry_client({"url": registry_url})
    latest = {"use.latest.version": True}

    theirs = CkProtobufSerializer(cls, ck_client, {**CK, "auto.register.schemas": False, **latest})
    written = theirs(cls(id="o1", email="a@b", note="n"), ctx(topic))
    read: Any = ProtobufDeserializer(cls, None, ours)(written, ctx(topic))
    assert (read.id, read.email, read.note) == ("o1", "XXX-XXX-a@b", "n")

    mine = ProtobufSerializer(cls, ours, latest)(cls(id="o2", email="c@d", note="m"), ctx(topic))
    back: Any = CkProtobufDeserializer(cls, CK, ck_client)(mine, ctx(topic))
    assert (back.id, back.email, back.note) == ("o2", "XXX-XXX-c@d", "m")
