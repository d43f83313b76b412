"""ENCRYPT_PAYLOAD (an encoding rule) across Cairn's serdes and confluent-kafka's.

confluent-kafka runs its own ENCRYPT_PAYLOAD executor with its local KMS; Cairn runs its
own with the same secret. The whole payload written by one side, after the schema id, is
ciphertext the other side decrypts, keys in Cairn's DEK registry. A dead letter of a
WRITE rule hides ENCRYPT-tagged fields the way confluent-kafka's DLQ action does.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from confluent_kafka.schema_registry import (
    Rule,
    RuleKind,
    RuleMode,
    RuleParams,
    RuleSet,
    Schema,
    SchemaRegistryClient,
)
from confluent_kafka.schema_registry.avro import AvroDeserializer as CkAvroDeserializer
from confluent_kafka.schema_registry.avro import AvroSerializer as CkAvroSerializer
from confluent_kafka.schema_registry.json_schema import JSONDeserializer as CkJSONDeserializer
from confluent_kafka.schema_registry.json_schema import JSONSerializer as CkJSONSerializer
from confluent_kafka.schema_registry.protobuf import ProtobufDeserializer as CkProtobufDeserializer
from confluent_kafka.schema_registry.protobuf import ProtobufSerializer as CkProtobufSerializer
from confluent_kafka.schema_registry.rule_registry import RuleRegistry as CkRuleRegistry
from confluent_kafka.schema_registry.rules.cel.cel_executor import CelExecutor as CkCelExecutor
from confluent_kafka.schema_registry.rules.dlq.dlq_action import DlqAction as CkDlqAction
from confluent_kafka.schema_registry.rules.encryption.encrypt_executor import (
    EncryptionExecutor as CkEncryptionExecutor,
)
from confluent_kafka.schema_registry.rules.encryption.localkms.local_driver import (
    LocalKmsDriver as CkLocalKmsDriver,
)
from confluent_kafka.serialization import MessageField, SerializationContext

from compat.protobuf import ProtobufFormat
from serdes.avro import AvroDeserializer, AvroSerializer
from serdes.client import registry_client
from serdes.errors import SerdesError
from serdes.json_schema import JSONDeserializer, JSONSerializer
from serdes.protobuf import ProtobufDeserializer, ProtobufSerializer, message_class, schema_of_file
from serdes.rules import DlqAction, RuleRegistry
from tests.support.kms import LOCAL_KMS_SECRET, confluent_rules, encryption_rule

pytestmark = pytest.mark.integration

_names = itertools.count()
CK = {"subject.name.strategy.type": "TOPIC"}
CK_LATEST = {**CK, "auto.register.schemas": False, "use.latest.version": True}
LATEST = {"use.latest.version": True}
RULE_CONF = {"secret": LOCAL_KMS_SECRET}
SSN = "123-45-6789"
VALUE = {"id": "c-1", "ssn": SSN}
AVRO = json.dumps(
    {
        "type": "record",
        "name": "Customer",
        "namespace": "shop",
        "fields": [{"name": "id", "type": "string"}, {"name": "ssn", "type": "string"}],
    }
)
JSON_SCHEMA = json.dumps(
    {
        "type": "object",
        "properties": {"id": {"type": "string"}, "ssn": {"type": "string"}},
        "required": ["id", "ssn"],
    }
)
PROTO = """
syntax = "proto3";
package shop;
message {name} {{
  string id = 1;
  string ssn = 2;
}}
"""
ROTATING = {"encrypt.dek.algorithm": "AES128_GCM", "encrypt.dek.expiry.days": "1"}


def ctx(topic: str) -> SerializationContext:
    return SerializationContext(topic, MessageField.VALUE)


@pytest.fixture(scope="module", autouse=True)
def confluent_kms() -> None:
    CkLocalKmsDriver.register()


@pytest.fixture
def ck_rules() -> Iterator[CkRuleRegistry]:
    """A private confluent-kafka rule registry with its ENCRYPT_PAYLOAD executor."""
    with confluent_rules(CkEncryptionExecutor()) as rules:
        yield rules


def register(
    client: SchemaRegistryClient, subject: str, text: str, kind: str, params: dict[str, str]
) -> str:
    """Register `text` with one ENCRYPT_PAYLOAD encoding rule under a fresh KEK."""
    kek = f"payload-kek{next(_names)}"
    params = {
        "encrypt.kek.name": kek,
        "encrypt.kms.type": "local-kms",
        "encrypt.kms.key.id": "k1",
        **params,
    }
    rule = encryption_rule("ENCRYPT_PAYLOAD", "encrypt-payload", None, params)
    rule_set = RuleSet(None, None, [rule])
    client.register_schema(subject, Schema(text, kind, [], None, rule_set))
    return kek


def ours(registry_url: str) -> RuleRegistry:
    return RuleRegistry.default(rule_conf={"url": registry_url, **RULE_CONF})


@pytest.mark.parametrize("params", [{}, ROTATING], ids=["gcm", "gcm128-rotating"])
def test_avro_encrypted_payload_crosses_both_ways(
    registry_url: str,
    ck_client: SchemaRegistryClient,
    ck_rules: CkRuleRegistry,
    params: dict[str, str],
) -> None:
    topic = f"penc{next(_names)}"
    kek = register(ck_client, f"{topic}-value", AVRO, "AVRO", params)
    client = registry_client({"url": registry_url})

    theirs = CkAvroSerializer(
        ck_client, None, conf=CK_LATEST, rule_conf=RULE_CONF, rule_registry=ck_rules
    )(dict(VALUE), ctx(topic))
    assert theirs is not None
    assert SSN.encode() not in theirs
    read = AvroDeserializer(client, rule_registry=ours(registry_url))(theirs, ctx(topic))
    assert read == VALUE

    mine = AvroSerializer(client, None, conf=LATEST, rule_registry=ours(registry_url))(
        dict(VALUE), ctx(topic)
    )
    assert mine is not None
    assert SSN.encode() not in mine
    assert mine[:5] == theirs[:5], "the schema id stays in the clear"
    ck_de = CkAvroDeserializer(ck_client, conf=CK, rule_conf=RULE_CONF, rule_registry=ck_rules)
    assert ck_de(mine, ctx(topic)) == VALUE

    # One DEK, made by confluent-kafka and reused by Cairn; the registry never saw the key.
    algorithm = params.get("encrypt.dek.algorithm", "AES256_GCM")
    versions = f"{registry_url}/dek-registry/v1/keks/{kek}/deks/{topic}-value/versions"
    assert httpx.get(versions, params={"algorithm": algorithm}).json() == [1]
    dek = httpx.get(f"{versions}/1", params={"algorithm": algorithm}).json()
    assert "keyMaterial" not in dek


def test_a_reader_without_the_key_cannot_read_the_payload(
    registry_url: str, ck_client: SchemaRegistryClient
) -> None:
    topic = f"penc{next(_names)}"
    register(ck_client, f"{topic}-value", AVRO, "AVRO", {})
    client = registry_client({"url": registry_url})
    written = AvroSerializer(client, None, conf=LATEST, rule_registry=ours(registry_url))(
        dict(VALUE), ctx(topic)
    )
    with pytest.raises(SerdesError):
        AvroDeserializer(client, rule_registry=RuleRegistry.default())(written, ctx(topic))


def test_json_encrypted_payload_crosses_both_ways(
    registry_url: str, ck_client: SchemaRegistryClient, ck_rules: CkRuleRegistry
) -> None:
    topic = f"penc{next(_names)}"
    register(ck_client, f"{topic}-value", JSON_SCHEMA, "JSON", {})
    client = registry_client({"url": registry_url})
    to_dict: Callable[[Any, Any], Any] = lambda obj, _ctx: obj  # noqa: E731

    theirs = CkJSONSerializer(
        None, ck_client, to_dict, conf=CK_LATEST, rule_conf=RULE_CONF, rule_registry=ck_rules
    )(dict(VALUE), ctx(topic))
    assert theirs is not None
    assert SSN.encode() not in theirs
    read = JSONDeserializer(None, schema_registry_client=client, rule_registry=ours(registry_url))
    assert read(theirs, ctx(topic)) == VALUE

    mine = JSONSerializer(None, client, conf=LATEST, rule_registry=ours(registry_url))(
        dict(VALUE), ctx(topic)
    )
    assert mine is not None
    assert SSN.encode() not in mine
    ck_de = CkJSONDeserializer(
        None, conf=CK, schema_registry_client=ck_client, rule_conf=RULE_CONF, rule_registry=ck_rules
    )
    assert ck_de(mine, ctx(topic)) == VALUE


def test_protobuf_encrypted_payload_crosses_both_ways(
    registry_url: str, ck_rules: CkRuleRegistry
) -> None:
    topic, name = f"penc{next(_names)}", f"Customer{next(_names)}"
    cls = message_class(ProtobufFormat().parse(PROTO.format(name=name)), f"shop.{name}")
    text = schema_of_file(cls.DESCRIPTOR.file).schema_str
    # Its own client registers: confluent-kafka's keeps the answer's text form by id.
    registrar = SchemaRegistryClient({"url": registry_url})
    register(registrar, f"{topic}-value", text, "PROTOBUF", ROTATING)
    registrar.close()
    ck_client = SchemaRegistryClient({"url": registry_url})
    client = registry_client({"url": registry_url})
    pb = {"use.deprecated.format": False}
    try:
        theirs = CkProtobufSerializer(
            cls, ck_client, {**CK_LATEST, **pb}, rule_conf=RULE_CONF, rule_registry=ck_rules
        )(cls(id="c-1", ssn=SSN), ctx(topic))
        assert SSN.encode() not in theirs
        read: Any = ProtobufDeserializer(cls, None, client, rule_registry=ours(registry_url))(
            theirs, ctx(topic)
        )
        assert (read.id, read.ssn) == ("c-1", SSN)

        mine = ProtobufSerializer(cls, client, LATEST, rule_registry=ours(registry_url))(
            cls(id="c-2", ssn=SSN), ctx(topic)
        )
        assert mine is not None
        assert SSN.encode() not in mine
        assert mine[:6] == theirs[:6], "schema id and message indexes stay in the clear"
        ck_de = CkProtobufDeserializer(
            cls, pb, ck_client, rule_conf=RULE_CONF, rule_registry=ck_rules
        )
        back: Any = ck_de(mine, ctx(topic))
        assert (back.id, back.ssn) == ("c-2", SSN)
    finally:
        ck_client.close()


class _Producer:
    """What both libraries' DLQ actions call on a producer, recorded."""

    def __init__(self) -> None:
        self.values: list[bytes | None] = []

    def produce(
        self, topic: str, value: bytes | None = None, key: bytes | None = None, **kw: Any
    ) -> None:
        self.values.append(value)
        callback = kw.get("on_delivery")
        if callback is not None:
            callback(None, None)

    def poll(self, timeout: float = 0) -> int:
        return 0

    def flush(self, timeout: float = -1) -> int:
        return 0


