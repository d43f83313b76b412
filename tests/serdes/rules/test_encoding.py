"""Encoding rules (`ruleSet.encodingRules`) on payload bytes, and ENCRYPT_PAYLOAD, per format."""

from __future__ import annotations

import base64
import itertools
import json
from dataclasses import dataclass, field
from typing import Any

import pytest

from compat.protobuf import ProtobufFormat
from serdes.avro import AvroDeserializer, AvroSerializer
from serdes.client import HttpSettings, InMemoryRegistryClient, Schema
from serdes.context import SerializationContext
from serdes.errors import PayloadError, RuleError
from serdes.framing import id_prefix
from serdes.json_schema import JSONDeserializer, JSONSerializer
from serdes.protobuf import ProtobufDeserializer, ProtobufSerializer, message_class
from serdes.rules import DlqAction, Rule, RuleContext, RuleMode, RuleRegistry
from serdes.rules.encryption import (
    DataKeys,
    Dek,
    DekRegistryClient,
    FieldEncryptionExecutor,
    Kek,
    LocalKmsDriver,
    PayloadEncryptionExecutor,
    encryption_executors,
)
from serdes.rules.encryption.cryptor import cipher
from serdes.rules.encryption.kms import local_kek
from tests.serdes.rules.test_formats import AVRO, JSON_DOC, PROTO
from tests.serdes.test_deadletter import FakeProducer

_topics = itertools.count()
LATEST = {"use.latest.version": True}
SECRET = "unit-test-secret"
ORDER = {"id": "o1", "qty": 2, "email": "alice@example.com", "note": "hello"}


@dataclass
class Xor:
    """An encoding executor that XORs every byte (so the plaintext is gone) and logs modes."""

    type: str = "XOR"
    seen: list[tuple[str, bytes]] = field(default_factory=list)

    def transform(self, ctx: RuleContext, message: Any) -> Any:
        self.seen.append((ctx.mode.value, bytes(message)))
        if ctx.rule.expr == "fail":
            raise ValueError("no")
        if ctx.rule.expr == "text":
            return "not bytes"
        return bytes(b ^ 0x5A for b in message)


def xor_rule(mode: str = "WRITEREAD", **extra: Any) -> dict[str, Any]:
    return {"name": "xor", "kind": "TRANSFORM", "mode": mode, "type": "XOR", **extra}


def topic() -> SerializationContext:
    return SerializationContext(f"enc{next(_topics)}")


def encoding_schema(text: str, kind: str, *rules: dict[str, Any], **extra: Any) -> Schema:
    return Schema(text, kind, rule_set={"encodingRules": list(rules)}, **extra)


def protobuf_client(ctx: SerializationContext, *rules: dict[str, Any]) -> tuple[Any, Any]:
    order_cls = message_class(ProtobufFormat().parse(PROTO), "shop.Order")
    client = InMemoryRegistryClient()
    ProtobufSerializer(order_cls, client)(order_cls(id="seed"), ctx)
    text = client.get_latest_version(f"{ctx.topic}-value").schema.schema_str
    client.register_schema(f"{ctx.topic}-value", encoding_schema(text, "PROTOBUF", *rules))
    return order_cls, client


def roundtrip(fmt: str, rules: RuleRegistry, *encoding: dict[str, Any]) -> tuple[bytes, Any]:
    """Write ORDER with the subject's latest schema (holding `encoding`), read it back."""
    ctx = topic()
    subject = f"{ctx.topic}-value"
    if fmt == "avro":
        client = InMemoryRegistryClient()
        client.register_schema(subject, encoding_schema(json.dumps(AVRO), "AVRO", *encoding))
        data = AvroSerializer(client, None, conf=LATEST, rule_registry=rules)(ORDER, ctx)
        assert data is not None
        return data, AvroDeserializer(client, rule_registry=rules)(data, ctx)
    if fmt == "json":
        client = InMemoryRegistryClient()
        client.register_schema(subject, encoding_schema(json.dumps(JSON_DOC), "JSON", *encoding))
        data = JSONSerializer(None, client, conf=LATEST, rule_registry=rules)(ORDER, ctx)
        assert data is not None
        read = JSONDeserializer(None, schema_registry_client=client, rule_registry=rules)
        return data, read(data, ctx)
    order_cls, client = protobuf_client(ctx, *encoding)
    data = ProtobufSerializer(order_cls, client, LATEST, rule_registry=rules)(
        order_cls(**ORDER), ctx
    )
    assert data is not None
    message = ProtobufDeserializer(order_cls, None, client, rule_registry=rules)(data, ctx)
    return data, {f.name: v for f, v in message.ListFields()}


