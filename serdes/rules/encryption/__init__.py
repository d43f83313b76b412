"""Field-level encryption (`ENCRYPT` rules) with keys in the registry's DEK registry.

Needs tink (the `rules` extra). Build the executor from one config dict, the way
confluent-kafka takes its client config plus `rule_conf`:

>>> executor = encryption_executor({"url": "http://127.0.0.1:8081", "secret": "..."})
>>> rules = RuleRegistry([executor])     # or RuleRegistry.default(rule_conf=...)

The registry keys (`url`, auth, TLS, `timeout`) reach the DEK registry; the rest is the
rule config (`secret` for the local KMS, `encrypt.alternate.kms.key.ids`).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping

from serdes.client import HTTP_CONF_KEYS, HttpSettings
from serdes.rules.encryption.dek_client import Dek, DekConflict, DekRegistryClient, Kek
from serdes.rules.encryption.executor import FieldEncryptionExecutor
from serdes.rules.encryption.kms import Aead, KmsDriver, LocalKmsDriver

_CLIENT_KEYS = HTTP_CONF_KEYS


def encryption_executor(
    conf: Mapping[str, object], *, drivers: Iterable[KmsDriver] | None = None
) -> FieldEncryptionExecutor:
    """An `ENCRYPT` executor: registry settings and rule config from one dict.

    Without a `url` the executor is there but every ENCRYPT rule fails saying so. The
    default driver is the local KMS, which also reads `LOCAL_SECRET` from the environment.
    """
    client_conf = {k: v for k, v in conf.items() if k in _CLIENT_KEYS}
    rule_conf = {k: str(v) for k, v in conf.items() if k not in _CLIENT_KEYS}
    client = DekRegistryClient(HttpSettings.from_conf(client_conf)) if "url" in conf else None
    if drivers is None:
        drivers = (LocalKmsDriver(os.environ),)
    return FieldEncryptionExecutor(client, conf=rule_conf, drivers=drivers)


__all__ = [
    "Aead",
    "Dek",
    "DekConflict",
    "DekRegistryClient",
    "FieldEncryptionExecutor",
    "Kek",
    "KmsDriver",
    "LocalKmsDriver",
    "encryption_executor",
]
