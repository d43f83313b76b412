"""What a serializer is told about the record it handles: topic, key or value, headers.

The shape is confluent-kafka's `SerializationContext`, so its producers and consumers can
pass theirs unchanged: anything with `topic`, `field` and `headers` attributes works. Ours
adds the partition and offset, which a consumer knows and errors should carry.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol

from serdes.client import Schema
from serdes.errors import SerdesError
from serdes.framing import Headers


class MessageField(StrEnum):
    """Which part of a Kafka record is being handled; values match confluent-kafka's."""

    NONE = "none"
    KEY = "key"
    VALUE = "value"


class ContextLike(Protocol):
    """Any serialization context: ours or confluent-kafka's (duck-typed)."""

    @property
    def topic(self) -> str:
        """The record's topic."""

    @property
    def field(self) -> str:
        """`"key"` or `"value"` (a str enum in both libraries)."""

    @property
    def headers(self) -> Headers | None:
        """The record's headers, a list of pairs or a dict."""


@dataclass(frozen=True, slots=True)
class SerializationContext:
    """Topic, key/value and headers of one record, plus partition and offset when consuming."""

    topic: str
    field: MessageField = MessageField.VALUE
    headers: Headers | None = None
    partition: int | None = None
    offset: int | None = None


def is_key(ctx: ContextLike | None) -> bool:
    """Whether the context names a record key (`str()` works for both libraries' enums)."""
    return ctx is not None and str(ctx.field) == MessageField.KEY.value


def locate(error: SerdesError, ctx: ContextLike | None) -> SerdesError:
    """`error` with the topic (and partition and offset, when `ctx` has them) filled in."""
    if ctx is None:
        return error
    return error.locate(
        topic=ctx.topic,
        partition=getattr(ctx, "partition", None),
        offset=getattr(ctx, "offset", None),
    )


#: confluent-kafka's `to_dict(obj, ctx)` hook: the application's object to a plain value.
ToDict = Callable[[Any, Any], Any]
#: confluent-kafka's `from_dict(value, ctx)` hook: a plain value to the application's object.
FromDict = Callable[[Any, Any], Any]


def as_schema(schema: str | Schema | None, schema_type: str) -> Schema | None:
    """A schema given as text (as confluent-kafka's serdes accept) as a `Schema` of its type."""
    if schema is None or isinstance(schema, Schema):
        return schema
    return Schema(schema, schema_type)
