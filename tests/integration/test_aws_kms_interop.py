"""ENCRYPT with an `aws-kms` KEK: Cairn's AWS driver and confluent-kafka's, one KMS between them.

The KMS is moto's in-process AWS (there is no real AWS here); the DEK registry is a live
Cairn. Each side wraps a DEK with the KMS key and the other unwraps it, so a field encrypted
by one client is decrypted by the other.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator

import boto3
import httpx
import pytest
from confluent_kafka.schema_registry import (
    RuleSet,
    Schema,
    SchemaRegistryClient,
)
from confluent_kafka.schema_registry.avro import AvroDeserializer as CkAvroDeserializer
from confluent_kafka.schema_registry.avro import AvroSerializer as CkAvroSerializer
from confluent_kafka.schema_registry.rule_registry import RuleRegistry as CkRuleRegistry
from confluent_kafka.schema_registry.rules.encryption.awskms.aws_driver import (
    AwsKmsDriver as CkAwsKmsDriver,
)
from confluent_kafka.schema_registry.rules.encryption.encrypt_executor import (
    FieldEncryptionExecutor as CkFieldEncryptionExecutor,
)
from confluent_kafka.serialization import MessageField, SerializationContext
from moto import mock_aws

from serdes.avro import AvroDeserializer, AvroSerializer
from serdes.client import registry_client
from serdes.rules import RuleRegistry
from tests.support.kms import confluent_rules, encryption_rule

pytestmark = pytest.mark.integration

_names = itertools.count()
REGION = "us-east-2"
VALUE = {"id": "c-1", "ssn": "123-45-6789"}
AVRO = json.dumps(
    {
        "type": "record",
        "name": "Customer",
        "fields": [
            {"name": "id", "type": "string"},
            {"name": "ssn", "type": "string", "confluent:tags": ["PII"]},
        ],
    }
)


@pytest.fixture(scope="module")
def kms_key() -> Iterator[str]:
    """One key in a mocked AWS KMS for the module (confluent-kafka keeps its KMS clients)."""
    with pytest.MonkeyPatch.context() as env:
        for name in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_KMS", "AWS_ROLE_ARN"):
            env.delenv(name, raising=False)
        env.setenv("AWS_ACCESS_KEY_ID", "testing")
        env.setenv("AWS_SECRET_ACCESS_KEY", "testing")
        with mock_aws():
            CkAwsKmsDriver.register()
            yield boto3.client("kms", region_name=REGION).create_key()["KeyMetadata"]["Arn"]


@pytest.fixture
def ck_rules() -> Iterator[CkRuleRegistry]:
    with confluent_rules(CkFieldEncryptionExecutor()) as rules:
        yield rules


def ctx(topic: str) -> SerializationContext:
    return SerializationContext(topic, MessageField.VALUE)


def register(registry_url: str, subject: str, key_arn: str) -> str:
    kek = f"aws-kek{next(_names)}"
    params = {
        "encrypt.kek.name": kek,
        "encrypt.kms.type": "aws-kms",
        "encrypt.kms.key.id": key_arn,
    }
    rule = encryption_rule("ENCRYPT", "encrypt-pii", ["PII"], params)
    client = SchemaRegistryClient({"url": registry_url})
    client.register_schema(subject, Schema(AVRO, "AVRO", [], None, RuleSet(None, [rule])))
    client.close()
    return kek


def test_aws_kms_keys_cross_both_ways(
    registry_url: str, kms_key: str, ck_rules: CkRuleRegistry
) -> None:
    topic = f"aws{next(_names)}"
    kek = register(registry_url, f"{topic}-value", kms_key)
    ck_client = SchemaRegistryClient({"url": registry_url})
    client = registry_client({"url": registry_url})
    ours = RuleRegistry.default(rule_conf={"url": registry_url})
    latest = {"use.latest.version": True}

    # Cairn writes first: it creates the KEK and a DEK wrapped by AWS KMS.
    mine = AvroSerializer(client, None, conf=latest, rule_registry=ours)(dict(VALUE), ctx(topic))
    assert mine is not None
    assert b"123-45-6789" not in mine
    dek = httpx.get(
        f"{registry_url}/dek-registry/v1/keks/{kek}/deks/{topic}-value/versions/latest"
    ).json()
    assert dek["encryptedKeyMaterial"]
    assert "keyMaterial" not in dek
    kek_body = httpx.get(f"{registry_url}/dek-registry/v1/keks/{kek}").json()
    assert (kek_body["kmsType"], kek_body["kmsKeyId"]) == ("aws-kms", kms_key)

    ck_de = CkAvroDeserializer(ck_client, conf={}, rule_registry=ck_rules)
    assert ck_de(mine, ctx(topic)) == VALUE

    ck_conf = {"auto.register.schemas": False, "use.latest.version": True}
    theirs = CkAvroSerializer(ck_client, None, conf=ck_conf, rule_registry=ck_rules)(
        dict(VALUE), ctx(topic)
    )
    assert theirs is not None
    assert b"123-45-6789" not in theirs
    assert AvroDeserializer(client, rule_registry=ours)(theirs, ctx(topic)) == VALUE
    ck_client.close()
