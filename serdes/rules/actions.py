"""Rule actions: NONE, ERROR, and DLQ (the record to a dead-letter topic, then an error).

An action runs after each rule: `onSuccess` (default NONE) or `onFailure` (default ERROR).
ERROR fails the record with a typed `RuleError`; DLQ writes it to a dead-letter topic
through `serdes.deadletter` first, with Confluent's `__rule.*` headers, so that a replay
from that topic skips the rule that rejected it. A value written on WRITE has the fields
that encryption rules protect replaced by `<REDACTED>`, as Confluent's clients do, so a
dead-letter topic never holds what the data topic would only hold encrypted.
"""

from __future__ import annotations

import copy
import dataclasses
import json
import logging
from collections.abc import Iterable
from typing import Any

from serdes.deadletter import HeaderList, ProducerLike, header_list, write_confirmed
from serdes.errors import RuleConditionError, RuleError
from serdes.rules._model import Rule, RuleKind
from serdes.rules.context import ConditionFailed, FieldContext, FieldType, RuleContext

logger = logging.getLogger(__name__)

RULE_NAME_HEADER = "__rule.name"
RULE_MODE_HEADER = "__rule.mode"
RULE_SUBJECT_HEADER = "__rule.subject"
RULE_TOPIC_HEADER = "__rule.topic"
RULE_EXCEPTION_HEADER = "__rule.exception"
DLQ_TOPIC_PARAM = "dlq.topic"
DLQ_REDACT_RULE_TYPES = "dlq.redact.rule.types"
"""Confluent's name of the setting `DlqAction(redact_rule_types=...)` stands for."""
DEFAULT_REDACT_RULE_TYPES = "ENCRYPT,ENCRYPT_PAYLOAD"
REDACTED = "<REDACTED>"
_DETAIL_LIMIT = 300


def rule_failure(ctx: RuleContext, error: Exception | None) -> RuleError:
    """The typed error for a failed rule: `RuleConditionError` for a false condition."""
    rule, mode = ctx.rule.name, ctx.mode.value
    if isinstance(error, ConditionFailed):
        return RuleConditionError(str(error), rule=rule, mode=mode)
    detail = ""
    if error is not None:
        # Some executors' errors carry whole evaluation states: the first line says enough.
        text = str(error).splitlines()[0] if str(error) else type(error).__name__
        detail = f": {text[:_DETAIL_LIMIT]}"
    return RuleError(f"rule {rule!r} failed ({mode}){detail}", rule=rule, mode=mode)


class NoneAction:
    """Does nothing: the record goes on (a failing rule with onFailure NONE is ignored)."""

    name = "NONE"

    def run(self, ctx: RuleContext, message: Any, error: Exception | None) -> None:
        """Nothing to do."""


class ErrorAction:
    """Fails the record with a `RuleError` (a `RuleConditionError` for a false condition)."""

    name = "ERROR"

    def run(self, ctx: RuleContext, message: Any, error: Exception | None) -> None:
        """Raise the typed error, chained to what the rule raised."""
        raise rule_failure(ctx, error) from error


def _as_bytes(value: Any) -> bytes | None:
    """What a dead letter carries: bytes as they are, anything else as JSON (as Confluent)."""
    if value is None or isinstance(value, bytes):
        return value
    if isinstance(value, str):
        return value.encode()
    if hasattr(value, "DESCRIPTOR"):
        from google.protobuf import json_format  # noqa: PLC0415 (only for Protobuf records)

        return json_format.MessageToJson(value).encode()
    return json.dumps(value, default=_json_default).encode()


def _json_default(value: Any) -> str:
    if isinstance(value, bytes | bytearray):
        return bytes(value).decode("latin-1")
    return str(value)


def _redact_field(ctx: RuleContext, field: FieldContext, value: Any) -> Any:
    if value is None:
        return None
    if field.field_type is FieldType.STRING:
        return REDACTED
    if field.field_type is FieldType.BYTES:
        return REDACTED.encode()
    return value


def redacted(ctx: RuleContext, message: Any, rule_types: frozenset[str]) -> Any:
    """A copy of `message` whose STRING and BYTES fields tagged by any rule of `ctx.rules`
    whose type is in `rule_types` read `<REDACTED>` (every such field when those rules
    name no tags, as such rules apply to every field); `message` itself when none apply."""
    chosen = [rule for rule in ctx.rules if rule.type in rule_types]
    if not chosen or ctx.walker is None:
        return message
    tags = frozenset(tag for rule in chosen for tag in rule.tags)
    redact = Rule("redact", RuleKind.TRANSFORM, ctx.mode, DlqAction.name, tags)
    redact_ctx = dataclasses.replace(ctx, rule=redact, index=0, rules=(redact,))
    try:
        return ctx.walker(redact_ctx, _redact_field, copy.deepcopy(message))
    except Exception as error:
        logger.error("could not redact the dead letter of rule %s: %s", ctx.rule.name, error)
        return message


def _rule_types(types: str | Iterable[str]) -> frozenset[str]:
    names = types.split(",") if isinstance(types, str) else types
    return frozenset(name.strip().upper() for name in names if name.strip())


class DlqAction:
    """Writes the rejected record to a dead-letter topic, waits for the ack, then fails it.

    The topic is `topic`, else the rule's (or schema's) `dlq.topic` parameter. On READ the
    record's original bytes are written; on WRITE the value the application gave, as JSON,
    with the fields tagged by the running rules of `redact_rule_types` (Confluent's
    `dlq.redact.rule.types`: a comma-separated string or names; default ENCRYPT and
    ENCRYPT_PAYLOAD, empty for none) redacted in a copy.
    The serializer still raises `RuleError` afterwards, as Confluent's action does: the
    producer's caller learns the record was not produced to its topic.
    """

    name = "DLQ"

    def __init__(
        self,
        producer: ProducerLike,
        *,
        topic: str | None = None,
        timeout_s: float = 30.0,
        redact_rule_types: str | Iterable[str] = DEFAULT_REDACT_RULE_TYPES,
    ) -> None:
        self._producer = producer
        self._topic = topic
        self._timeout_s = timeout_s
        self._redact = _rule_types(redact_rule_types)

    def run(self, ctx: RuleContext, message: Any, error: Exception | None) -> None:
        """Dead-letter the record, then raise the rule's typed error."""
        failure = rule_failure(ctx, error)
        topic = self._topic or ctx.parameter(DLQ_TOPIC_PARAM)
        if not topic:
            raise RuleError(
                f"rule {ctx.rule.name!r}: no dead-letter topic (set dlq.topic)",
                rule=ctx.rule.name,
                mode=ctx.mode.value,
            ) from error
        headers: HeaderList = header_list(ctx.headers)
        headers.extend(
            [
                (RULE_NAME_HEADER, ctx.rule.name.encode()),
                (RULE_MODE_HEADER, ctx.mode.value.encode()),
                (RULE_SUBJECT_HEADER, ctx.subject.encode()),
                (RULE_TOPIC_HEADER, (ctx.topic or "").encode()),
            ]
        )
        if error is not None:
            headers.append((RULE_EXCEPTION_HEADER, str(error).encode("utf-8", "replace")))
        original = ctx.original
        if self._redact and not isinstance(original, bytes | bytearray | str | None):
            original = redacted(ctx, original, self._redact)
        original = _as_bytes(original)
        key, value = (original, None) if ctx.is_key else (None, original)
        write_confirmed(
            self._producer, topic, key, value, headers, timeout_s=self._timeout_s, cause=failure
        )
        raise failure from error