def test_dead_letters_are_redacted_byte_for_byte_as_confluent_kafka_does(
    registry_url: str, ck_client: SchemaRegistryClient
) -> None:
    topic = f"penc{next(_names)}"
    schema = {
        "type": "record",
        "name": "Card",
        "namespace": "shop",
        "fields": [
            {"name": "id", "type": "string"},
            {"name": "qty", "type": "int"},
            {"name": "holder", "type": "string", "confluent:tags": ["PII"]},
            {"name": "number", "type": ["null", "bytes"], "confluent:tags": ["PII"]},
            {"name": "pin", "type": "int", "confluent:tags": ["PII"]},
        ],
    }
    check = Rule(
        "positive",
        "",
        RuleKind.CONDITION,
        RuleMode.WRITE,
        "CEL",
        None,
        None,
        "message.qty > 0",
        None,
        "DLQ",
        False,
    )
    encrypt = Rule(
        "protect",
        "",
        RuleKind.TRANSFORM,
        RuleMode.WRITEREAD,
        "ENCRYPT",
        ["PII"],
        RuleParams({"encrypt.kek.name": "never-used"}),
        None,
        None,
        None,
        False,
    )
    rule_set = RuleSet(None, [check, encrypt])
    ck_client.register_schema(
        f"{topic}-value", Schema(json.dumps(schema), "AVRO", [], None, rule_set)
    )
    value = {"id": "c1", "qty": 0, "holder": "Alice", "number": b"4111", "pin": 1234}

    theirs = _Producer()
    ck_rules = CkRuleRegistry()  # type: ignore[no-untyped-call]
    ck_rules.register_executor(CkCelExecutor())  # type: ignore[no-untyped-call]
    ck_rules.register_action(CkDlqAction({"dlq.topic": "dead", "producer": theirs}))
    with pytest.raises(Exception, match="positive"):
        CkAvroSerializer(ck_client, None, conf=CK_LATEST, rule_registry=ck_rules)(
            dict(value), ctx(topic)
        )
    mine = _Producer()
    rules = RuleRegistry.default([DlqAction(mine, topic="dead")])
    client = registry_client({"url": registry_url})
    with pytest.raises(SerdesError):
        AvroSerializer(client, None, conf=LATEST, rule_registry=rules)(dict(value), ctx(topic))

    assert theirs.values[0] is not None
    assert b"Alice" not in theirs.values[0]
    assert mine.values == theirs.values
