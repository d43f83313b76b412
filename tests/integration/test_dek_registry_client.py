"""confluent-kafka's own DEK registry client and field encryption against a real Cairn."""

from __future__ import annotations

import base64
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
    SchemaRegistryError,
)
from confluent_kafka.schema_registry.avro import AvroDeserializer, AvroSerializer
from confluent_kafka.schema_registry.rule_registry import RuleRegistry
from confluent_kafka.schema_registry.rules.encryption.dek_registry.dek_registry_client import (
    DekAlgorithm,
    DekRegistryClient,
)
from confluent_kafka.schema_registry.rules.encryption.encrypt_executor import (
    FieldEncryptionExecutor,
)
from confluent_kafka.schema_registry.rules.encryption.localkms.local_driver import (
    LocalKmsDriver,
)
from confluent_kafka.serialization import MessageField, SerializationContext

from tests.support.kms import LOCAL_KMS_SECRET

pytestmark = pytest.mark.integration

_names = itertools.count()
KEKS = "/dek-registry/v1/keks"


def unique(prefix: str) -> str:
    return f"{prefix}{next(_names)}"


@pytest.fixture
def new_client(registry_url: str) -> Iterator[Callable[[], DekRegistryClient]]:
    """Fresh DEK registry clients (no shared caches), closed after the test."""
    clients: list[DekRegistryClient] = []

    def build() -> DekRegistryClient:
        client = DekRegistryClient({"url": registry_url})
        clients.append(client)
        return client

    yield build
    for client in clients:
        client.__exit__()  # type: ignore[no-untyped-call]


@pytest.fixture
def schema_client(registry_url: str) -> Iterator[SchemaRegistryClient]:
    client = SchemaRegistryClient({"url": registry_url})
    yield client
    client.close()


def test_client_registers_and_fetches_keks_and_deks(
    registry_url: str, new_client: Callable[[], DekRegistryClient]
) -> None:
    kek_name, subject = unique("kek"), unique("orders-value-")
    client = new_client()
    kek = client.register_kek(kek_name, "local-kms", "key-1", kms_props={"a": "1"}, doc="d")
    assert (kek.name, kek.kms_type, kek.kms_key_id, kek.shared) == (
        kek_name,
        "local-kms",
        "key-1",
        False,
    )
    fetched = new_client().get_kek(kek_name)
    assert fetched.kms_props is not None
    assert fetched.doc == "d"
    assert fetched.ts == kek.ts

    wrapped = base64.b64encode(b"wrapped by the client").decode()
    dek = client.register_dek(kek_name, subject, wrapped)
    assert (dek.kek_name, dek.subject, dek.version) == (kek_name, subject, 1)
    assert dek.algorithm == DekAlgorithm.AES256_GCM
    assert dek.encrypted_key_material == wrapped
    assert dek.key_material is None
    client.register_dek(kek_name, subject, wrapped, version=2)
    siv = client.register_dek(kek_name, subject, "c2l2", algorithm=DekAlgorithm.AES256_SIV)
    assert siv.algorithm == DekAlgorithm.AES256_SIV

    fresh = new_client()
    assert fresh.get_dek(kek_name, subject).version == 1
    assert fresh.get_dek(kek_name, subject, version=-1).version == 2
    got = fresh.get_dek(kek_name, subject, algorithm=DekAlgorithm.AES256_SIV)
    assert got.encrypted_key_material == "c2l2"

    # A conflicting create is Confluent's 409 40971, as the client expects.
    with pytest.raises(SchemaRegistryError) as conflict:
        new_client().register_dek(kek_name, subject, "b3RoZXI=")
    assert (conflict.value.http_status_code, conflict.value.error_code) == (409, 40971)

    # Deletes: the client has none, so through the REST API, then seen through the client.
    versions = f"{registry_url}{KEKS}/{kek_name}/deks/{subject}/versions"
    assert httpx.delete(f"{versions}/2").status_code == 204
    assert httpx.get(versions).json() == [1]
    with pytest.raises(SchemaRegistryError) as missing:
        new_client().get_dek(kek_name, subject, version=2)
    assert (missing.value.http_status_code, missing.value.error_code) == (404, 40470)
    deleted = new_client().get_dek(kek_name, subject, version=2, deleted=True)
    assert deleted.deleted is True
    assert httpx.post(f"{versions}/2/undelete").status_code == 204
    assert new_client().get_dek(kek_name, subject, version=-1).version == 2


def test_unknown_kek_is_an_error_the_client_reports(
    new_client: Callable[[], DekRegistryClient],
) -> None:
    with pytest.raises(SchemaRegistryError) as missing:
        new_client().get_kek(unique("absent"))
    assert (missing.value.http_status_code, missing.value.error_code) == (404, 40470)


_SCHEMA = json.dumps(
    {
        "type": "record",
        "name": "Customer",
        "fields": [
            {"name": "id", "type": "string"},
            {"name": "ssn", "type": "string", "confluent:tags": ["PII"]},
        ],
    }
)


def test_field_encryption_round_trips_through_cairn(
    registry_url: str, schema_client: SchemaRegistryClient
) -> None:
    """confluent-kafka's FieldEncryptionExecutor with its local KMS: it registers the KEK
    and a client-wrapped DEK in Cairn, encrypts the tagged field, and decrypts it back."""
    LocalKmsDriver.register()
    # A private rule registry: the executor keeps the first registry URL it is configured
    # with, so a process-wide one could clash with other tests' executors.
    executor = FieldEncryptionExecutor()
    rules = RuleRegistry()  # type: ignore[no-untyped-call]
    rules.register_executor(executor)
    topic, kek_name = unique("customers"), unique("customers_kek")
    subject = f"{topic}-value"
    rule = Rule(
        "encrypt-pii",
        "",
        RuleKind.TRANSFORM,
        RuleMode.WRITEREAD,
        "ENCRYPT",
        ["PII"],
        RuleParams(
            {
                "encrypt.kek.name": kek_name,
                "encrypt.kms.type": "local-kms",
                "encrypt.kms.key.id": "k1",
            }
        ),
        None,
        None,
        "ERROR,NONE",
        False,
    )
    client = schema_client
    client.register_schema(subject, Schema(_SCHEMA, "AVRO", [], None, RuleSet(None, [rule])))
    rule_conf: dict[str, Any] = {"secret": LOCAL_KMS_SECRET}
    serializer = AvroSerializer(
        client,
        None,
        conf={"auto.register.schemas": False, "use.latest.version": True},
        rule_conf=rule_conf,
        rule_registry=rules,
    )
    ctx = SerializationContext(topic, MessageField.VALUE)
    value = {"id": "c-1", "ssn": "123-45-6789"}
    message = serializer(value, ctx)
    assert message is not None
    assert b"123-45-6789" not in message

    deks = httpx.get(f"{registry_url}{KEKS}/{kek_name}/deks").json()
    assert deks == [subject]
    dek = httpx.get(f"{registry_url}{KEKS}/{kek_name}/deks/{subject}").json()
    assert dek["encryptedKeyMaterial"]
    assert "keyMaterial" not in dek

    deserializer = AvroDeserializer(client, rule_conf=rule_conf, rule_registry=rules)
    try:
        assert deserializer(message, ctx) == {"id": "c-1", "ssn": "123-45-6789"}
    finally:
        executor.close()  # type: ignore[no-untyped-call]
