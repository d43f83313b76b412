"""Validation of Confluent rule sets (data contracts): the checks Confluent makes on write."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from registry.errors import InvalidRuleSetError

_MIGRATION_MODES = frozenset({"UPGRADE", "DOWNGRADE", "UPDOWN"})
_DOMAIN_MODES = frozenset({"WRITE", "READ", "WRITEREAD"})
_KINDS = frozenset({"TRANSFORM", "CONDITION"})
_RULE_LISTS = {
    "migrationRules": _MIGRATION_MODES,
    "domainRules": _DOMAIN_MODES,
    "encodingRules": _DOMAIN_MODES,
}


def validate_rule_set(rule_set: object) -> None:
    """Raise `InvalidRuleSetError` (42210) unless `rule_set` is a valid RuleSet entity."""
    if not isinstance(rule_set, Mapping):
        raise InvalidRuleSetError("Invalid rule set: ruleSet must be an object")
    names: set[str] = set()
    for list_name, modes in _RULE_LISTS.items():
        rules = rule_set.get(list_name)
        if rules is None:
            continue
        if not isinstance(rules, list):
            raise InvalidRuleSetError(f"Invalid rule set: {list_name} must be a list")
        for rule in rules:
            _validate_rule(rule, list_name, modes, names)


def _validate_rule(rule: Any, list_name: str, modes: frozenset[str], names: set[str]) -> None:
    if not isinstance(rule, Mapping):
        raise InvalidRuleSetError(f"Invalid rule set: every entry of {list_name} must be an object")
    name = rule.get("name")
    if not isinstance(name, str) or not name:
        raise InvalidRuleSetError("Invalid rule set: a rule has no name")
    if name in names:
        raise InvalidRuleSetError(f"Found rule with duplicate name '{name}'")
    names.add(name)
    if not isinstance(rule.get("type"), str) or not rule["type"]:
        raise InvalidRuleSetError(f"Missing rule type for rule '{name}'")
    kind = rule.get("kind", "TRANSFORM")
    if kind not in _KINDS:
        raise InvalidRuleSetError(f"Invalid rule kind '{kind}' for rule '{name}'")
    mode = rule.get("mode")
    if mode is not None and mode not in modes:
        kind_word = "Migration" if list_name == "migrationRules" else "Domain"
        raise InvalidRuleSetError(
            f"{kind_word} rule '{name}' has invalid mode '{mode}'; expected one of "
            f"{', '.join(sorted(modes))}"
        )
