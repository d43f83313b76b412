"""Data-contract rules in the serializers: conditions, field transforms, migrations, actions.

A registered schema may carry a `ruleSet`; the serializers run its rules the way
Confluent's clients do (`serdes.rules.engine`), with executors and actions looked up in a
`RuleRegistry` by rule type and action name:

- `CEL` (a condition or transform on the whole record) and `CEL_FIELD` (on each field the
  rule's tags select) need cel-python; `JSONATA` (migrations between major versions)
  needs jsonata-python. Both come with the `rules` extra (`pip install
  'cairn-registry[rules]'`); without it such rules fail with a `RuleError` that says so.
- `ENCRYPT` (field-level encryption, keys in the DEK registry) and `ENCRYPT_PAYLOAD` (the
  whole payload, an encoding rule) need tink, also in the `rules` extra;
  `serdes.rules.encryption` has the executors, their DEK registry client and the KMS
  drivers.
- Encoding rules (`encodingRules`, the ENCODING phase) run on the payload's bytes: after
  the record is encoded and before the schema id is put in front, and on read before the
  record is decoded.
- Actions: `NONE`, `ERROR` (a `RuleError`, or `RuleConditionError` for a false condition)
  and `DlqAction` (the record to a dead-letter topic, fields that encryption rules protect
  redacted, then the error).

Your own executor is any object with `type` and `transform(ctx, message)` (or a
`FieldRuleExecutor` subclass); your own action any object with `name` and
`run(ctx, message, error)`.
"""

from __future__ import annotations

from serdes.rules._model import (
    Contract,
    Rule,
    RuleKind,
    RuleMode,
    RulePhase,
    RuleSet,
    contract_of,
)
from serdes.rules.actions import DlqAction, ErrorAction, NoneAction
from serdes.rules.context import (
    ConditionFailed,
    FieldContext,
    FieldRuleExecutor,
    FieldTransform,
    FieldType,
    FieldWalker,
    RuleAction,
    RuleContext,
    RuleExecutor,
)
from serdes.rules.engine import (
    Migration,
    ReadRules,
    RuleEngine,
    plan_migrations,
    read_with_rules,
)
from serdes.rules.registry import RuleRegistry

__all__ = [
    "ConditionFailed",
    "Contract",
    "DlqAction",
    "ErrorAction",
    "FieldContext",
    "FieldRuleExecutor",
    "FieldTransform",
    "FieldType",
    "FieldWalker",
    "Migration",
    "NoneAction",
    "ReadRules",
    "Rule",
    "RuleAction",
    "RuleContext",
    "RuleEngine",
    "RuleExecutor",
    "RuleKind",
    "RuleMode",
    "RulePhase",
    "RuleRegistry",
    "RuleSet",
    "contract_of",
    "plan_migrations",
    "read_with_rules",
]