@pytest.mark.parametrize("fmt", ["avro", "json", "protobuf"])
def test_encoding_rules_transform_the_payload_after_the_framing(fmt: str) -> None:
    xor = Xor()
    data, read = roundtrip(fmt, RuleRegistry([xor]), xor_rule())
    assert read == ORDER
    assert b"alice@example.com" not in data
    assert [mode for mode, _ in xor.seen] == ["WRITE", "READ"]
    written, reading = xor.seen[0][1], xor.seen[1][1]
    # The rule saw the encoded payload only: the framing (and Protobuf's message indexes,
    # which belong to it) stays in front, readable.
    assert b"alice@example.com" in written
    framing = data[: len(data) - len(written)]
    assert framing[:5] == id_prefix(int.from_bytes(data[1:5], "big"))
    assert framing == (data[:6] if fmt == "protobuf" else data[:5])
    assert reading == data[len(framing) :]


@pytest.mark.parametrize("fmt", ["avro", "json", "protobuf"])
def test_a_write_only_encoding_rule_leaves_reading_to_others(fmt: str) -> None:
    xor = Xor()
    with pytest.raises(PayloadError):
        roundtrip(fmt, RuleRegistry([xor]), xor_rule("WRITE"))
    assert [mode for mode, _ in xor.seen] == ["WRITE"]


def test_disabled_encoding_rules_and_the_serializers_own_schema_leave_bytes_alone() -> None:
    xor = Xor()
    data, read = roundtrip("avro", RuleRegistry([xor]), xor_rule(disabled=True))
    assert read == ORDER
    assert b"alice@example.com" in data
    assert not xor.seen
    ctx, client = topic(), InMemoryRegistryClient()
    own = encoding_schema(json.dumps(AVRO), "AVRO", xor_rule())
    plain = AvroSerializer(client, own, rule_registry=RuleRegistry([xor]))(ORDER, ctx)
    assert plain is not None
    assert b"alice@example.com" in plain
    assert not xor.seen


def test_an_encoding_rule_that_returns_no_bytes_is_a_payload_error() -> None:
    with pytest.raises(PayloadError, match="not bytes"):
        roundtrip("avro", RuleRegistry([Xor()]), xor_rule(expr="text"))


def test_a_failing_encoding_rule_dead_letters_the_encoded_payload() -> None:
    producer = FakeProducer()
    rules = RuleRegistry([Xor()], [DlqAction(producer, topic="dead")])
    with pytest.raises(RuleError, match="'xor' failed"):
        roundtrip("avro", rules, xor_rule(expr="fail", onFailure="DLQ"))
    [sent] = producer.produced
    # On WRITE the encoding phase's input is the encoded record (no framing yet).
    assert sent["value"].startswith(b"\x04o1")


def test_a_json_reader_schema_still_reads_an_encoded_payload() -> None:
    # With a reader schema the writer's schema is fetched only when the payload needs it.
    ctx, client = topic(), InMemoryRegistryClient()
    xor = Xor()
    subject = f"{ctx.topic}-value"
    client.register_schema(subject, encoding_schema(json.dumps(JSON_DOC), "JSON", xor_rule()))
    data = JSONSerializer(None, client, conf=LATEST, rule_registry=RuleRegistry([xor]))(ORDER, ctx)
    assert data is not None
    reader = JSONDeserializer(
        json.dumps(JSON_DOC), schema_registry_client=client, rule_registry=RuleRegistry([xor])
    )
    assert reader(data, ctx) == ORDER
    # The schema id in a header: the payload starts at 0, and is decoded all the same.
    headers = {"__value_schema_id": data[:5]}
    in_header = SerializationContext(ctx.topic, headers=headers)
    assert reader(data[5:], in_header) == ORDER


# -- ENCRYPT_PAYLOAD against an in-memory DEK registry ----------------------------------


