"""Static checks of rule sets (`serdes.rules.lint`): each kind of problem, and none for good rules."""

from __future__ import annotations

from typing import Any

import pytest

from serdes.rules import RuleRegistry
from serdes.rules.lint import RuleProblem, Severity, lint_rule_set

RULES = RuleRegistry.default()
TAGS = frozenset({"PII"})
ENCRYPT = {"encrypt.kek.name": "k"}


def rule(**fields: Any) -> dict[str, Any]:
    return {"name": "r", "kind": "TRANSFORM", "mode": "WRITEREAD", **fields}


def lint(
    domain: list[dict[str, Any]] | None = None,
    *,
    migration: list[dict[str, Any]] | None = None,
    encoding: list[dict[str, Any]] | None = None,
    tags: frozenset[str] | None = TAGS,
    properties: dict[str, str] | None = None,
) -> list[tuple[str, Severity, str]]:
    rule_set = {
        "domainRules": domain or [],
        "migrationRules": migration or [],
        "encodingRules": encoding or [],
    }
    problems: list[RuleProblem] = lint_rule_set(
        rule_set, schema_tags=tags, properties=properties or {}, rules=RULES
    )
    return [(p.path, p.severity, p.message) for p in problems]


def test_good_rules_have_no_problems() -> None:
    assert (
        lint(
            [
                rule(kind="CONDITION", type="CEL", expr="message.qty > 0"),
                rule(name="mask", type="CEL_FIELD", tags=["PII"], expr="name == 'ssn' ; 'x'"),
                rule(name="enc", type="ENCRYPT", tags=["PII"], params=ENCRYPT),
            ],
            migration=[rule(name="up", mode="UPGRADE", type="JSONATA", expr="$")],
            encoding=[rule(name="pay", type="ENCRYPT_PAYLOAD", params=ENCRYPT)],
        )
        == []
    )


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (rule(type="CEL", expr="message.qty >"), "does not compile"),
        (rule(type="CEL", expr="  "), "has no expr"),
        (rule(type="CEL_FIELD", tags=["PII"], expr="name == ; 'x'"), "'name =='"),
        (rule(type="ENCRYPT", tags=["PII"]), "needs a non-empty encrypt.kek.name"),
        (
            rule(type="ENCRYPT", tags=["PII"], params={**ENCRYPT, "encrypt.dek.algorithm": "X"}),
            "invalid DEK algorithm 'X'",
        ),
        (
            rule(type="ENCRYPT", tags=["PII"], params={**ENCRYPT, "encrypt.dek.expiry.days": "-1"}),
            "must not be negative",
        ),
        (rule(type="ENCRYPT_PAYLOAD", params=ENCRYPT), "put it in encodingRules"),
        (rule(mode="SIDEWAYS", type="CEL", expr="true"), "invalid rule"),
        (rule(), "has no type"),
    ],
)
def test_domain_rule_errors(body: dict[str, Any], expected: str) -> None:
    [(path, severity, message)] = lint([body])
    assert (path, severity) == ("domainRules/r", Severity.ERROR)
    assert expected in message


def test_jsonata_and_phase_errors() -> None:
    [(path, severity, message)] = lint(
        migration=[rule(name="up", mode="UPGRADE", type="JSONATA", expr="$merge([$, {'a': }])")]
    )
    assert (path, severity) == ("migrationRules/up", Severity.ERROR)
    assert "does not compile" in message
    [(path, _, message)] = lint(encoding=[rule(type="CEL", expr="true")])
    assert path == "encodingRules/r"
    assert "encodingRules see only the encoded bytes" in message


def test_a_kek_name_in_the_metadata_properties_counts() -> None:
    body = rule(type="ENCRYPT", tags=["PII"])
    assert lint([body], properties={"encrypt.kek.name": "from-metadata"}) == []


def test_warnings_on_tags_types_and_actions() -> None:
    problems = lint(
        [
            rule(name="absent", type="CEL_FIELD", tags=["SECRET"], expr="'x'"),
            rule(name="all", type="ENCRYPT", params=ENCRYPT),
            rule(name="mine", type="MYRULE"),
            rule(name="retry", type="CEL", expr="true", onFailure="RETRY"),
            rule(name="dlq", type="CEL", expr="true", onFailure="DLQ"),
        ]
    )
    assert all(severity is Severity.WARNING for _, severity, _ in problems)
    messages = {path: message for path, _, message in problems}
    assert "no field of the schema is tagged SECRET" in messages["domainRules/absent"]
    assert "applies to every field" in messages["domainRules/all"]
    assert "neither a string nor bytes" in messages["domainRules/all"]
    assert "MYRULE is not a rule type" in messages["domainRules/mine"]
    assert "unknown action 'RETRY'" in messages["domainRules/retry"]
    assert "domainRules/dlq" not in messages


def test_unknown_schema_tags_and_disabled_rules_are_not_judged() -> None:
    absent = rule(type="CEL_FIELD", tags=["SECRET"], expr="'x'")
    assert lint([absent], tags=None) == []
    assert lint([rule(type="CEL", expr="oops (", disabled=True)]) == []


def test_without_executors_a_built_in_type_names_the_extra() -> None:
    problems = lint_rule_set(
        {"domainRules": [rule(type="CEL", expr="true")]},
        schema_tags=TAGS,
        properties={},
        rules=RuleRegistry(),
    )
    assert [p.message for p in problems] == ["no CEL executor here: install cairn-registry[rules]"]
