"""Encryption rules (`ENCRYPT` on fields, `ENCRYPT_PAYLOAD` on whole payloads), keys in the
registry's DEK registry.

Needs tink (the `rules` extra). Build the executor from one config dict, the way
confluent-kafka takes its client config plus `rule_conf`:

>>> executor = encryption_executor({"url": "http://127.0.0.1:8081", "secret": "..."})
>>> rules = RuleRegistry([executor])     # or RuleRegistry.default(rule_conf=...)
>>> rules = RuleRegistry(encryption_executors({...}))   # ENCRYPT and ENCRYPT_PAYLOAD

The registry keys (`url`, auth, TLS, `timeout`) reach the DEK registry; the rest is the
rule config (`secret` for the local KMS, `encrypt.alternate.kms.key.ids`).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping

from serdes.client import HTTP_CONF_KEYS, HttpSettings
from serdes.rules.encryption.dek_client import Dek, DekConflict, DekRegistryClient, Kek
from serdes.rules.encryption.executor import FieldEncryptionExecutor, PayloadEncryptionExecutor
from serdes.rules.encryption.keys import DataKeys
from serdes.rules.encryption.kms import Aead, KmsDriver, LocalKmsDriver

_CLIENT_KEYS = HTTP_CONF_KEYS


def _data_keys(conf: Mapping[str, object], drivers: Iterable[KmsDriver] | None) -> DataKeys:
    client_conf = {k: v for k, v in conf.items() if k in _CLIENT_KEYS}
    rule_conf = {k: str(v) for k, v in conf.items() if k not in _CLIENT_KEYS}
    client = DekRegistryClient(HttpSettings.from_conf(client_conf)) if "url" in conf else None
    if drivers is None:
        drivers = (LocalKmsDriver(os.environ),)
    return DataKeys(client, conf=rule_conf, drivers=drivers)


def encryption_executor(
    conf: Mapping[str, object], *, drivers: Iterable[KmsDriver] | None = None
) -> FieldEncryptionExecutor:
    """An `ENCRYPT` executor: registry settings and rule config from one dict.

    Without a `url` the executor is there but every ENCRYPT rule fails saying so. The
    default driver is the local KMS, which also reads `LOCAL_SECRET` from the environment.
    """
    return FieldEncryptionExecutor(None, keys=_data_keys(conf, drivers))


def encryption_executors(
    conf: Mapping[str, object], *, drivers: Iterable[KmsDriver] | None = None
) -> tuple[FieldEncryptionExecutor, PayloadEncryptionExecutor]:
    """The `ENCRYPT` and `ENCRYPT_PAYLOAD` executors, configured as `encryption_executor`,
    sharing one DEK cache (a field and a payload of one subject use the same DEK)."""
    keys = _data_keys(conf, drivers)
    return FieldEncryptionExecutor(None, keys=keys), PayloadEncryptionExecutor(None, keys=keys)


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
    "encryption_executor",
    "encryption_executors",
]
