"""Encryption rules (`ENCRYPT` on fields, `ENCRYPT_PAYLOAD` on whole payloads), keys in the
registry's DEK registry.

Needs tink (the `rules` extra). Build the executor from one config dict, the way
confluent-kafka takes its client config plus `rule_conf`:

>>> executor = encryption_executor({"url": "http://127.0.0.1:8081", "secret": "..."})
>>> rules = RuleRegistry([executor])     # or RuleRegistry.default(rule_conf=...)
>>> rules = RuleRegistry(encryption_executors({...}))   # ENCRYPT and ENCRYPT_PAYLOAD

The registry keys (`url`, auth, TLS, `timeout`) reach the DEK registry; the rest is the
rule config (`secret` for the local KMS, AWS credentials, `encrypt.alternate.kms.key.ids`).
The local KMS driver is always there; the AWS KMS one when boto3 is installed (the
`rules-aws` extra).
"""

from __future__ import annotations

import importlib.util
import logging
import os
from collections.abc import Iterable, Mapping

from serdes.client import HTTP_CONF_KEYS, HttpSettings
from serdes.rules.encryption.dek_client import Dek, DekConflict, DekRegistryClient, Kek
from serdes.rules.encryption.executor import FieldEncryptionExecutor, PayloadEncryptionExecutor
from serdes.rules.encryption.keys import DataKeys
from serdes.rules.encryption.kms import AWS_PREFIX, Aead, KmsDriver, LocalKmsDriver

_CLIENT_KEYS = HTTP_CONF_KEYS
logger = logging.getLogger(__name__)


def _data_keys(conf: Mapping[str, object], drivers: Iterable[KmsDriver] | None) -> DataKeys:
    client_conf = {k: v for k, v in conf.items() if k in _CLIENT_KEYS}
    rule_conf = {k: str(v) for k, v in conf.items() if k not in _CLIENT_KEYS}
    client = DekRegistryClient(HttpSettings.from_conf(client_conf)) if "url" in conf else None
    if drivers is None:
        drivers = default_drivers(os.environ)
    return DataKeys(client, conf=rule_conf, drivers=drivers)


def encryption_executor(
    conf: Mapping[str, object], *, drivers: Iterable[KmsDriver] | None = None
) -> FieldEncryptionExecutor:
    """An `ENCRYPT` executor: registry settings and rule config from one dict.

    Without a `url` the executor is there but every ENCRYPT rule fails saying so. The
    default drivers are the local KMS (which also reads `LOCAL_SECRET` from the environment)
    and, with boto3 installed, AWS KMS.
    """
    return FieldEncryptionExecutor(None, keys=_data_keys(conf, drivers))


def encryption_executors(
    conf: Mapping[str, object], *, drivers: Iterable[KmsDriver] | None = None
) -> tuple[FieldEncryptionExecutor, PayloadEncryptionExecutor]:
    """The `ENCRYPT` and `ENCRYPT_PAYLOAD` executors, configured as `encryption_executor`,
    sharing one DEK cache (a field and a payload of one subject use the same DEK)."""
    keys = _data_keys(conf, drivers)
    return FieldEncryptionExecutor(None, keys=keys), PayloadEncryptionExecutor(None, keys=keys)


def default_drivers(environ: Mapping[str, str]) -> tuple[KmsDriver, ...]:
    """The local KMS driver, and the AWS KMS driver when boto3 is installed."""
    drivers: list[KmsDriver] = [LocalKmsDriver(environ)]
    if importlib.util.find_spec("boto3") is None:
        logger.debug("boto3 is not installed: aws-kms KEKs cannot be used")
    else:
        drivers.append(_OnFirstUse(AWS_PREFIX, environ))
    return tuple(drivers)


class _OnFirstUse:
    """The AWS driver, imported when a KEK first needs it: boto3 takes a while to load,
    and most serializers never meet an aws-kms KEK."""

    def __init__(self, prefix: str, environ: Mapping[str, str]) -> None:
        self.prefix = prefix
        self._environ = environ
        self._driver: KmsDriver | None = None

    def aead(self, conf: Mapping[str, str], key_url: str) -> Aead:
        """The AWS driver's AEAD for `key_url`."""
        if self._driver is None:
            from serdes.rules.encryption.aws_kms import AwsKmsDriver  # noqa: PLC0415

            self._driver = AwsKmsDriver(self._environ)
        return self._driver.aead(conf, key_url)


__all__ = [
    "Aead",
    "DataKeys",
    "Dek",
    "DekConflict",
    "DekRegistryClient",
    "FieldEncryptionExecutor",
    "Kek",
    "KmsDriver",
    "LocalKmsDriver",
    "PayloadEncryptionExecutor",
    "default_drivers",
    "encryption_executor",
    "encryption_executors",
]
