"""What a rule executor or action is handed, and the interfaces they implement.

Executors and actions are plug-ins: anything with a `type` (or `name`) and a `transform`
(or `run`) method, registered in a `RuleRegistry`. A rule runs with a `RuleContext`: the
rule, the mode it runs in, the subject and record it runs on, and the contracts (schema,
rules, metadata) it comes from. Field executors (`CEL_FIELD`, `ENCRYPT`) visit
the leaves of a record through the format's field walker, which hands them a
`FieldContext` per field: name, full name, type and tags, as Confluent's clients expose
them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol

from serdes.framing import Headers
from serdes.rules._model import Contract, Rule, RuleKind, RuleMode


class FieldType(StrEnum):
    """A field's type, with Confluent's names (what `typeName` says in CEL_FIELD rules)."""

    RECORD = "RECORD"
    ENUM = "ENUM"
    ARRAY = "ARRAY"
    MAP = "MAP"
    COMBINED = "COMBINED"
    FIXED = "FIXED"
    STRING = "STRING"
    BYTES = "BYTES"
    INT = "INT"
    LONG = "LONG"
    FLOAT = "FLOAT"
    DOUBLE = "DOUBLE"
    BOOLEAN = "BOOLEAN"
    NULL = "NULL"


PRIMITIVES = frozenset(
    {
        FieldType.INT,
        FieldType.LONG,
        FieldType.FLOAT,
        FieldType.DOUBLE,
        FieldType.BOOLEAN,
        FieldType.NULL,
        FieldType.STRING,
        FieldType.BYTES,
    }
)


@dataclass(frozen=True, slots=True)
class FieldContext:
    """One field as a field rule sees it; `containing` is the record holding it."""

    containing: Any
    full_name: str
    name: str
    field_type: FieldType
    tags: frozenset[str]

    @property
    def is_primitive(self) -> bool:
        """Whether the field holds a scalar (field rules only look at those)."""
        return self.field_type in PRIMITIVES


class ConditionFailed(Exception):  # noqa: N818 (an outcome, turned into RuleConditionError)
    """Raised inside rule execution when a condition is false; its action decides what follows."""

    def __init__(self, rule: Rule) -> None:
        super().__init__(rule.failure_message())
        self.rule = rule


FieldTransform = Callable[["RuleContext", FieldContext, Any], Any]


class FieldWalker(Protocol):
    """A format's walk over a record's fields, applying `transform` to each tagged leaf."""

    def __call__(self, ctx: RuleContext, transform: FieldTransform, message: Any) -> Any:
        """The message with each matching leaf transformed (or checked, for a condition)."""


@dataclass(frozen=True, slots=True)
class RuleContext:
    """One rule about to run on one record."""

    rule: Rule
    mode: RuleMode
    index: int
    rules: Sequence[Rule]
    subject: str
    topic: str | None
    headers: Headers | None
    is_key: bool
    source: Contract | None
    target: Contract | None
    walker: FieldWalker | None
    original: Any

    def parameter(self, name: str) -> str | None:
        """A rule parameter: the rule's `params` first, then the target's metadata properties."""
        value = self.rule.params.get(name)
        if value is None and self.target is not None:
            value = self.target.properties.get(name)
        return value

    def field_tags(self, full_name: str, inline: frozenset[str]) -> frozenset[str]:
        """A field's tags: its inline tags plus the target's metadata tags matching its name."""
        if self.target is None or not self.target.tags:
            return inline
        return inline | self.target.tags_of(full_name)

    def applies_to(self, field: FieldContext) -> bool:
        """Whether the rule hits `field`: it has no tags, or shares one with the field."""
        tags = self.rule.tags
        return not tags or not tags.isdisjoint(field.tags)

    def field_result(self, value: Any, result: Any) -> Any:
        """A field's new value after a field rule: a condition checks, a transform replaces."""
        if self.rule.kind is RuleKind.CONDITION:
            if result is False:
                raise ConditionFailed(self.rule)
            return value
        return result


class RuleExecutor(Protocol):
    """Runs the rules of one `type` (CEL, JSONATA, ...): returns the new message or a verdict."""

    @property
    def type(self) -> str:
        """The rule type it runs, upper case."""

    def transform(self, ctx: RuleContext, message: Any) -> Any:
        """A TRANSFORM's new message, or a CONDITION's truth value."""


class RuleAction(Protocol):
    """What happens after a rule succeeds or fails (NONE, ERROR, DLQ, or your own)."""

    @property
    def name(self) -> str:
        """The name rules use in `onSuccess` / `onFailure`."""

    def run(self, ctx: RuleContext, message: Any, error: Exception | None) -> None:
        """Act on the outcome; raising a `SerdesError` fails the record."""


class FieldRuleExecutor:
    """Base of executors that act per field; subclasses implement `field_transform`.

    A rule is skipped when another TRANSFORM of the same mode and type names the same
    (non-empty) tags: an earlier one on WRITE/UPGRADE, a later one on READ/DOWNGRADE, as
    Confluent's clients do, so that a field is never encrypted or rewritten twice.
    """

    type = "FIELD"

    def field_transform(self, ctx: RuleContext, field: FieldContext, value: Any) -> Any:
        """The new value of one field (or a condition's verdict on it)."""
        raise NotImplementedError

    def transform(self, ctx: RuleContext, message: Any) -> Any:
        """Walk the record with the format's field walker, skipping shadowed rules."""
        if ctx.mode in (RuleMode.WRITE, RuleMode.UPGRADE):
            others: Sequence[Rule] = ctx.rules[: ctx.index]
        elif ctx.mode in (RuleMode.READ, RuleMode.DOWNGRADE):
            others = ctx.rules[ctx.index + 1 :]
        else:
            others = ()
        if any(_same_tagged_transform(ctx.rule, other) for other in others):
            return message
        if ctx.walker is None:
            return message
        return ctx.walker(ctx, self.field_transform, message)


def _same_tagged_transform(rule: Rule, other: Rule) -> bool:
    return (
        bool(rule.tags)
        and rule.kind is RuleKind.TRANSFORM
        and other.kind is RuleKind.TRANSFORM
        and rule.mode is other.mode
        and rule.type == other.type
        and rule.tags == other.tags
    )
