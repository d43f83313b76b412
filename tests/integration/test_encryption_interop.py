"""ENCRYPT rules across Cairn's serdes and confluent-kafka's, keys in Cairn's DEK registry.

confluent-kafka runs its own FieldEncryptionExecutor with its local KMS; Cairn runs its
own executor with the same secret. A PII-tagged field encrypted by one side is decrypted
by the other, for each DEK algorithm, with and without DEK rotation (version prefix).
"""

from __future__ import annotations

import base64
import itertools
import json
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from confluent_kafka.schema_registry import (
    Metadata,
    MetadataTags,
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
from confluent_kafka.schema_registry.rules.encryption.encrypt_executor import (
    FieldEncryptionExecutor as CkFieldEncryptionExecutor,
)
from confluent_kafka.schema_registry.rules.encryption.localkms.local_driver import (
    LocalKmsDriver as CkLocalKmsDriver,
)
from confluent_kafka.serialization import MessageField, SerializationContext

from compat.protobuf import ProtobufFormat
from serdes.avro import AvroDeserializer, AvroSerializer
from serdes.client import HttpSettings, registry_client
from serdes.errors import RuleError
from serdes.json_schema import JSONDeserializer, JSONSerializer
from serdes.protobuf import ProtobufDeserializer, ProtobufSerializer, message_class, schema_of_file
from serdes.rules import RuleRegistry
from serdes.rules.encryption import (
    DekRegistryClient,
    FieldEncryptionExecutor,
    encryption_executor,
)
from serdes.rules.encryption.kms import local_kek
from tests.support.kms import LOCAL_KMS_SECRET, confluent_rules, encryption_rule

pytestmark = pytest.mark.integration

_names = itertools.count()
SECRET = LOCAL_KMS_SECRET
CK = {"subject.name.strategy.type": "TOPIC"}
CK_LATEST = {**CK, "auto.register.schemas": False, "use.latest.version": True}
LATEST = {"use.latest.version": True}
VALUE = {"id": "c-1", "ssn": "123-45-6789", "blob": b"\x00secret bytes"}
AVRO = json.dumps(
    {
        "type": "record",
        "name": "Customer",
        "namespace": "shop",
        "fields": [
            {"name": "id", "type": "string"},
            {"name": "ssn", "type": "string", "confluent:tags": ["PII"]},
            {"name": "blob", "type": "bytes", "confluent:tags": ["PII"]},
        ],
    }
)
JSON_SCHEMA = json.dumps(
    {
        "type": "object",
        "properties": {
            "id": {"type": "string"},
            "ssn": {"type": "string", "confluent:tags": ["PII"]},
        },
        "required": ["id", "ssn"],
    }
)


def ctx(topic: str) -> SerializationContext:
    return SerializationContext(topic, MessageField.VALUE)


@pytest.fixture(scope="module", autouse=True)
def confluent_kms() -> None:
    CkLocalKmsDriver.register()


@pytest.fixture
def ck_rules() -> Iterator[CkRuleRegistry]:
    """A private confluent-kafka rule registry with a fresh encryption executor."""
    with confluent_rules(CkFieldEncryptionExecutor()) as rules:
        yield rules


def register(
    client: SchemaRegistryClient,
    subject: str,
    text: str,
    kind: str,
    params: dict[str, str],
    metadata: Metadata | None = None,
) -> str:
    kek = f"kek{next(_names)}"
    params = {
        "encrypt.kek.name": kek,
        "encrypt.kms.type": "local-kms",
        "encrypt.kms.key.id": "k1",
        **params,
    }
    rule = encryption_rule("ENCRYPT", "encrypt-pii", ["PII"], params)
    client.register_schema(subject, Schema(text, kind, [], metadata, RuleSet(None, [rule])))
    return kek


def ours(registry_url: str, secret: str = SECRET) -> RuleRegistry:
    return RuleRegistry.default(rule_conf={"url": registry_url, "secret": secret})


PARAMS = {
    "gcm": {},
    "siv": {"encrypt.dek.algorithm": "AES256_SIV"},
    "gcm128-rotating": {"encrypt.dek.algorithm": "AES128_GCM", "encrypt.dek.expiry.days": "1"},
}


@pytest.mark.parametrize("params", PARAMS.values(), ids=PARAMS.keys())
def test_avro_encrypted_fields_cross_both_ways(
    registry_url: str,
    ck_client: SchemaRegistryClient,
    ck_rules: CkRuleRegistry,
    params: dict[str, str],
) -> None:
    topic = f"enc{next(_names)}"
    kek = register(ck_client, f"{topic}-value", AVRO, "AVRO", params)
    rule_conf = {"secret": SECRET}
    client = registry_client({"url": registry_url})

    theirs = CkAvroSerializer(
        ck_client, None, conf=CK_LATEST, rule_conf=rule_conf, rule_registry=ck_rules
    )(dict(VALUE), ctx(topic))
    assert theirs is not None
    assert b"123-45-6789" not in theirs
    assert b"secret bytes" not in theirs
    read = AvroDeserializer(client, rule_registry=ours(registry_url))(theirs, ctx(topic))
    assert read == VALUE

    mine = AvroSerializer(client, None, conf=LATEST, rule_registry=ours(registry_url))(
        dict(VALUE), ctx(topic)
    )
    assert mine is not None
    assert b"123-45-6789" not in mine
    assert b"secret bytes" not in mine
    ck_de = CkAvroDeserializer(ck_client, conf=CK, rule_conf=rule_conf, rule_registry=ck_rules)
    assert ck_de(mine, ctx(topic)) == VALUE

    # One DEK for the subject, wrapped by a client: the registry never saw the key.
    assert httpx.get(f"{registry_url}/dek-registry/v1/keks/{kek}/deks").json() == [f"{topic}-value"]
    algorithm = params.get("encrypt.dek.algorithm", "AES256_GCM")
    dek = httpx.get(
        f"{registry_url}/dek-registry/v1/keks/{kek}/deks/{topic}-value/versions/latest",
        params={"algorithm": algorithm},
    ).json()
    assert (dek["version"], dek["algorithm"]) == (1, algorithm)
    assert "keyMaterial" not in dek


def test_siv_is_deterministic_across_clients(
    registry_url: str, ck_client: SchemaRegistryClient, ck_rules: CkRuleRegistry
) -> None:
    topic = f"enc{next(_names)}"
    register(ck_client, f"{topic}-value", AVRO, "AVRO", PARAMS["siv"])
    client = registry_client({"url": registry_url})
    theirs = CkAvroSerializer(
        ck_client, None, conf=CK_LATEST, rule_conf={"secret": SECRET}, rule_registry=ck_rules
    )(dict(VALUE), ctx(topic))
    mine = AvroSerializer(client, None, conf=LATEST, rule_registry=ours(registry_url))(
        dict(VALUE), ctx(topic)
    )
    assert mine == theirs


def test_cairn_creates_the_kek_and_dek_and_a_wrong_secret_cannot_read(
    registry_url: str, ck_client: SchemaRegistryClient
) -> None:
    topic = f"enc{next(_names)}"
    kek = register(ck_client, f"{topic}-value", AVRO, "AVRO", {})
    client = registry_client({"url": registry_url})
    written = AvroSerializer(client, None, conf=LATEST, rule_registry=ours(registry_url))(
        dict(VALUE), ctx(topic)
    )
    created = httpx.get(f"{registry_url}/dek-registry/v1/keks/{kek}").json()
    assert (created["kmsType"], created["kmsKeyId"], created["shared"]) == (
        "local-kms",
        "k1",
        False,
    )

    wrong = AvroDeserializer(client, rule_registry=ours(registry_url, "another secret"))
    with pytest.raises(RuleError):
        wrong(written, ctx(topic))
    no_registry = AvroDeserializer(client, rule_registry=RuleRegistry.default())
    with pytest.raises(RuleError):
        no_registry(written, ctx(topic))


def test_json_encrypted_field_crosses_both_ways(
    registry_url: str, ck_client: SchemaRegistryClient, ck_rules: CkRuleRegistry
) -> None:
    topic = f"enc{next(_names)}"
    register(ck_client, f"{topic}-value", JSON_SCHEMA, "JSON", {})
    rule_conf = {"secret": SECRET}
    client = registry_client({"url": registry_url})
    value = {"id": "c-2", "ssn": "987-65-4321"}
    to_dict: Callable[[Any, Any], Any] = lambda obj, _ctx: obj  # noqa: E731

    theirs = CkJSONSerializer(
        None, ck_client, to_dict, conf=CK_LATEST, rule_conf=rule_conf, rule_registry=ck_rules
    )(dict(value), ctx(topic))
    assert theirs is not None
    assert b"987-65-4321" not in theirs
    assert (
        JSONDeserializer(None, schema_registry_client=client, rule_registry=ours(registry_url))(
            theirs, ctx(topic)
        )
        == value
    )

    mine = JSONSerializer(None, client, conf=LATEST, rule_registry=ours(registry_url))(
        dict(value), ctx(topic)
    )
    assert mine is not None
    assert b"987-65-4321" not in mine
    ck_de = CkJSONDeserializer(
        None, conf=CK, schema_registry_client=ck_client, rule_conf=rule_conf, rule_registry=ck_rules
    )
    assert ck_de(mine, ctx(topic)) == value


PROTO = """
syntax = "proto3";
package shop;
{imports}
message {name} {{
  string id = 1;
  string ssn = 2{tag};
  bytes blob = 3{tag};
}}
"""
INLINE_TAG = ' [(confluent.field_meta).tags = "PII"]'


@pytest.mark.parametrize("inline", [False, True], ids=["metadata-tags", "inline-tags"])
def test_protobuf_encrypted_fields_cross_both_ways(
    registry_url: str, ck_rules: CkRuleRegistry, inline: bool
) -> None:
    topic, name = f"enc{next(_names)}", f"Customer{next(_names)}"
    proto = PROTO.format(
        name=name,
        imports='import "confluent/meta.proto";' if inline else "",
        tag=INLINE_TAG if inline else "",
    )
    cls = message_class(ProtobufFormat().parse(proto), f"shop.{name}")
    text = schema_of_file(cls.DESCRIPTOR.file).schema_str
    tags = MetadataTags({f"shop.{name}.ssn": ["PII"], f"shop.{name}.blob": ["PII"]})
    metadata = None if inline else Metadata(tags, None, None)
    # Its own client registers: confluent-kafka's keeps the answer's text form by id.
    registrar = SchemaRegistryClient({"url": registry_url})
    register(registrar, f"{topic}-value", text, "PROTOBUF", {}, metadata)
    registrar.close()
    ck_client = SchemaRegistryClient({"url": registry_url})
    client = registry_client({"url": registry_url})
    rule_conf = {"secret": SECRET}
    pb = {"use.deprecated.format": False}
    try:
        theirs = CkProtobufSerializer(
            cls, ck_client, {**CK_LATEST, **pb}, rule_conf=rule_conf, rule_registry=ck_rules
        )(cls(id="c-1", ssn="123-45-6789", blob=b"raw"), ctx(topic))
        assert b"123-45-6789" not in theirs
        read: Any = ProtobufDeserializer(cls, None, client, rule_registry=ours(registry_url))(
            theirs, ctx(topic)
        )
        assert (read.id, read.ssn, read.blob) == ("c-1", "123-45-6789", b"raw")

        mine = ProtobufSerializer(cls, client, LATEST, rule_registry=ours(registry_url))(
            cls(id="c-2", ssn="987-65-4321", blob=b"raw2"), ctx(topic)
        )
        assert mine is not None
        assert b"987-65-4321" not in mine
        ck_de = CkProtobufDeserializer(
            cls, pb, ck_client, rule_conf=rule_conf, rule_registry=ck_rules
        )
        back: Any = ck_de(mine, ctx(topic))
        assert (back.id, back.ssn, back.blob) == ("c-2", "987-65-4321", b"raw2")
    finally:
        ck_client.close()


def test_an_expired_dek_is_replaced_and_old_records_still_read(
    registry_url: str, ck_client: SchemaRegistryClient, ck_rules: CkRuleRegistry
) -> None:
    topic = f"enc{next(_names)}"
    kek = register(ck_client, f"{topic}-value", AVRO, "AVRO", {"encrypt.dek.expiry.days": "1"})
    client = registry_client({"url": registry_url})
    dek_client = DekRegistryClient(HttpSettings.from_conf({"url": registry_url}))
    now = [0]

    def at(ms: int) -> RuleRegistry:
        now[0] = ms
        executor = FieldEncryptionExecutor(
            dek_client, conf={"secret": SECRET}, clock=lambda: now[0]
        )
        return RuleRegistry([executor])

    today = int(time.time() * 1000)
    first = AvroSerializer(client, None, conf=LATEST, rule_registry=at(today))(
        dict(VALUE), ctx(topic)
    )
    later = AvroSerializer(client, None, conf=LATEST, rule_registry=at(today + 2 * 86_400_000))(
        dict(VALUE), ctx(topic)
    )
    versions = f"{registry_url}/dek-registry/v1/keks/{kek}/deks/{topic}-value/versions"
    assert httpx.get(versions).json() == [1, 2]
    ck_de = CkAvroDeserializer(
        ck_client, conf=CK, rule_conf={"secret": SECRET}, rule_registry=ck_rules
    )
    assert ck_de(first, ctx(topic)) == VALUE
    assert ck_de(later, ctx(topic)) == VALUE
    assert AvroDeserializer(client, rule_registry=ours(registry_url))(first, ctx(topic)) == VALUE


def test_a_shared_kek_lets_clients_without_kms_access_encrypt(
    registry_url: str, ck_client: SchemaRegistryClient, ck_rules: CkRuleRegistry
) -> None:
    """The registry wraps the shared KEK's DEK itself and hands out its key material."""
    topic = f"enc{next(_names)}"
    kek = f"shared{next(_names)}"
    created = httpx.post(
        f"{registry_url}/dek-registry/v1/keks",
        json={"name": kek, "kmsType": "local-kms", "kmsKeyId": "k1", "shared": True},
    )
    assert created.status_code == 200, created.text
    register(ck_client, f"{topic}-value", AVRO, "AVRO", {"encrypt.kek.name": kek})
    client = registry_client({"url": registry_url})
    # No KMS driver at all on Cairn's side: only the registry can wrap and unwrap.
    no_kms = RuleRegistry([encryption_executor({"url": registry_url}, drivers=())])

    mine = AvroSerializer(client, None, conf=LATEST, rule_registry=no_kms)(dict(VALUE), ctx(topic))
    assert mine is not None
    assert b"123-45-6789" not in mine
    ck_de = CkAvroDeserializer(ck_client, conf=CK, rule_registry=ck_rules)
    assert ck_de(mine, ctx(topic)) == VALUE
    theirs = CkAvroSerializer(ck_client, None, conf=CK_LATEST, rule_registry=ck_rules)(
        dict(VALUE), ctx(topic)
    )
    assert AvroDeserializer(client, rule_registry=no_kms)(theirs, ctx(topic)) == VALUE

    dek = httpx.get(f"{registry_url}/dek-registry/v1/keks/{kek}/deks/{topic}-value").json()
    wrapped = base64.b64decode(dek["encryptedKeyMaterial"])
    assert local_kek(SECRET).decrypt(wrapped, b"") == base64.b64decode(dek["keyMaterial"])
    assert httpx.post(f"{registry_url}/dek-registry/v1/keks/{kek}/test").status_code == 200
