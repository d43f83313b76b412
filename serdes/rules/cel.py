"""CEL rules (cel-python): `CEL` on the whole record, `CEL_FIELD` on each matching field.

`CEL` binds `message` (the record as a CEL map; a Protobuf message as a map of its fields
by their proto names). `CEL_FIELD` binds `value`, `fullName`, `name`, `typeName`, `tags`
and `message` (the record holding the field), for scalar fields only, as Confluent's
clients do. An expression `guard ; expr` runs `expr` only when `guard` holds: otherwise a
condition passes and a transform keeps its input. Programs are compiled once per
expression. Needs the `rules` extra.
"""

from __future__ import annotations

import datetime
import threading
from collections.abc import Callable
from typing import Any

import celpy
from celpy import celtypes
from google.protobuf.message import Message

from serdes.rules._model import Rule, RuleKind
from serdes.rules.context import FieldContext, FieldRuleExecutor, RuleContext
from serdes.rules.protobuf_fields import message_to_plain, plain_to_message


def to_cel(value: Any) -> Any:
    """A plain value (dicts, lists, scalars) as cel-python's types."""
    if isinstance(value, dict):
        return celtypes.MapType({celtypes.StringType(k): to_cel(v) for k, v in value.items()})
    if isinstance(value, list | tuple):
        return celtypes.ListType([to_cel(v) for v in value])
    if isinstance(value, str):
        return celtypes.StringType(value)
    if isinstance(value, bytes):
        return celtypes.BytesType(value)
    # bool before int: a bool is an int in Python, not in CEL.
    if isinstance(value, bool):
        return celtypes.BoolType(value)
    if isinstance(value, int):
        return celtypes.IntType(value)
    if isinstance(value, float):
        return celtypes.DoubleType(value)
    return value


def from_cel(value: Any) -> Any:
    """cel-python's values back as plain Python ones (fastavro and JSON want those)."""
    if isinstance(value, dict):
        return {str(k): from_cel(v) for k, v in value.items()}
    if isinstance(value, list):
        return [from_cel(v) for v in value]
    if isinstance(value, celtypes.BoolType):
        return bool(value)
    if isinstance(value, celtypes.StringType):
        return str(value)
    if isinstance(value, celtypes.BytesType):
        return bytes(value)
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    return value


def _plain(message: Any) -> Any:
    return message_to_plain(message) if isinstance(message, Message) else message


class CelExecutor:
    """Runs `CEL` rules on the whole record."""

    type = "CEL"

    def __init__(self) -> None:
        self._env = celpy.Environment()
        self._programs: dict[str, Any] = {}
        self._lock = threading.Lock()

    def transform(self, ctx: RuleContext, message: Any) -> Any:
        """A condition's verdict, or the transformed record (same shape as `message`)."""
        result = self.execute(ctx, message, {"message": to_cel(_plain(message))})
        transforms = ctx.rule.kind is RuleKind.TRANSFORM
        if transforms and isinstance(message, Message) and isinstance(result, dict):
            return plain_to_message(type(message), result)
        return result

    def execute(self, ctx: RuleContext, value: Any, args: dict[str, Any]) -> Any:
        """Evaluate the rule's expression (after its guard, if any) with `args` bound."""
        expr = ctx.rule.expr
        if expr is None:
            return value
        guard, found, body = expr.partition(";")
        if not found:
            guard, body = "", expr
        if guard.strip() and not self._evaluate(guard, args):
            return True if ctx.rule.kind is RuleKind.CONDITION else value
        return self._evaluate(body, args)

    def check_rule(self, rule: Rule, parameter: Callable[[str], str | None]) -> list[str]:
        """Whether the expression (and its guard) compiles."""
        if not rule.expr or not rule.expr.strip():
            return ["the rule has no expr"]
        guard, found, body = rule.expr.partition(";")
        parts = [guard, body] if found else [rule.expr]
        problems = []
        for part in parts:
            if not part.strip():
                continue
            try:
                self._env.compile(part)
            except Exception as exc:  # celpy raises its own parse errors, and lark's
                problems.append(
                    f"the CEL expression {part.strip()!r} does not compile: {_why(exc)}"
                )
        return problems

    def _evaluate(self, expr: str, args: dict[str, Any]) -> Any:
        program = self._programs.get(expr)
        if program is None:
            with self._lock:
                program = self._env.program(self._env.compile(expr))
                self._programs[expr] = program
        if "now" in expr and "now" not in args:
            args["now"] = celtypes.TimestampType(datetime.datetime.now(tz=datetime.UTC))
        return from_cel(program.evaluate(args))


def _why(exc: Exception) -> str:
    """A parse error in one line: where it is, and lark's reason (celpy's own text only
    repeats the expression with a caret)."""
    reason = str(exc.__context__ or exc).strip().splitlines()
    where = getattr(exc, "column", None)
    text = reason[0] if reason else type(exc).__name__
    if where is not None and exc.__context__ is None:
        text = f"unexpected input at column {where}"
    return text


class CelFieldExecutor(FieldRuleExecutor):
    """Runs `CEL_FIELD` rules on each scalar field the rule's tags select."""

    type = "CEL_FIELD"

    def __init__(self) -> None:
        self._cel = CelExecutor()

    def field_transform(self, ctx: RuleContext, field: FieldContext, value: Any) -> Any:
        """The field's new value (or, for a condition, whether it passes)."""
        if not field.is_primitive:
            return value
        args = {
            "value": to_cel(value),
            "fullName": celtypes.StringType(field.full_name),
            "name": celtypes.StringType(field.name),
            "typeName": celtypes.StringType(field.field_type.value),
            "tags": celtypes.ListType([celtypes.StringType(t) for t in sorted(field.tags)]),
            "message": to_cel(_plain(field.containing)),
        }
        return self._cel.execute(ctx, value, args)

    def check_rule(self, rule: Rule, parameter: Callable[[str], str | None]) -> list[str]:
        """Whether the expression (and its guard) compiles."""
        return self._cel.check_rule(rule, parameter)
