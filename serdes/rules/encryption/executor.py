"""The `ENCRYPT` and `ENCRYPT_PAYLOAD` rules: encryption with keys from the DEK registry.

`ENCRYPT` is a domain rule: on WRITE each STRING or BYTES field the rule's tags select is
encrypted with the subject's DEK; on READ it is decrypted. A string becomes the standard
base64 of its ciphertext, bytes the ciphertext itself, so the schema does not change.

`ENCRYPT_PAYLOAD` is an encoding rule (`ruleSet.encodingRules`): it encrypts the whole
encoded payload after the record is written and before the schema id is put in front,
and decrypts it before the record is read, so nothing of the record is readable without
the DEK. Both take the same parameters and produce the same bytes as confluent-kafka's
executors of those names; how keys are found, made and cached is `serdes.rules.encryption.keys`.
"""

from __future__ import annotations

import base64
import time
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from serdes.errors import RuleError
from serdes.rules._model import Rule, RuleMode
from serdes.rules.context import FieldContext, FieldRuleExecutor, FieldType, RuleContext
from serdes.rules.encryption.dek_client import DekRegistryClient
from serdes.rules.encryption.keys import DataKeys, rule_settings
from serdes.rules.encryption.kms import KmsDriver


def _now_ms() -> int:
    return int(time.time() * 1000)


class _UsesDataKeys:
    """What both executors share: the DEKs they encrypt with, their own or given `keys`."""

    def __init__(
        self,
        client: DekRegistryClient | None,
        *,
        conf: Mapping[str, str] | None = None,
        drivers: Iterable[KmsDriver] | None = None,
        clock: Callable[[], int] = _now_ms,
        keys: DataKeys | None = None,
    ) -> None:
        if keys is None:
            keys = DataKeys(client, conf=conf, drivers=drivers, clock=clock)
        self._keys = keys

    @property
    def keys(self) -> DataKeys:
        """The DEKs this executor encrypts with."""
        return self._keys

    def check_rule(self, rule: Rule, parameter: Callable[[str], str | None]) -> list[str]:
        """Whether the rule names a KEK, a known DEK algorithm and valid expiry days."""
        try:
            rule_settings(rule.type or "ENCRYPT", parameter)
        except RuleError as exc:
            return [str(exc)]
        return []


class FieldEncryptionExecutor(_UsesDataKeys, FieldRuleExecutor):
    """Runs `ENCRYPT` rules; `client` reaches the DEK registry, `drivers` the KMSs.

    `conf` is the rule config (the local KMS's `secret`, alternate key ids); `clock` gives
    milliseconds since the epoch and decides when a rotating DEK has expired. Pass `keys`
    instead to share the DEK cache with a `PayloadEncryptionExecutor`.
    """

    type = "ENCRYPT"

    def field_transform(self, ctx: RuleContext, field: FieldContext, value: Any) -> Any:
        """The field encrypted (WRITE) or decrypted (READ); None stays None."""
        if value is None:
            return None
        if field.field_type not in (FieldType.STRING, FieldType.BYTES):
            raise RuleError(f"type {field.field_type} of {field.full_name} cannot be encrypted")
        text = field.field_type is FieldType.STRING
        if ctx.mode is RuleMode.WRITE:
            out = self._keys.encrypt(ctx, value.encode("utf-8") if text else bytes(value))
            return base64.b64encode(out).decode("ascii") if text else out
        if ctx.mode is RuleMode.READ:
            if text:
                try:
                    data = base64.b64decode(value, validate=True)
                except ValueError as exc:
                    raise RuleError(f"{field.full_name} is not base64 ciphertext") from exc
            else:
                data = bytes(value)
            plain = self._keys.decrypt(ctx, data, field.full_name)
            return plain.decode("utf-8") if text else plain
        raise RuleError(f"ENCRYPT rules do not run in mode {ctx.mode}")


class PayloadEncryptionExecutor(_UsesDataKeys):
    """Runs `ENCRYPT_PAYLOAD` rules: the whole payload's bytes encrypted (WRITE) or decrypted.

    Built like `FieldEncryptionExecutor` (and sharing its DEKs when given its `keys`).
    """

    type = "ENCRYPT_PAYLOAD"

    def transform(self, ctx: RuleContext, message: Any) -> Any:
        """The payload encrypted on WRITE, decrypted on READ; None stays None."""
        if message is None:
            return None
        if not isinstance(message, bytes | bytearray | memoryview):
            raise RuleError(
                f"ENCRYPT_PAYLOAD works on encoded payloads, not {type(message).__name__} "
                "(declare it in encodingRules)"
            )
        if ctx.mode is RuleMode.WRITE:
            return self._keys.encrypt(ctx, bytes(message))
        if ctx.mode is RuleMode.READ:
            return self._keys.decrypt(ctx, bytes(message), "the payload")
        raise RuleError(f"ENCRYPT_PAYLOAD rules do not run in mode {ctx.mode}")
