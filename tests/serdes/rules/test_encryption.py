"""The ENCRYPT executor's checks and its local KMS, without a registry."""

from __future__ import annotations

import pytest
from confluent_kafka.schema_registry.rules.encryption.localkms.local_client import (
    LocalKmsClient,
)
from tink import TinkError

from serdes.errors import RuleError
from serdes.rules import FieldContext, FieldType, Rule, RuleContext, RuleMode
from serdes.rules.encryption import FieldEncryptionExecutor, LocalKmsDriver, encryption_executor
from serdes.rules.encryption.cryptor import cipher, generate_key
from serdes.rules.encryption.kms import local_kek


def context(params: dict[str, str], mode: RuleMode = RuleMode.WRITE) -> RuleContext:
    rule = Rule("enc", type="ENCRYPT", tags=frozenset({"PII"}), params=params)
    return RuleContext(rule, mode, 0, (rule,), "s-value", "s", None, False, None, None, None, None)


def field(field_type: FieldType = FieldType.STRING) -> FieldContext:
    return FieldContext({}, "ns.R.f", "f", field_type, frozenset({"PII"}))


def test_local_kek_is_confluents() -> None:
    ours = local_kek("s3cret")
    theirs = LocalKmsClient("s3cret").get_aead("local-kms://any")
    assert theirs.decrypt(ours.encrypt(b"dek", b""), b"") == b"dek"
    assert ours.decrypt(theirs.encrypt(b"dek", b""), b"") == b"dek"
    with pytest.raises(TinkError):
        local_kek("other").decrypt(ours.encrypt(b"dek", b""), b"")


def test_local_driver_needs_a_secret() -> None:
    with pytest.raises(RuleError, match="secret"):
        LocalKmsDriver().aead({}, "local-kms://k")
    env = LocalKmsDriver({"LOCAL_SECRET": "s3cret"}).aead({}, "local-kms://k")
    assert local_kek("s3cret").decrypt(env.encrypt(b"x", b""), b"") == b"x"


@pytest.mark.parametrize("algorithm", ["AES128_GCM", "AES256_GCM", "AES256_SIV"])
def test_each_algorithm_round_trips(algorithm: str) -> None:
    key = cipher(algorithm, generate_key(algorithm))
    assert key.decrypt(key.encrypt(b"plain")) == b"plain"
    assert (key.encrypt(b"plain") == key.encrypt(b"plain")) is (algorithm == "AES256_SIV")
    with pytest.raises(RuleError):
        key.decrypt(b"\x00" * 40)


KEK = {"encrypt.kek.name": "k"}


@pytest.mark.parametrize(
    ("params", "field_type", "message"),
    [
        ({}, FieldType.STRING, "encrypt.kek.name"),
        ({"encrypt.kek.name": ""}, FieldType.STRING, "encrypt.kek.name"),
        (KEK, FieldType.INT, "cannot be encrypted"),
        ({**KEK, "encrypt.dek.algorithm": "ROT13"}, FieldType.STRING, "invalid DEK algorithm"),
        ({**KEK, "encrypt.dek.expiry.days": "-1"}, FieldType.STRING, "negative"),
        ({**KEK, "encrypt.dek.expiry.days": "x"}, FieldType.STRING, "integer"),
        (KEK, FieldType.STRING, "url"),
    ],
)
def test_bad_rules_fail_with_a_rule_error(
    params: dict[str, str], field_type: FieldType, message: str
) -> None:
    executor = FieldEncryptionExecutor(None)
    with pytest.raises(RuleError, match=message):
        executor.field_transform(context(params), field(field_type), "v")


def test_none_stays_none_and_config_splits_registry_from_rule_keys() -> None:
    executor = encryption_executor({"url": "http://127.0.0.1:1", "secret": "s"})
    assert executor.field_transform(context(KEK), field(), None) is None
    assert executor.field_transform(context(KEK, RuleMode.READ), field(), None) is None
