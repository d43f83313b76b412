"""Static checks of a rule set, before any record meets it: what a CI pipeline can catch.

A rule set is accepted by the registry when it is well formed, but a CEL expression with a
syntax error, an ENCRYPT rule without a KEK name, or a field rule whose tags no field of the
schema carries only shows up at run time, in a producer. `lint_rule_set` finds those: each
executor checks its own rules (`check_rule`, when it has one), and the lint adds what it
knows of phases, tags and actions. Problems are returned, never raised; an `error` will fail
at run time, a `warning` is most likely a mistake.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Set
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any, Protocol, runtime_checkable

from serdes.rules._model import Rule
from serdes.rules.context import FieldRuleExecutor
from serdes.rules.registry import RuleRegistry

#: The rule types Cairn runs when the `rules` extra is installed.
BUILT_IN_TYPES = frozenset({"CEL", "CEL_FIELD", "JSONATA", "ENCRYPT", "ENCRYPT_PAYLOAD"})
_LISTS = ("migrationRules", "domainRules", "encodingRules")
#: Executors that work on the record (or its fields), never on encoded bytes.
_RECORD_TYPES = frozenset({"CEL", "CEL_FIELD", "JSONATA", "ENCRYPT"})


class Severity(StrEnum):
    """How sure the lint is that the rule set will misbehave."""

    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, slots=True)
class RuleProblem:
    """One problem: where (`domainRules/encrypt-pii`), how bad, and what to do."""

    path: str
    severity: Severity
    message: str


@runtime_checkable
class CheckingExecutor(Protocol):
    """An executor that can tell what is wrong with a rule without running it."""

    def check_rule(self, rule: Rule, parameter: Callable[[str], str | None]) -> list[str]:
        """The rule's problems (none when fine); `parameter` reads params, then metadata."""


def lint_rule_set(
    rule_set: Mapping[str, Any],
    *,
    schema_tags: Set[str] | None,
    properties: Mapping[str, str],
    rules: RuleRegistry,
) -> list[RuleProblem]:
    """Every problem of `rule_set` for a schema whose fields carry `schema_tags` (inline
    and metadata tags; None when unknown, which skips the tag checks) and whose metadata has
    `properties`, judged by `rules`' executors."""
    problems: list[RuleProblem] = []
    for list_name in _LISTS:
        for index, body in enumerate(rule_set.get(list_name) or ()):
            problems += _lint_rule(list_name, index, body, schema_tags, properties, rules)
    return problems


def _lint_rule(
    list_name: str,
    index: int,
    body: Any,
    schema_tags: Set[str] | None,
    properties: Mapping[str, str],
    rules: RuleRegistry,
) -> list[RuleProblem]:
    path = f"{list_name}/{index}"
    if not isinstance(body, Mapping):
        return [RuleProblem(path, Severity.ERROR, "a rule must be an object")]
    if body.get("name"):
        path = f"{list_name}/{body['name']}"
    try:
        rule = Rule.from_json(body)
    except ValueError as exc:
        return [RuleProblem(path, Severity.ERROR, f"invalid rule: {exc}")]
    if rule.disabled:
        return []
    found: list[RuleProblem] = []

    def error(message: str) -> None:
        found.append(RuleProblem(path, Severity.ERROR, message))

    def warning(message: str) -> None:
        found.append(RuleProblem(path, Severity.WARNING, message))

    if rule.type is None:
        error("the rule has no type")
        return found
    if list_name == "encodingRules" and rule.type in _RECORD_TYPES:
        error(f"{rule.type} works on records; encodingRules see only the encoded bytes")
    if rule.type == "ENCRYPT_PAYLOAD" and list_name != "encodingRules":
        error("ENCRYPT_PAYLOAD encrypts the encoded bytes: put it in encodingRules")
    executor = rules.executor(rule.type)
    if executor is None:
        if rule.type in BUILT_IN_TYPES:
            warning(f"no {rule.type} executor here: install cairn-registry[rules]")
        else:
            warning(
                f"{rule.type} is not a rule type Cairn runs: each producer and consumer must "
                "register an executor for it, or the rule fails"
            )
    else:
        merged = {**properties, **rule.params}
        if isinstance(executor, CheckingExecutor):
            for message in executor.check_rule(replace(rule, params=merged), merged.get):
                error(message)
        if isinstance(executor, FieldRuleExecutor) and schema_tags is not None:
            _lint_tags(rule, schema_tags, warning)
    for action in _actions(rule):
        if rules.action(action) is None and action != "DLQ":
            warning(f"unknown action {action!r}: use NONE, ERROR or DLQ (or register it)")
    return found


def _lint_tags(rule: Rule, schema_tags: Set[str], warning: Callable[[str], None]) -> None:
    if not rule.tags:
        also = (
            "; a field that is neither a string nor bytes makes it fail"
            if rule.type == "ENCRYPT"
            else ""
        )
        warning(f"the rule has no tags, so it applies to every field{also}")
    elif rule.tags.isdisjoint(schema_tags):
        tags = ", ".join(sorted(rule.tags))
        warning(f"no field of the schema is tagged {tags}: the rule changes nothing")


def _actions(rule: Rule) -> list[str]:
    names = []
    for spec in (rule.on_success, rule.on_failure):
        names += [part.strip().upper() for part in (spec or "").split(",") if part.strip()]
    return names
