"""The rule engine on its own: order, modes, skips and actions, with recording executors."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pytest

from serdes.client import Schema
from serdes.context import SerializationContext
from serdes.errors import RuleConditionError, RuleError
from serdes.rules import (
    DlqAction,
    RuleContext,
    RuleEngine,
    RuleMode,
    RuleRegistry,
    contract_of,
)
from tests.serdes.test_deadletter import FakeProducer

CTX = SerializationContext("orders")


@dataclass
class Recorder:
    """An executor that records which rules ran and appends each rule's name to the value."""

    type: str = "REC"
    ran: list[str] = field(default_factory=list)

    def transform(self, ctx: RuleContext, message: Any) -> Any:
        self.ran.append(ctx.rule.name)
        if ctx.rule.expr == "fail":
            raise ValueError("boom")
        if ctx.rule.expr == "false":
            return False
        if ctx.rule.expr == "none":
            return None
        if ctx.rule.kind == "CONDITION":
            return True
        return [*message, ctx.rule.name]


def contract(*rules: Mapping[str, Any], migration: bool = False, enable_at: str | None = None):  # type: ignore[no-untyped-def]
    body: dict[str, Any] = {"migrationRules" if migration else "domainRules": list(rules)}
    if enable_at is not None:
        body["enableAt"] = enable_at
    found = contract_of(Schema('"string"', rule_set=body, metadata={"properties": {"p": "meta"}}))
    assert found is not None
    return found


def rule(name: str, **extra: Any) -> dict[str, Any]:
    return {"name": name, "kind": "TRANSFORM", "mode": "WRITEREAD", "type": "REC", **extra}


def engine(recorder: Recorder, *actions: Any) -> RuleEngine:
    return RuleEngine(RuleRegistry([recorder], actions))


def test_write_runs_in_order_and_read_in_reverse() -> None:
    recorder = Recorder()
    target = contract(rule("a"), rule("b"), rule("w", mode="WRITE"), rule("r", mode="READ"))
    run = engine(recorder).run
    assert run(RuleMode.WRITE, subject="s", ctx=CTX, target=target, message=[]) == ["a", "b", "w"]
    assert run(RuleMode.READ, subject="s", ctx=CTX, target=target, message=[]) == ["r", "b", "a"]


def test_disabled_enable_at_and_dlq_replay_skip_rules() -> None:
    recorder = Recorder()
    run = engine(recorder).run
    target = contract(rule("a", disabled=True), rule("b"))
    assert run(RuleMode.WRITE, subject="s", ctx=CTX, target=target, message=[]) == ["b"]
    server_only = contract(rule("a"), enable_at="SERVER")
    assert run(RuleMode.WRITE, subject="s", ctx=CTX, target=server_only, message=[]) == []
    replay = SerializationContext("orders", headers=[("__rule.name", b"b")])
    assert run(RuleMode.READ, subject="s", ctx=replay, target=target, message=[]) == []


def test_a_false_condition_is_a_typed_error_with_confluents_message() -> None:
    target = contract(rule("c", kind="CONDITION", expr="false", doc="qty must be positive"))
    with pytest.raises(RuleConditionError, match="qty must be positive") as caught:
        engine(Recorder()).run(RuleMode.WRITE, subject="s", ctx=CTX, target=target, message=[])
    assert (caught.value.rule, caught.value.mode) == ("c", "WRITE")


def test_on_failure_none_lets_the_record_through_and_split_actions_pick_by_mode() -> None:
    recorder = Recorder()
    run = engine(recorder).run
    ignored = contract(rule("c", kind="CONDITION", expr="false", onFailure="NONE"), rule("b"))
    assert run(RuleMode.WRITE, subject="s", ctx=CTX, target=ignored, message=[]) == ["b"]
    split = contract(rule("c", kind="CONDITION", expr="false", onFailure="NONE,ERROR"))
    assert run(RuleMode.WRITE, subject="s", ctx=CTX, target=split, message=[]) == []
    with pytest.raises(RuleConditionError):
        run(RuleMode.READ, subject="s", ctx=CTX, target=split, message=[])


def test_exceptions_none_results_and_missing_executors_run_on_failure() -> None:
    run = engine(Recorder()).run
    with pytest.raises(RuleError, match="boom") as caught:
        run(
            RuleMode.WRITE,
            subject="s",
            ctx=CTX,
            target=contract(rule("x", expr="fail")),
            message=[],
        )
    assert isinstance(caught.value.__cause__, ValueError)
    with pytest.raises(RuleError):
        run(
            RuleMode.WRITE,
            subject="s",
            ctx=CTX,
            target=contract(rule("n", expr="none")),
            message=[],
        )
    missing = contract(rule("m", type="NOPE"), rule("after"))
    with pytest.raises(RuleError, match="no executor for rule type NOPE"):
        run(RuleMode.WRITE, subject="s", ctx=CTX, target=missing, message=[])
    tolerated = contract(rule("m", type="NOPE", onFailure="NONE"), rule("after"))
    # As Confluent's clients: a rule that cannot run ends the list.
    assert run(RuleMode.WRITE, subject="s", ctx=CTX, target=tolerated, message=[]) == []


def test_migrations_use_the_migration_rules_of_the_right_schema() -> None:
    recorder = Recorder()
    run = engine(recorder).run
    newer = contract(rule("u", mode="UPGRADE"), rule("d", mode="DOWNGRADE"), migration=True)
    assert run(RuleMode.UPGRADE, subject="s", ctx=CTX, target=newer, message=[]) == ["u"]
    assert run(RuleMode.DOWNGRADE, subject="s", ctx=CTX, source=newer, target=None, message=[]) == [
        "d"
    ]


def test_dlq_action_writes_the_original_with_rule_headers_then_fails() -> None:
    producer = FakeProducer()
    target = contract(
        rule("c", kind="CONDITION", expr="false", onFailure="DLQ", params={"dlq.topic": "bad"})
    )
    run = engine(Recorder(), DlqAction(producer)).run
    with pytest.raises(RuleConditionError):
        run(RuleMode.READ, subject="s", ctx=CTX, target=target, message=[], original=b"raw")
    [sent] = producer.produced
    assert (sent["topic"], sent["value"], sent["key"]) == ("bad", b"raw", None)
    headers = dict(sent["headers"])
    assert headers["__rule.name"] == b"c"
    assert headers["__rule.mode"] == b"READ"
    assert headers["__rule.subject"] == b"s"
    assert headers["__rule.topic"] == b"orders"


def test_parameters_come_from_the_rule_then_the_schema_metadata() -> None:
    seen: list[str | None] = []

    @dataclass
    class Params:
        type: str = "PARAMS"

        def transform(self, ctx: RuleContext, message: Any) -> Any:
            seen.extend([ctx.parameter("own"), ctx.parameter("p"), ctx.parameter("missing")])
            return message

    target = contract(rule("x", type="PARAMS", params={"own": "rule"}))
    RuleEngine(RuleRegistry([Params()])).run(
        RuleMode.WRITE, subject="s", ctx=CTX, target=target, message=[]
    )
    assert seen == ["rule", "meta", None]
