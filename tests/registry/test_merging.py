"""Metadata and rule-set merging: which side wins, and what is unioned."""

from __future__ import annotations

from registry.merging import effective, merge_metadata, merge_rule_set


def test_metadata_top_wins_per_property_and_unions_tags_and_sensitive() -> None:
    base = {
        "properties": {"owner": "a", "team": "x"},
        "tags": {"$.f": ["PII"]},
        "sensitive": ["s1"],
    }
    top = {
        "properties": {"owner": "b"},
        "tags": {"$.f": ["GDPR"], "$.g": ["X"]},
        "sensitive": ["s2"],
    }
    assert merge_metadata(base, top) == {
        "properties": {"owner": "b", "team": "x"},
        "tags": {"$.f": ["GDPR", "PII"], "$.g": ["X"]},
        "sensitive": ["s1", "s2"],
    }
    assert merge_metadata(None, top) == top
    assert merge_metadata(base, None) == base
    assert merge_metadata(None, None) is None


def test_rules_are_replaced_by_name_and_kept_in_order() -> None:
    base = {
        "domainRules": [{"name": "a", "expr": "1"}, {"name": "b", "expr": "2"}],
        "migrationRules": [{"name": "m", "expr": "3"}],
        "enableAt": "ALL",
    }
    top = {"domainRules": [{"name": "a", "expr": "new"}, {"name": "c", "expr": "4"}]}
    assert merge_rule_set(base, top) == {
        "migrationRules": [{"name": "m", "expr": "3"}],
        "domainRules": [
            {"name": "b", "expr": "2"},
            {"name": "a", "expr": "new"},
            {"name": "c", "expr": "4"},
        ],
        "enableAt": "ALL",
    }


def test_override_beats_given_beats_default() -> None:
    default = {"properties": {"k": "default", "d": "1"}}
    given = {"properties": {"k": "given", "g": "1"}}
    override = {"properties": {"k": "override", "o": "1"}}
    assert effective(default, given, override, rules=False) == {
        "properties": {"k": "override", "d": "1", "g": "1", "o": "1"}
    }
    assert effective(None, None, None, rules=True) is None