class MemoryDeks(DekRegistryClient):
    """The four calls the executors make, answered from dicts."""

    def __init__(self) -> None:
        super().__init__(HttpSettings.from_conf({"url": "http://127.0.0.1:1"}))
        self.keks: dict[str, Kek] = {}
        self.deks: dict[tuple[str, str, int], Dek] = {}

    def get_kek(self, name: str) -> Kek | None:
        return self.keks.get(name)

    def create_kek(self, name: str, kms_type: str, kms_key_id: str) -> Kek:
        self.keks[name] = Kek(name, kms_type, kms_key_id)
        return self.keks[name]

    def get_dek(self, kek: str, subject: str, version: int | None, algorithm: str) -> Dek | None:
        if version is None:
            found = [d for (k, s, _), d in self.deks.items() if (k, s) == (kek, subject)]
            return max(found, key=lambda d: d.version) if found else None
        return self.deks.get((kek, subject, version))

    def create_dek(
        self, kek: str, subject: str, version: int, algorithm: str, encrypted: str | None
    ) -> Dek:
        dek = Dek(kek, subject, version, algorithm, encrypted, None, 1)
        self.deks[(kek, subject, version)] = dek
        return dek


def payload_rule(**params: str) -> dict[str, Any]:
    return {
        "name": "sealed",
        "kind": "TRANSFORM",
        "mode": "WRITEREAD",
        "type": "ENCRYPT_PAYLOAD",
        "params": {
            "encrypt.kek.name": "kek-payload",
            "encrypt.kms.type": "local-kms",
            "encrypt.kms.key.id": "k1",
            **params,
        },
    }


def encrypting(deks: MemoryDeks) -> RuleRegistry:
    keys = DataKeys(deks, conf={"secret": SECRET}, drivers=[LocalKmsDriver()])
    return RuleRegistry(
        [FieldEncryptionExecutor(None, keys=keys), PayloadEncryptionExecutor(None, keys=keys)]
    )


@pytest.mark.parametrize("fmt", ["avro", "json", "protobuf"])
@pytest.mark.parametrize("days", [None, "7"])
def test_encrypt_payload_round_trips_and_hides_the_record(fmt: str, days: str | None) -> None:
    deks = MemoryDeks()
    params = {} if days is None else {"encrypt.dek.expiry.days": days}
    data, read = roundtrip(fmt, encrypting(deks), payload_rule(**params))
    assert read == ORDER
    assert b"alice@example.com" not in data
    [dek] = deks.deks.values()
    assert deks.keks["kek-payload"].kms_type == "local-kms"
    # The DEK was wrapped by the local KMS under SECRET, and decrypts the payload as it is.
    assert dek.encrypted_key_material is not None
    raw = local_kek(SECRET).decrypt(base64.b64decode(dek.encrypted_key_material), b"")
    start = 6 if fmt == "protobuf" else 5
    sealed = data[start:]
    if days is not None:
        assert sealed[:5] == b"\x00\x00\x00\x00\x01"  # the DEK version travels in front
        sealed = sealed[5:]
    assert b"alice@example.com" in cipher("AES256_GCM", raw).decrypt(sealed)


def test_encrypt_payload_without_a_kek_name_or_on_a_record_fails() -> None:
    with pytest.raises(RuleError, match=r"encrypt\.kek\.name"):
        roundtrip("avro", encrypting(MemoryDeks()), {**payload_rule(), "params": {}})
    executors = encryption_executors({"secret": SECRET})
    rule = Rule("r", type="ENCRYPT_PAYLOAD", params={"encrypt.kek.name": "k"})
    rule_ctx = RuleContext(
        rule, RuleMode.WRITE, 0, (rule,), "s", "t", None, False, None, None, None, None
    )
    with pytest.raises(RuleError, match="encodingRules"):
        executors[1].transform(rule_ctx, {"a": 1})
    assert executors[1].transform(rule_ctx, None) is None
    assert executors[0].keys is executors[1].keys


def test_a_protobuf_reader_on_the_latest_version_decodes_the_payload_first() -> None:
    """`use.latest.version` on read: the writer's encoding rules run before the latest parse."""
    xor = Xor()
    ctx = topic()
    order_cls, client = protobuf_client(ctx, xor_rule())
    rules = RuleRegistry([xor])
    data = ProtobufSerializer(order_cls, client, LATEST, rule_registry=rules)(
        order_cls(**ORDER), ctx
    )
    assert data is not None
    assert b"alice@example.com" not in data
    message = ProtobufDeserializer(order_cls, LATEST, client, rule_registry=rules)(data, ctx)
    assert {f.name: v for f, v in message.ListFields()} == ORDER
    assert [mode for mode, _ in xor.seen] == ["WRITE", "READ"]
