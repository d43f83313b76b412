"""Subject name strategies: which subject a record's schema is registered under (§8.5).

A strategy is any callable `(ctx, record_name) -> subject`, the signature confluent-kafka's
serializers use, so its strategies and users' own functions plug in unchanged. `record_name`
is the Avro full name, or the JSON Schema `title`; None when the schema has none.
"""

from __future__ import annotations

from collections.abc import Callable

from serdes.context import ContextLike
from serdes.errors import SerdesConfigError

SubjectNameStrategy = Callable[[ContextLike | None, str | None], str | None]
"""`(ctx, record_name) -> subject`; returning None means "no subject" and is an error."""


def topic_subject_name_strategy(ctx: ContextLike | None, record_name: str | None) -> str:
    """`<topic>-key` or `<topic>-value`: one schema lineage per topic and field (the default)."""
    if ctx is None:
        raise SerdesConfigError("the topic name strategy needs a serialization context")
    return f"{ctx.topic}-{ctx.field}"


def record_subject_name_strategy(ctx: ContextLike | None, record_name: str | None) -> str:
    """`<record name>`: one lineage per record type, shared by every topic carrying it."""
    if not record_name:
        raise SerdesConfigError("the record name strategy needs a schema with a record name")
    return record_name


def topic_record_subject_name_strategy(ctx: ContextLike | None, record_name: str | None) -> str:
    """`<topic>-<record name>`: one lineage per record type within each topic."""
    if ctx is None:
        raise SerdesConfigError("the topic-record name strategy needs a serialization context")
    if not record_name:
        raise SerdesConfigError("the topic-record name strategy needs a schema with a record name")
    return f"{ctx.topic}-{record_name}"


#: The strategies by the names Confluent's Java configuration uses, and short aliases.
STRATEGIES: dict[str, SubjectNameStrategy] = {
    "TopicNameStrategy": topic_subject_name_strategy,
    "RecordNameStrategy": record_subject_name_strategy,
    "TopicRecordNameStrategy": topic_record_subject_name_strategy,
    "topic": topic_subject_name_strategy,
    "record": record_subject_name_strategy,
    "topic_record": topic_record_subject_name_strategy,
}


def strategy_from(value: object) -> SubjectNameStrategy:
    """A strategy from a config value: a callable, or one of the names in `STRATEGIES`."""
    if value is None:
        return topic_subject_name_strategy
    if isinstance(value, str):
        try:
            return STRATEGIES[value]
        except KeyError:
            raise SerdesConfigError(
                f"unknown subject.name.strategy {value!r}; expected one of "
                f"{', '.join(sorted(STRATEGIES))} or a callable"
            ) from None
    if callable(value):
        return value
    raise SerdesConfigError("subject.name.strategy must be a callable (ctx, record_name) -> str")


def subject_for(
    strategy: SubjectNameStrategy, ctx: ContextLike | None, record_name: str | None
) -> str:
    """Run `strategy`, insisting on a non-empty subject."""
    subject = strategy(ctx, record_name)
    if not subject:
        raise SerdesConfigError("the subject name strategy returned no subject")
    return subject
