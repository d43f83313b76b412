"""Rules and rule sets of a schema's data contract, read once from the registry's JSON.

A registered schema carries `ruleSet` (domain, migration and encoding rules) and
`metadata` (field tags by path, properties). The registry client passes both through
untouched; this module reads them into frozen values once per schema, so nothing per record
parses JSON or looks at optional keys.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cache
from types import MappingProxyType
from typing import Any

from serdes.client import Schema


class RuleMode(StrEnum):
    """When a rule runs; WRITEREAD and UPDOWN each stand for a pair."""

    WRITE = "WRITE"
    READ = "READ"
    UPGRADE = "UPGRADE"
    DOWNGRADE = "DOWNGRADE"
    WRITEREAD = "WRITEREAD"
    UPDOWN = "UPDOWN"

    def covers(self, running: RuleMode) -> bool:
        """Whether a rule declared with this mode runs when the serde is `running`."""
        if self is RuleMode.WRITEREAD:
            return running in (RuleMode.WRITE, RuleMode.READ)
        if self is RuleMode.UPDOWN:
            return running in (RuleMode.UPGRADE, RuleMode.DOWNGRADE)
        return self is running


class RulePhase(StrEnum):
    """Which rules of a rule set run: DOMAIN and MIGRATION on records, ENCODING on bytes."""

    DOMAIN = "DOMAIN"
    MIGRATION = "MIGRATION"
    ENCODING = "ENCODING"


class RuleKind(StrEnum):
    """A CONDITION accepts or rejects a record; a TRANSFORM returns a new one."""

    CONDITION = "CONDITION"
    TRANSFORM = "TRANSFORM"


def _str_map(value: Any) -> Mapping[str, str]:
    if not isinstance(value, Mapping):
        return MappingProxyType({})
    return MappingProxyType({str(k): str(v) for k, v in value.items()})


@dataclass(frozen=True, slots=True)
class Rule:
    """One rule, as Confluent's `Rule` entity names its fields."""

    name: str
    kind: RuleKind = RuleKind.TRANSFORM
    mode: RuleMode = RuleMode.WRITEREAD
    type: str | None = None
    tags: frozenset[str] = frozenset()
    params: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    expr: str | None = None
    on_success: str | None = None
    on_failure: str | None = None
    disabled: bool = False
    doc: str | None = None

    @classmethod
    def from_json(cls, body: Mapping[str, Any]) -> Rule:
        """Read a rule entity; unknown kinds and modes are refused by their enums."""
        rule_type = body.get("type")
        return cls(
            name=str(body.get("name") or ""),
            kind=RuleKind(str(body.get("kind") or "TRANSFORM").upper()),
            mode=RuleMode(str(body.get("mode") or "WRITEREAD").upper()),
            type=str(rule_type).upper() if rule_type else None,
            tags=frozenset(str(t) for t in body.get("tags") or ()),
            params=_str_map(body.get("params")),
            expr=body.get("expr"),
            on_success=body.get("onSuccess"),
            on_failure=body.get("onFailure"),
            disabled=bool(body.get("disabled", False)),
            doc=body.get("doc"),
        )

    def failure_message(self) -> str:
        """What a failed condition says: the doc, else the expression, else the name."""
        if self.doc:
            return self.doc
        if self.expr:
            return f"Rule expr failed: {self.expr}"
        return f"Rule failed: {self.name}"


@dataclass(frozen=True, slots=True)
class RuleSet:
    """The rules of one schema, in their declared order."""

    domain_rules: tuple[Rule, ...] = ()
    migration_rules: tuple[Rule, ...] = ()
    encoding_rules: tuple[Rule, ...] = ()
    enable_at: str | None = None

    @classmethod
    def from_json(cls, body: Mapping[str, Any]) -> RuleSet:
        """Read a `ruleSet` entity."""
        return cls(
            tuple(Rule.from_json(r) for r in body.get("domainRules") or ()),
            tuple(Rule.from_json(r) for r in body.get("migrationRules") or ()),
            tuple(Rule.from_json(r) for r in body.get("encodingRules") or ()),
            body.get("enableAt"),
        )

    @property
    def enabled(self) -> bool:
        """Whether clients run these rules at all (`enableAt` absent, ALL or CLIENT)."""
        return self.enable_at in (None, "ALL", "CLIENT")

    @property
    def encodes(self) -> bool:
        """Whether encoding rules transform the payload bytes (and clients run them)."""
        return bool(self.encoding_rules) and self.enabled

    def has_migrations(self, mode: RuleMode) -> bool:
        """Whether a migration rule applies to UPGRADE or DOWNGRADE `mode`."""
        return any(rule.mode.covers(mode) for rule in self.migration_rules)


@cache
def _wildcard(pattern: str) -> re.Pattern[str]:
    """Confluent's tag-path wildcards: `**` any path, `*` one segment, `?` one character."""
    out = []
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if pattern.startswith("**", i):
            out.append(".*")
            i += 2
            continue
        if char == "*":
            out.append("[^.]*")
        elif char == "?":
            out.append("[^.]")
        else:
            out.append(re.escape(char))
        i += 1
    return re.compile("".join(out))


@dataclass(frozen=True, slots=True, eq=False)
class Contract:
    """A schema's data contract: the schema, its rule set, metadata tags and properties."""

    schema: Schema
    rule_set: RuleSet
    tags: tuple[tuple[str, frozenset[str]], ...] = ()
    properties: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))

    def tags_of(self, full_name: str) -> frozenset[str]:
        """The metadata tags whose path pattern matches a field's full name."""
        found: set[str] = set()
        for pattern, tags in self.tags:
            if _wildcard(pattern).fullmatch(full_name):
                found.update(tags)
        return frozenset(found)


def contract_of(schema: Schema) -> Contract | None:
    """The contract of `schema`, or None when it has no rule set (the rule-free fast path)."""
    if not schema.rule_set:
        return None
    rule_set = RuleSet.from_json(schema.rule_set)
    if not (rule_set.domain_rules or rule_set.migration_rules or rule_set.encoding_rules):
        return None
    metadata = schema.metadata or {}
    raw_tags = metadata.get("tags") or {}
    tags = tuple(
        (str(path), frozenset(str(t) for t in names))
        for path, names in (raw_tags.items() if isinstance(raw_tags, Mapping) else ())
    )
    return Contract(schema, rule_set, tags, _str_map(metadata.get("properties")))
