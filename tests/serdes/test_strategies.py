"""Subject name strategies, including confluent-kafka's contexts and custom callables."""

from __future__ import annotations

import pytest
from confluent_kafka.schema_registry import topic_record_subject_name_strategy as ck
from confluent_kafka.serialization import MessageField as CkMessageField
from confluent_kafka.serialization import SerializationContext as CkContext

from serdes.context import ContextLike, MessageField, SerializationContext
from serdes.errors import SerdesConfigError
from serdes.strategies import (
    record_subject_name_strategy,
    strategy_from,
    subject_for,
    topic_record_subject_name_strategy,
    topic_subject_name_strategy,
)


@pytest.mark.parametrize(
    "ctx",
    [SerializationContext("orders", MessageField.KEY), CkContext("orders", CkMessageField.KEY)],
)
def test_topic_strategy_names_topic_and_field(ctx: ContextLike) -> None:
    assert topic_subject_name_strategy(ctx, "com.example.Order") == "orders-key"


def test_topic_strategy_value_field() -> None:
    ctx = CkContext("orders", CkMessageField.VALUE)
    assert topic_subject_name_strategy(ctx, None) == "orders-value"


def test_record_strategy_uses_the_record_name_only() -> None:
    assert record_subject_name_strategy(None, "com.example.Order") == "com.example.Order"
    with pytest.raises(SerdesConfigError):
        record_subject_name_strategy(SerializationContext("t"), None)


def test_topic_record_strategy() -> None:
    ctx = SerializationContext("orders")
    assert (
        topic_record_subject_name_strategy(ctx, "com.example.Order") == "orders-com.example.Order"
    )
    with pytest.raises(SerdesConfigError):
        topic_record_subject_name_strategy(None, "com.example.Order")


def test_topic_strategy_needs_a_context() -> None:
    with pytest.raises(SerdesConfigError):
        topic_subject_name_strategy(None, "x")


def test_strategies_by_name_and_callables() -> None:
    assert strategy_from(None) is topic_subject_name_strategy
    assert strategy_from("RecordNameStrategy") is record_subject_name_strategy
    assert strategy_from("topic_record") is topic_record_subject_name_strategy

    def custom(ctx: ContextLike | None, name: str | None) -> str:
        return f"custom.{name}"

    assert strategy_from(custom) is custom
    with pytest.raises(SerdesConfigError, match="unknown"):
        strategy_from("NoSuchStrategy")
    with pytest.raises(SerdesConfigError):
        strategy_from(42)


def test_confluent_kafkas_own_strategies_plug_in() -> None:
    strategy = strategy_from(ck)
    assert subject_for(strategy, CkContext("t", CkMessageField.VALUE), "R") == "t-R"


def test_a_strategy_returning_nothing_is_an_error() -> None:
    with pytest.raises(SerdesConfigError, match="no subject"):
        subject_for(lambda ctx, name: None, SerializationContext("t"), "R")
