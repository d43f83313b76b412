"""JSONATA rules (jsonata-python): migrations that rewrite a record between major versions.

The expression is evaluated on the whole record (a dict; a Protobuf message as a dict of
its fields by their proto names, except in migrations, which the Protobuf deserializer hands
the record's JSON form, as confluent-kafka does: `serdes._protolatest`) and its result is
the migrated record. Expressions are compiled once. Needs the `rules` extra.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import jsonata
from google.protobuf.message import Message

from serdes.rules._model import Rule
from serdes.rules.context import RuleContext
from serdes.rules.protobuf_fields import message_to_plain


class JsonataExecutor:
    """Runs `JSONATA` rules."""

    type = "JSONATA"

    def __init__(self) -> None:
        self._compiled: dict[str, Any] = {}
        self._lock = threading.Lock()

    def transform(self, ctx: RuleContext, message: Any) -> Any:
        """The rule's expression applied to `message`."""
        expr = ctx.rule.expr
        if expr is None:
            return message
        compiled = self._compiled.get(expr)
        if compiled is None:
            with self._lock:
                compiled = jsonata.Jsonata(expr)
                self._compiled[expr] = compiled
        if isinstance(message, Message):
            message = message_to_plain(message)
        return compiled.evaluate(message)

    def check_rule(self, rule: Rule, parameter: Callable[[str], str | None]) -> list[str]:
        """Whether the expression compiles."""
        if not rule.expr or not rule.expr.strip():
            return ["the rule has no expr"]
        try:
            jsonata.Jsonata(rule.expr)
        except Exception as exc:  # jsonata-python raises its own JException
            return [f"the JSONata expression does not compile: {exc}"]
        return []
